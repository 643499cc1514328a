"""Every route of the app × every kind of caller, against the one declared access policy
(``hemifacial.web.policy.POLICY``); a route without a policy fails here and at start-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI

from hemifacial.db import tables as t
from hemifacial.errors import PolicyError
from hemifacial.services import accounts, intake
from hemifacial.web import policy
from tests.db.fixtures import client_for
from tests.support import DOC_SECRET

from .helpers import MP4, TYPICAL, csrf
from .helpers import intake as send_intake

STAFF = {"front_desk": "front_desk", "clinician": "clinician", "admin": "admin"}
STAFF["auditor"] = "auditor"
PRINCIPALS = (
    "anonymous",
    "own_link",
    "other_link",
    "expired_link",
    "revoked_link",
    *STAFF,
    "enrolling",  # a clinician whose password was right, second factor not set up yet
)
# what a refusal by the policy says (a route's own 401/403/404 is not a refusal)
REFUSALS = (
    "please log in",
    "may not do this",
    "set up your second factor first",
    "this link has expired",
    "this link is not valid",
)


@dataclass(frozen=True)
class World:
    app: FastAPI
    case_id: int  # the case the staff routes are tried on
    links: dict[str, str]  # principal -> the token it sends as {token}
    users: dict[str, int]  # principal -> user id (staff)
    job_id: int
    video_id: int
    victim_id: int  # the account the admin routes change
    own_name: str


def _link(s: Any, case_id: int, *, expired: bool = False, revoked: bool = False) -> str:
    token = intake.new_link(s, case_id, 30)
    s.flush()
    row = s.query(t.PatientLink).filter_by(token_hash=accounts.token_hash(token)).one()
    if expired:
        row.expires_at = t.utcnow() - dt.timedelta(days=1)
    row.revoked = revoked
    return token


@pytest.fixture
def world(app: FastAPI, clinician: Any) -> World:
    own = send_intake(clinician, "Alice Own", TYPICAL)
    other = send_intake(clinician, "Bob Other", TYPICAL)
    case_id = send_intake(clinician, "Carol Clinic", TYPICAL)["case_id"]
    job = clinician.post(
        f"/api/v1/cases/{case_id}/videos", files={"file": ("a.mp4", MP4, "video/mp4")}
    ).json()
    app.state.ctx.runner.join()
    users: dict[str, int] = {}
    with app.state.ctx.db.unit_of_work() as s:
        expired = _link(s, own["case_id"], expired=True)
        revoked = _link(s, own["case_id"], revoked=True)
        for name, role in STAFF.items():
            secret = DOC_SECRET if role in accounts.MFA_ROLES else None
            user = accounts.create_user(s, name, "long enough", name, role, totp_secret=secret)
            users[name] = user.id
        users["enrolling"] = accounts.create_user(s, "enrolling", "long enough", "E").id
        victim = accounts.create_user(s, "victim", "long enough", "V", "front_desk").id
        video_id = s.query(t.Job).filter_by(id=job["id"]).one().video_id
    links = {
        "own_link": own["token"],
        "other_link": other["token"],
        "expired_link": expired,
        "revoked_link": revoked,
    }
    return World(app, case_id, links, users, job["id"], video_id, victim, "Alice Own")


def expected_allowed(rule: policy.Rule, principal: str) -> bool:
    if rule.anonymous:
        return True
    if rule.patient:
        return principal in ("own_link", "other_link")
    if principal == "enrolling":
        return rule.enrolling
    return principal in STAFF and STAFF[principal] in rule.roles


def _concrete(world: World, path: str, principal: str) -> str:
    if path == "/static":
        return "/static/style.css"
    if path == "/static/swagger":
        return "/static/swagger/swagger-ui.css"
    return path.format(
        case_id=world.case_id,
        token=world.links.get(principal, "not-a-patient-link"),
        step=1,
        job_id=world.job_id,
        video_id=world.video_id,
        user_id=world.victim_id,
        # rows that need not exist: a caller the policy refuses never learns whether they do
        index=0,
        result_id=1,
        note_id=1,
        visit_id=1,
        row_id=1,
        request_id=1,
        slot_id=1,
        finding_id="side",
    )


@pytest.fixture
def caller(world: World) -> Iterator[Any]:
    with client_for(world.app) as c:
        yield c


def _call(world: World, c: Any, method: str, path: str, principal: str) -> Any:
    c.cookies.clear()
    c.headers.pop("X-CSRF-Token", None)
    if principal in world.users:  # a fresh session each time (a route may end it: logout)
        stage = "enrol" if principal == "enrolling" else "full"
        with world.app.state.ctx.db.unit_of_work() as s:
            user = s.get(t.User, world.users[principal])
            token, _ = accounts.open_session(s, user, stage)
        c.cookies.set("hf_session", token)
    elif principal in world.links:  # a link is no session, also when sent as the cookie
        c.cookies.set("hf_session", world.links[principal])
    c.headers["X-CSRF-Token"] = csrf(c)  # right for the caller: the refusal is the policy's
    url = _concrete(world, path, principal)
    kwargs: dict[str, Any] = {"follow_redirects": False}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json" if url.startswith("/api/") else "data"] = {}
    return c.request(method, url, **kwargs)


def refused(r: Any) -> bool:
    """Whether the policy refused: a page sends the browser to log in (or to set up the
    second factor), the API answers 401/403, a link page 403/404, with the policy's words."""
    if r.status_code in (302, 303, 307):
        to = r.headers["location"]
        return bool(to.startswith("/login?next=") or to == "/login/second-factor")
    text = r.text.lower()
    return r.status_code in (401, 403, 404) and any(m in text for m in REFUSALS)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_route_and_every_caller_get_what_the_policy_declares(
    world: World, caller: Any
) -> None:
    keys = policy.route_keys(world.app)
    assert len(keys) == len(set(keys)) == len(policy.POLICY) > 60
    tried, wrong = 0, []
    for method, path in keys:
        rule = policy.POLICY[(method, path)]
        for principal in PRINCIPALS:
            r = _call(world, caller, method, path, principal)
            tried += 1
            allowed = expected_allowed(rule, principal)
            if r.status_code >= 500 or refused(r) == allowed:
                wrong.append(f"{method} {path} as {principal}: {r.status_code} {r.text[:120]!r}")
            if allowed and principal == "other_link":  # another case: never this one's data
                assert world.own_name not in r.text, path
    assert not wrong, "\n".join(wrong)
    assert tried == len(keys) * len(PRINCIPALS)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_route_without_a_policy_stops_the_app(app: FastAPI) -> None:
    policy.check_complete(app)  # the app as built: complete
    stale = set(policy.POLICY) - set(policy.route_keys(app))
    assert not stale, f"policy entries for routes that do not exist: {stale}"

    @app.get("/clinic/forgotten")
    def forgotten() -> str:
        return "patient data"

    with pytest.raises(PolicyError, match="GET /clinic/forgotten"):
        policy.check_complete(app)
    with client_for(app) as c:  # and if it ran anyway: refused, not served
        r = c.get("/clinic/forgotten")
        assert r.status_code == 403 and "patient data" not in r.text


