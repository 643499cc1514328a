"""Database errors that are the client's fault are 4xx with a message saying what to
change; only a database that cannot be reached is 503 (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from hemifacial.jobs.inprocess import InProcessRunner
from hemifacial.web.app import create_app
from tests.db.fixtures import client_for
from tests.doubles import fake_analyzer

from .helpers import MP4, TYPICAL, intake

BIG = 2**63


def _message(r: Any) -> str:
    return str(r.json()["error"]["message"])


def test_a_nul_byte_is_a_422_naming_the_field(client: Any, clinician: Any) -> None:
    r = client.post(
        "/api/v1/intake",
        json={"contact": {"name": "Tina\x00", "email": "t@example.org", "consent": True}},
    )
    assert r.status_code == 422 and "NUL" in r.json()["error"]["fields"]["name"]
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    r = clinician.post(f"/api/v1/cases/{case_id}/notes", json={"text": "seen\x00today"})
    assert r.status_code in (201, 422), r.text  # SQLite stores it; PostgreSQL cannot
    if r.status_code == 422:
        assert "NUL" in _message(r)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", f"/api/v1/cases/{BIG}", None),
        ("get", f"/api/v1/cases/{BIG}/assessment", None),
        ("post", f"/api/v1/cases/{BIG}/notes", {"text": "x"}),
        ("get", f"/api/v1/jobs/{BIG}", None),
        ("get", f"/api/v1/videos/{BIG * 4}/analysis", None),
        ("get", f"/clinic/cases/{BIG}", None),
    ],
)
def test_an_id_beyond_64_bits_is_a_4xx_not_a_server_error(
    clinician: Any, method: str, path: str, body: Any
) -> None:
    r = getattr(clinician, method)(path, **({"json": body} if body else {}))
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])


def test_an_unknown_or_another_cases_visit_is_a_422(client: Any, clinician: Any) -> None:
    mine = intake(client, "Typical Tina", TYPICAL)["case_id"]
    other = intake(client, "Other Olga", TYPICAL)["case_id"]
    theirs = clinician.post(f"/api/v1/cases/{other}/visits", json={"visited_on": "2026-01-02"})
    for visit in (theirs.json()["id"], 999_999):
        r = clinician.post(
            f"/api/v1/cases/{mine}/videos",
            files={"file": ("a.mp4", MP4, "video/mp4")},
            data={"visit_id": str(visit)},
        )
        assert r.status_code == 422 and f"visit {visit} is not a visit of case" in _message(r)
    for visit in (2**31, BIG - 1, BIG):  # beyond the column: still the client's fault
        r = clinician.post(
            f"/api/v1/cases/{mine}/videos",
            files={"file": ("a.mp4", MP4, "video/mp4")},
            data={"visit_id": str(visit)},
        )
        assert 400 <= r.status_code < 500, (visit, r.status_code)


def test_only_an_unreachable_database_is_503(settings: Any, tmp_path: Any) -> None:
    app = create_app(settings.with_(database_url="postgresql+psycopg://nobody@127.0.0.1:1/x"))
    ctx = app.state.ctx
    ctx.runner = InProcessRunner(ctx.db.factory, ctx.settings, ctx.kb, analyzer=fake_analyzer)
    c = client_for(app)  # no lifespan: the app never connected
    r = c.post(
        "/api/v1/intake",
        json={"contact": {"name": "Tina", "email": "t@example.org", "consent": True}},
    )
    assert r.status_code == 503 and "not reachable" in _message(r)
