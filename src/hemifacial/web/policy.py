"""The one declared access policy of the web app: for every route, who may call it.

Enforced for every route by :func:`authorize`, an app-wide dependency that looks up the
matched route's (method, path template) here; routes carry no checks of their own. A route
missing from :data:`POLICY` makes the app refuse to start (:func:`check_complete`), and
``tests/web/test_policy.py`` tries every route with every kind of caller against this table.
The roles and the reasons are in ``docs/security-roles.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount, Route

from hemifacial.errors import (
    LoginRequiredError,
    PermissionDeniedError,
    PolicyError,
    SecondFactorError,
)
from hemifacial.services import intake

from .auth import cached_user, ctx_of, current_user

ALL_STAFF = frozenset({"admin", "clinician", "front_desk", "auditor"})


@dataclass(frozen=True)
class Rule:
    """Who may call a route: anyone, the holder of a valid patient link for the ``{token}``
    in the path, or logged-in staff of the given roles (``enrolling``: also a session whose
    second factor is still to be set up)."""

    anonymous: bool = False
    patient: bool = False
    roles: frozenset[str] = frozenset()
    enrolling: bool = False

    def allows_role(self, role: str) -> bool:
        return role in self.roles


def staff(*roles: str) -> Rule:
    return Rule(roles=frozenset(roles))


ANYONE = Rule(anonymous=True)
PATIENT = Rule(patient=True)
READ = Rule(roles=ALL_STAFF)  # every staff role, the auditor included (read only)
WRITE_DESK = staff("admin", "clinician", "front_desk")  # contact, booking, links, videos
CLINICAL = staff("admin", "clinician")  # findings, results, status: clinical writes
CLINICAL_READ = staff("admin", "clinician", "auditor")  # ranking, reports, analyses
ADMIN = staff("admin")
ADMIN_READ = staff("admin", "auditor")
OWN_ACCOUNT = Rule(roles=ALL_STAFF)  # one's own password, recovery codes (auditor too)
SESSION = Rule(roles=ALL_STAFF, enrolling=True)  # logout, setting up the second factor

POLICY: dict[tuple[str, str], Rule] = {
    # public: the patient's start, the login, the evidence base, health, static files
    ("GET", "/"): ANYONE,
    ("GET", "/request"): ANYONE,
    ("POST", "/request"): ANYONE,
    ("GET", "/login"): ANYONE,
    ("POST", "/login"): ANYONE,
    ("POST", "/api/v1/session"): ANYONE,
    ("GET", "/api/v1/intake/form"): ANYONE,
    ("POST", "/api/v1/intake"): ANYONE,
    ("GET", "/api/v1/kb"): ANYONE,
    ("GET", "/healthz"): ANYONE,
    ("GET", "/static"): ANYONE,
    ("GET", "/static/swagger"): ANYONE,  # Swagger UI's own files (no data; the docs page is staff)
    # public patient pages (no patient data; "continue" answers the same for any address)
    ("GET", "/about-hfs"): ANYONE,
    ("GET", "/privacy"): ANYONE,
    ("GET", "/continue"): ANYONE,
    ("POST", "/continue"): ANYONE,
    # the patient's private link: only that link's case
    ("GET", "/p/{token}"): PATIENT,
    ("GET", "/p/{token}/history/{step}"): PATIENT,
    ("POST", "/p/{token}/history/{step}"): PATIENT,
    ("GET", "/p/{token}/review"): PATIENT,
    ("POST", "/p/{token}/submit"): PATIENT,
    ("POST", "/p/{token}/answers"): PATIENT,
    ("GET", "/p/{token}/video"): PATIENT,
    ("POST", "/p/{token}/video"): PATIENT,
    ("POST", "/p/{token}/video-consent"): PATIENT,
    ("POST", "/p/{token}/ask"): PATIENT,  # a message, withdrawal, deletion request
    ("POST", "/p/{token}/language"): PATIENT,  # the language switcher (stored with the case)
    ("GET", "/api/v1/patient/{token}"): PATIENT,
    ("PUT", "/api/v1/patient/{token}/draft"): PATIENT,
    ("POST", "/api/v1/patient/{token}/answers"): PATIENT,
    ("POST", "/api/v1/patient/{token}/videos"): PATIENT,
    # a session, also one still setting up its second factor
    ("POST", "/logout"): SESSION,
    ("DELETE", "/api/v1/session"): SESSION,
    ("GET", "/login/second-factor"): SESSION,
    ("POST", "/login/second-factor"): SESSION,
    # every staff role may read the case list, a case, jobs, the evidence, the API docs
    ("GET", "/clinic"): READ,
    ("GET", "/clinic/cases/{case_id}"): READ,
    ("GET", "/clinic/evidence"): READ,
    ("GET", "/api/v1/session"): READ,
    ("GET", "/api/v1/cases"): READ,
    ("GET", "/api/v1/cases/{case_id}"): READ,
    ("GET", "/api/v1/jobs/{job_id}"): READ,
    ("GET", "/docs"): READ,
    ("GET", "/openapi.json"): READ,
    # clinical reading: the ranking's details, reports and letters, video analyses
    ("GET", "/api/v1/cases/{case_id}/assessment"): CLINICAL_READ,
    ("GET", "/api/v1/cases/{case_id}/report.pdf"): CLINICAL_READ,
    ("GET", "/api/v1/cases/{case_id}/report.html"): CLINICAL_READ,
    ("GET", "/api/v1/cases/{case_id}/letter.pdf"): CLINICAL_READ,
    ("GET", "/api/v1/cases/{case_id}/letter.html"): CLINICAL_READ,
    ("GET", "/api/v1/videos/{video_id}/analysis"): CLINICAL_READ,
    ("GET", "/api/v1/videos/{video_id}/timeline.png"): CLINICAL_READ,
    # front desk and clinicians: notes, visits (booking), patient links, videos, retries
    ("POST", "/clinic/cases/{case_id}/notes"): WRITE_DESK,
    ("POST", "/clinic/cases/{case_id}/visits"): WRITE_DESK,
    ("POST", "/clinic/cases/{case_id}/link"): WRITE_DESK,
    ("POST", "/clinic/cases/{case_id}/link/revoke"): WRITE_DESK,
    ("POST", "/clinic/cases/{case_id}/merge"): WRITE_DESK,  # a duplicate request
    ("POST", "/clinic/cases/{case_id}/requests/{request_id}/handled"): WRITE_DESK,
    ("POST", "/clinic/cases/{case_id}/videos"): WRITE_DESK,
    ("POST", "/clinic/jobs/{job_id}/retry"): WRITE_DESK,
    ("POST", "/api/v1/cases/{case_id}/notes"): WRITE_DESK,
    ("POST", "/api/v1/cases/{case_id}/visits"): WRITE_DESK,
    ("POST", "/api/v1/cases/{case_id}/link"): WRITE_DESK,
    ("DELETE", "/api/v1/cases/{case_id}/link"): WRITE_DESK,
    ("POST", "/api/v1/cases/{case_id}/videos"): WRITE_DESK,
    ("POST", "/api/v1/jobs/{job_id}/retry"): WRITE_DESK,
    # the worklist: front desk and clinicians assign a case to a clinician
    ("POST", "/clinic/cases/{case_id}/assign"): WRITE_DESK,
    ("PUT", "/api/v1/cases/{case_id}/assignee"): WRITE_DESK,
    # clinical writes: findings and test results, the case's status, reading a letter
    ("POST", "/clinic/cases/{case_id}/findings"): CLINICAL,
    ("POST", "/clinic/cases/{case_id}/status"): CLINICAL,
    ("POST", "/api/v1/cases/{case_id}/findings"): CLINICAL,
    ("PATCH", "/api/v1/cases/{case_id}"): CLINICAL,
    ("POST", "/api/v1/letters/suggest"): CLINICAL,
    ("POST", "/clinic/cases/{case_id}/letter"): CLINICAL,  # shows the suggestions only
    ("POST", "/clinic/cases/{case_id}/letter/confirm"): CLINICAL,
    # video review and the clinician's record: watching, judging, results, corrections
    ("GET", "/clinic/videos/{video_id}/media"): CLINICAL_READ,
    ("GET", "/clinic/results/{result_id}/attachment"): CLINICAL_READ,
    ("POST", "/clinic/videos/{video_id}/events/{index}"): CLINICAL,
    ("POST", "/clinic/videos/{video_id}/side"): CLINICAL,
    ("POST", "/clinic/cases/{case_id}/conflicts"): CLINICAL,
    ("POST", "/clinic/cases/{case_id}/results"): CLINICAL,
    ("POST", "/clinic/cases/{case_id}/results/{result_id}/edit"): CLINICAL,
    ("POST", "/clinic/cases/{case_id}/results/{result_id}/delete"): CLINICAL,
    ("POST", "/clinic/cases/{case_id}/findings/{row_id}/edit"): CLINICAL,
    ("POST", "/clinic/cases/{case_id}/findings/{row_id}/delete"): CLINICAL,
    ("POST", "/clinic/cases/{case_id}/notes/{note_id}/edit"): WRITE_DESK,
    ("POST", "/clinic/cases/{case_id}/notes/{note_id}/delete"): WRITE_DESK,
    ("POST", "/clinic/cases/{case_id}/visits/{visit_id}/edit"): WRITE_DESK,
    ("POST", "/clinic/cases/{case_id}/visits/{visit_id}/delete"): WRITE_DESK,
    # booking: the public list of clinicians; the patient books, moves, cancels from the
    # link; the front desk keeps the slots and offers times (every staff role sees the calendar)
    ("GET", "/our-clinicians"): ANYONE,
    ("GET", "/p/{token}/booking"): PATIENT,
    ("POST", "/p/{token}/booking"): PATIENT,
    ("POST", "/p/{token}/booking/cancel"): PATIENT,
    ("GET", "/p/{token}/booking.ics"): PATIENT,
    ("GET", "/clinic/desk"): READ,
    ("POST", "/clinic/desk/slots"): WRITE_DESK,
    ("POST", "/clinic/desk/slots/{slot_id}/cancel"): WRITE_DESK,
    ("GET", "/clinic/cases/{case_id}/appointment"): READ,
    ("POST", "/clinic/cases/{case_id}/offer"): WRITE_DESK,
    # the JSON API of the clinician's record (docs/web.md, "The API"): reads of a clinical
    # part of the record apart from the case page are clinical reads, like the assessment
    ("GET", "/api/v1/cases/{case_id}/results"): CLINICAL_READ,
    ("GET", "/api/v1/results/{result_id}/attachment"): CLINICAL_READ,
    ("GET", "/api/v1/cases/{case_id}/conflicts"): CLINICAL_READ,
    ("POST", "/api/v1/cases/{case_id}/results"): CLINICAL,
    ("PATCH", "/api/v1/cases/{case_id}/results/{result_id}"): CLINICAL,
    ("DELETE", "/api/v1/cases/{case_id}/results/{result_id}"): CLINICAL,
    ("PATCH", "/api/v1/cases/{case_id}/findings/{row_id}"): CLINICAL,
    ("DELETE", "/api/v1/cases/{case_id}/findings/{row_id}"): CLINICAL,
    ("PUT", "/api/v1/videos/{video_id}/events/{index}"): CLINICAL,
    ("PUT", "/api/v1/videos/{video_id}/side"): CLINICAL,
    ("PUT", "/api/v1/cases/{case_id}/conflicts/{finding_id}"): CLINICAL,
    ("PATCH", "/api/v1/cases/{case_id}/notes/{note_id}"): WRITE_DESK,
    ("DELETE", "/api/v1/cases/{case_id}/notes/{note_id}"): WRITE_DESK,
    ("PATCH", "/api/v1/cases/{case_id}/visits/{visit_id}"): WRITE_DESK,
    ("DELETE", "/api/v1/cases/{case_id}/visits/{visit_id}"): WRITE_DESK,
    # booking through the API: every staff role sees the calendar; the desk keeps it
    ("GET", "/api/v1/slots"): READ,
    ("GET", "/api/v1/bookings"): READ,
    ("POST", "/api/v1/slots"): WRITE_DESK,
    ("DELETE", "/api/v1/slots/{slot_id}"): WRITE_DESK,
    ("GET", "/api/v1/cases/{case_id}/appointment"): READ,
    ("PUT", "/api/v1/cases/{case_id}/offer"): WRITE_DESK,
    ("GET", "/api/v1/patient/{token}/booking"): PATIENT,
    ("POST", "/api/v1/patient/{token}/booking"): PATIENT,
    ("PUT", "/api/v1/patient/{token}/booking"): PATIENT,
    ("DELETE", "/api/v1/patient/{token}/booking"): PATIENT,
    # one's own account
    ("GET", "/clinic/account"): OWN_ACCOUNT,
    ("POST", "/clinic/account/password"): OWN_ACCOUNT,
    ("POST", "/clinic/account/recovery-codes"): OWN_ACCOUNT,
    # the audit trail: administrators and the auditor read it; erasure is the admin's
    ("GET", "/clinic/audit"): ADMIN_READ,
    ("GET", "/clinic/audit.csv"): ADMIN_READ,
    ("DELETE", "/api/v1/cases/{case_id}"): ADMIN,
    ("POST", "/api/v1/cases/{case_id}/anonymise"): ADMIN,
    # accounts: administrators change them, the auditor may look
    ("GET", "/clinic/admin/users"): ADMIN_READ,
    ("POST", "/clinic/admin/users"): ADMIN,
    ("POST", "/clinic/admin/users/{user_id}/disabled"): ADMIN,
    ("POST", "/clinic/admin/users/{user_id}/role"): ADMIN,
    ("POST", "/clinic/admin/users/{user_id}/password"): ADMIN,
    ("POST", "/clinic/admin/users/{user_id}/second-factor"): ADMIN,
}


def route_keys(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route of ``app`` (a mount counts as one GET)."""
    keys: list[tuple[str, str]] = []
    for found in iter_route_contexts(app.routes):
        route = found.original_route
        if isinstance(route, Mount):
            keys.append(("GET", route.path))
        elif isinstance(route, APIRoute | Route):
            methods = (route.methods or set()) - {"HEAD"}
            keys.extend((m, route.path) for m in sorted(methods))
        else:
            raise PolicyError(f"route {route!r} is of a kind the access policy does not know")
    return keys


