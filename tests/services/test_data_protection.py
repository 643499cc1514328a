"""Data protection: backups that restore every table exactly (SQLite online backup,
pg_dump and the logical dump), a patient's deletion and anonymisation (records, files,
plots, links; audited without the name, the audit trail still verifiable), and files and
folders created owner-only."""

from __future__ import annotations

import shutil
import stat
import warnings
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select

from hemifacial.db import tables as t
from hemifacial.db.backup import backup, restore
from hemifacial.jobs.inprocess import InProcessRunner
from hemifacial.services.database import Database
from hemifacial.web.app import create_app
from tests.db.fixtures import client_for
from tests.doubles import fake_analyzer
from tests.support import DOC_SECRET, otp, tiny_mp4

PASSWORD = "correct horse battery"
ANSWERS = {"age_at_onset": "58", "side": "left", "other_babinski": "yes"}


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    meta = MetaData()
    with warnings.catch_warnings():  # SQLite skips the expression index on lower(email)
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        meta.reflect(engine)
    with engine.connect() as conn:
        return {
            tb.name: [
                tuple(r)
                for r in conn.execute(tb.select().order_by(*tb.primary_key.columns or tb.columns))
            ]
            for tb in meta.sorted_tables
        }


@pytest.fixture
def running_app(settings: Any, engine: Engine) -> Any:
    from hemifacial.services import accounts

    app = create_app(settings)
    ctx = app.state.ctx
    ctx.runner = InProcessRunner(ctx.db.factory, settings, ctx.kb, analyzer=fake_analyzer)
    with ctx.db.unit_of_work() as s:
        accounts.create_user(s, "root", PASSWORD, "Admin", role="admin", totp_secret=DOC_SECRET)
    with client_for(app) as c:
        r = c.post("/api/v1/session", json={"username": "root", "password": PASSWORD, "otp": otp()})
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield app, c


def _case(c: Any, name: str, clip: bytes) -> dict[str, Any]:
    r = c.post(
        "/api/v1/intake",
        json={
            "contact": {"name": name, "email": "p@example.org", "consent": True},
            "answers": ANSWERS,
        },
    )
    made: dict[str, Any] = r.json()
    c.post(f"/api/v1/cases/{made['case_id']}/notes", json={"text": f"{name} seen"})
    job = c.post(
        f"/api/v1/cases/{made['case_id']}/videos", files={"file": ("a.mp4", clip, "video/mp4")}
    )
    for _ in range(200):
        if c.get(f"/api/v1/jobs/{job.json()['id']}").json()["status"] == "done":
            break
    return made


@pytest.mark.parametrize("method", ["tools", "logical"])
def test_a_backup_restores_every_table_exactly(
    running_app: Any, engine: Engine, tmp_path: Path, method: str
) -> None:
    _app, c = running_app
    if method == "tools" and engine.dialect.name == "postgresql" and not shutil.which("pg_dump"):
        pytest.fail("pg_dump is expected on this machine")
    _case(c, "Typical Tina", tiny_mp4())
    before = _snapshot(engine)
    target = tmp_path / "backup.bin"
    backup(engine, target, use_tools=method == "tools")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    _case(c, "Later Lena", tiny_mp4(frames=4))  # written after the backup: must go
    assert _snapshot(engine) != before
    restore(engine, target)
    after = _snapshot(engine)
    assert after == before and sum(len(v) for v in after.values()) > 10
    restored = Database(str(engine.url.render_as_string(hide_password=False)))
    try:
        assert restored.verify_audit().ok
    finally:
        restored.close()


