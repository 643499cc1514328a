"""Schemathesis over the app's own OpenAPI schema, in process (ASGI): every operation, as
an anonymous caller and logged in as an administrator, with a bounded number of generated
requests each. Not one may be answered with a server error (5xx)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from schemathesis.checks import not_a_server_error

from hemifacial.services import accounts
from tests.db.fixtures import client_for
from tests.support import DOC_SECRET, otp
from tests.web.helpers import TYPICAL, intake

EXAMPLES = 10  # per operation and caller: ~600 requests per database, well under a minute
PASSWORD = "correct horse battery"
SKIP_LOGGED_IN = {("DELETE", "/api/v1/session")}  # would end the session the run relies on


def _fuzz(schema: Any, headers: dict[str, str], tally: Counter[str]) -> list[str]:
    failures: list[str] = []
    for result in schema.get_all_operations():
        op = result.ok()
        if headers and (op.method.upper(), op.path) in SKIP_LOGGED_IN:
            continue

        @hyp_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(op.as_strategy())
        def run(case: Any) -> None:
            # every outcome is recorded, none raised: a slow call on a busy machine must not
            # make Hypothesis call the run "flaky" and hide what happened
            try:
                response = case.call(headers=headers)
                case.validate_response(response, checks=[not_a_server_error])
            except Exception as exc:
                failures.append(f"{case.method} {case.formatted_path}: {exc!r}"[:300])
                return
            tally["requests"] += 1
            tally[f"{response.status_code // 100}xx"] += 1

        run()
    return failures


def test_no_generated_request_gets_a_server_error(app: Any, client: Any) -> None:
    intake(client, "Typical Tina", TYPICAL)  # so that some ids exist
    with app.state.ctx.db.unit_of_work() as s:
        accounts.create_user(s, "root", PASSWORD, "Admin", role="admin", totp_secret=DOC_SECRET)
    tally: Counter[str] = Counter()
    with client_for(app) as c:
        login = {"username": "root", "password": PASSWORD, "otp": otp()}
        r = c.post("/api/v1/session", json=login)
        logged_in = {
            "Cookie": f"hf_session={r.cookies['hf_session']}",
            "X-CSRF-Token": r.json()["csrf_token"],
        }
        # the schema is for staff only (docs/security-roles.md); the calls are made both ways
        schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=logged_in)
        failures = _fuzz(schema, {}, tally)
        failures += _fuzz(schema, logged_in, tally)
    print(f"schemathesis: {dict(tally)}")
    assert tally["requests"] > 300 and not failures, failures