def check_complete(app: FastAPI) -> None:
    """Refuse to start with a route that has no declared policy."""
    missing = [f"{m} {p}" for m, p in route_keys(app) if (m, p) not in POLICY]
    if missing:
        raise PolicyError("no access policy declared for: " + ", ".join(missing))


def rule_for(request: Request) -> Rule:
    route = request.scope.get("route")
    method = "GET" if request.method == "HEAD" else request.method
    rule = POLICY.get((method, getattr(route, "path", "")))
    if rule is None:  # unreachable after check_complete; refuse rather than allow
        raise PermissionDeniedError("this address has no access policy")
    return rule


async def authorize(request: Request) -> None:
    """The app-wide dependency: let the request through only if the policy says so."""
    rule = rule_for(request)
    if rule.anonymous:
        return
    if rule.patient:
        token = str(request.path_params.get("token", ""))
        ctx = ctx_of(request)

        def check() -> None:
            with ctx.db.reader() as s:
                intake.case_for_token(s, token)  # 404 unknown, 403 expired or revoked

        await run_in_threadpool(check)
        return
    # a known session costs no query and no hop to the thread pool
    user = cached_user(request) or await run_in_threadpool(current_user, request)
    if user is None:
        raise LoginRequiredError("please log in to see the clinic's cases")
    if user.stage != "full" and not rule.enrolling:
        raise SecondFactorError("set up your second factor first")
    if not rule.allows_role(user.role):
        raise PermissionDeniedError(
            f"your role ({user.role_label}) may not do this; ask an administrator"
        )
