"""Reports from the API (login needed, audited), the case page (links, print CSS), the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hemifacial.cli import main
from hemifacial.db import tables as t
from tests.web.helpers import TYPICAL, intake

from .conftest import HOSTILE, Seeded

ROUTES = {
    "report.pdf": ("pdf", "application/pdf"),
    "report.html": ("html", "text/html; charset=utf-8"),
    "letter.pdf": ("letter", "application/pdf"),
    "letter.html": ("letter-html", "text/html; charset=utf-8"),
}


def test_reports_need_a_login(client: Any) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    for route in ROUTES:
        r = client.get(f"/api/v1/cases/{case_id}/{route}")
        assert r.status_code == 401, route
        assert "Tina" not in r.text


def test_reports_are_sent_and_every_view_is_audited(app: Any, client: Any, clinician: Any) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    for route, (_, media) in ROUTES.items():
        r = clinician.get(f"/api/v1/cases/{case_id}/{route}")
        assert r.status_code == 200, (route, r.text[:300])
        assert r.headers["content-type"] == media
        assert r.headers["cache-control"] == "no-store"
        if media == "application/pdf":
            assert r.content.startswith(b"%PDF")
        else:
            assert "Typical Tina" in r.text
    with app.state.ctx.db.unit_of_work() as s:
        rows = s.execute(
            select(t.AuditEvent.actor, t.AuditEvent.case_id, t.AuditEvent.detail)
            .where(t.AuditEvent.action == "report.view")
            .order_by(t.AuditEvent.id)
        ).all()
    assert [(r[0], r[1], r[2]["kind"]) for r in rows] == [
        ("doc", case_id, kind) for kind, _ in ROUTES.values()
    ]


def test_a_missing_case_is_a_clear_404(clinician: Any) -> None:
    r = clinician.get("/api/v1/cases/4040/report.pdf")
    assert r.status_code == 404
    assert "4040" in r.text and "Traceback" not in r.text


def test_the_case_page_links_the_reports_and_prints_cleanly(client: Any, clinician: Any) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    page = clinician.get(f"/clinic/cases/{case_id}").text
    assert f'href="/api/v1/cases/{case_id}/report.pdf">Report (PDF)</a>' in page
    assert f'href="/api/v1/cases/{case_id}/letter.pdf">Patient letter</a>' in page
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in page
    css = client.get("/static/print.css")
    assert css.status_code == 200
    first_rule = css.text.split("@media print {", 1)[1].split("{", 1)[0]
    hidden = {selector.strip() for selector in first_rule.split(",")}
    assert {"form", "nav", "header.top", "#record", "#patient-link"} <= hidden
    assert not hidden & {"#red-flags", "#ranking", "#findings", "#next-tests", "#course"}


@pytest.fixture
def env_of(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEMIFACIAL_DATA_DIR", str(seeded.settings.data_dir))
    monkeypatch.setenv("HEMIFACIAL_DATABASE_URL", seeded.settings.database_url)
    monkeypatch.setenv("HEMIFACIAL_MODE", "dev")  # production settings also want a secret key


def test_the_cli_writes_the_report_and_the_letter(
    env_of: None, seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, html, letter = tmp_path / "r.pdf", tmp_path / "r.html", tmp_path / "l.pdf"
    main(
        [
            "report",
            str(seeded.typical),
            "--pdf",
            str(pdf),
            "--html",
            str(html),
            "--letter",
            str(letter),
        ]
    )
    assert pdf.read_bytes().startswith(b"%PDF") and letter.read_bytes().startswith(b"%PDF")
    page = html.read_text(encoding="utf-8")
    assert "&lt;script&gt;" in page and HOSTILE not in page
    assert "data:image/png;base64," in page
    out = capsys.readouterr().out
    assert f"wrote {pdf}" in out and f"wrote {letter}" in out


def test_the_cli_says_plainly_what_is_wrong(
    env_of: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "4040", "--pdf", str(tmp_path / "x.pdf")])
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    assert "4040" in err and "Traceback" not in err
    assert not (tmp_path / "x.pdf").exists()
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "1"])
    assert exit_info.value.code != 0
    assert "--pdf" in capsys.readouterr().err