def test_a_sqlite_backup_includes_what_is_still_in_the_wal(
    running_app: Any, engine: Engine, tmp_path: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("about SQLite's write-ahead log")
    _app, c = running_app
    _case(c, "Typical Tina", tiny_mp4())
    db_file = Path(engine.url.database or "")
    assert Path(f"{db_file}-wal").stat().st_size > 0  # not yet checkpointed
    target = tmp_path / "b.sqlite3"
    backup(engine, target)
    copy = Database(f"sqlite:///{target}")
    with copy.reader() as s:
        names = list(s.scalars(select(t.Case.patient_name)))
    copy.close()
    assert names == ["Typical Tina"]


def test_deleting_a_patient_removes_records_files_plots_and_links(
    running_app: Any, settings: Any
) -> None:
    app, c = running_app
    gone = _case(c, "Typical Tina", tiny_mp4())
    kept = _case(c, "Other Olga", tiny_mp4(frames=4))
    files_before = {
        p for p in settings.data_dir.rglob("*") if p.is_file() and p.suffix != ".sqlite3"
    }
    r = c.delete(f"/api/v1/cases/{gone['case_id']}")
    assert r.status_code == 200 and r.json()["videos"] == 1
    db = app.state.ctx.db
    with db.reader() as s:
        for table in (t.Case, t.Finding, t.Assessment, t.Note, t.Visit, t.Video, t.PatientLink):
            col = table.id if table is t.Case else table.case_id
            assert not list(s.scalars(select(col).where(col == gone["case_id"]))), table
        assert list(s.scalars(select(t.Case.id))) == [kept["case_id"]]
        rows = list(s.scalars(select(t.AuditEvent).order_by(t.AuditEvent.seq)))
    files_after = {
        p for p in settings.data_dir.rglob("*") if p.is_file() and p.suffix != ".sqlite3"
    }
    removed = files_before - files_after
    assert {p.parent.name for p in removed} >= {"plots"} and len(removed) == 2  # clip and plot
    token = gone["link"].rsplit("/", 1)[1]
    assert c.get(f"/api/v1/patient/{token}").status_code == 404
    last = rows[-1]
    assert (last.action, last.case_id, last.actor) == ("case.delete", gone["case_id"], "root")
    assert "Tina" not in str([(r.actor, r.detail) for r in rows])
    assert db.verify_audit().ok  # the trail keeps its history and still verifies


def test_anonymising_keeps_findings_and_removes_identity(running_app: Any) -> None:
    app, c = running_app
    made = _case(c, "Typical Tina", tiny_mp4())
    assert c.post(f"/api/v1/cases/{made['case_id']}/anonymise").status_code == 200
    with app.state.ctx.db.reader() as s:
        case = s.get(t.Case, made["case_id"])
        assert case is not None and case.patient_name == "(anonymised)" and not case.email
        assert list(s.scalars(select(t.Finding.finding_id).where(t.Finding.case_id == case.id)))
        assert not list(s.scalars(select(t.Video.id).where(t.Video.case_id == case.id)))
        assert not list(s.scalars(select(t.Note.id).where(t.Note.case_id == case.id)))
    assert app.state.ctx.db.verify_audit().ok


def test_a_clinician_may_not_delete_a_patient(running_app: Any) -> None:
    from hemifacial.services import accounts

    app, c = running_app
    made = _case(c, "Typical Tina", tiny_mp4())
    with app.state.ctx.db.unit_of_work() as s:
        accounts.create_user(s, "doc", PASSWORD, "Dr Doc", totp_secret=DOC_SECRET)
    with client_for(app) as doc:
        r = doc.post(
            "/api/v1/session", json={"username": "doc", "password": PASSWORD, "otp": otp()}
        )
        doc.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        assert doc.delete(f"/api/v1/cases/{made['case_id']}").status_code == 403
        assert doc.post(f"/api/v1/cases/{made['case_id']}/anonymise").status_code == 403


def test_files_and_folders_are_created_owner_only(running_app: Any, settings: Any) -> None:
    _app, c = running_app
    _case(c, "Typical Tina", tiny_mp4())
    paths = [settings.data_dir, *settings.data_dir.rglob("*")]
    modes = {str(p.relative_to(settings.data_dir)): stat.S_IMODE(p.stat().st_mode) for p in paths}
    assert any(k.startswith("plots/") for k in modes) and any(
        k.startswith("uploads/") for k in modes
    )
    loose = {k: oct(m) for k, m in modes.items() if m & 0o077}
    assert not loose
    if settings.database_url.startswith("sqlite"):
        db_file = Path(settings.database_url.split("///", 1)[1])
        assert stat.S_IMODE(db_file.stat().st_mode) == 0o600