def test_the_table_says_what_docs_security_roles_promise() -> None:
    table = policy.POLICY
    for (method, path), rule in table.items():
        if "{token}" in path:
            assert rule == policy.PATIENT, path  # a link opens its own case and nothing else
        if path.startswith(("/clinic", "/api/v1/cases", "/api/v1/jobs", "/api/v1/videos")):
            assert not rule.anonymous and not rule.patient and rule.roles, path
        if method != "GET" and "auditor" in rule.roles:  # read only: its own session/password
            assert rule in (policy.SESSION, policy.OWN_ACCOUNT), path
        if "/admin/" in path and method != "GET":
            assert rule.roles == {"admin"}, path
    clinical_writes = [
        ("POST", "/clinic/cases/{case_id}/findings"),
        ("POST", "/clinic/cases/{case_id}/status"),
        ("POST", "/api/v1/cases/{case_id}/findings"),
        ("PATCH", "/api/v1/cases/{case_id}"),
    ]
    for key in clinical_writes:  # findings, test results and status: clinicians only
        assert table[key].roles == {"admin", "clinician"}, key
    api_clinical = [
        k
        for k in table
        if k[1].startswith(
            (
                "/api/v1/cases/{case_id}/results",
                "/api/v1/cases/{case_id}/findings/",
                "/api/v1/cases/{case_id}/conflicts/",
                "/api/v1/videos/{video_id}/events",
                "/api/v1/videos/{video_id}/side",
            )
        )
        and k[0] != "GET"
    ]
    assert len(api_clinical) == 8  # the record's API writes: clinicians only, as on the page
    for key in api_clinical:
        assert table[key].roles == {"admin", "clinician"}, key
    for path in ("/api/v1/cases/{case_id}/results", "/api/v1/cases/{case_id}/conflicts"):
        assert "front_desk" not in table[("GET", path)].roles  # clinical reads, like assessment
    assert "front_desk" in table[("POST", "/api/v1/slots")].roles
    for key in [
        ("POST", "/api/v1/cases/{case_id}/visits"),
        ("DELETE", "/api/v1/cases/{case_id}/link"),
    ]:
        assert "front_desk" in table[key].roles  # booking and links: the front desk too
    assert "front_desk" not in table[("GET", "/api/v1/cases/{case_id}/report.pdf")].roles
    assert table[("GET", "/docs")].roles and table[("GET", "/openapi.json")].roles
