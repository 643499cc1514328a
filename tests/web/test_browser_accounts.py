"""In Chromium: a new clinician sets up the second factor, the admin manages accounts, the
demo login page shows its code, the API docs run from local files — and the browser reports
no Content-Security-Policy violation on any of these pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from hemifacial.services import accounts
from hemifacial.services.demo import DemoLogin
from hemifacial.settings import from_env
from hemifacial.web.app import create_app
from tests.support import DOC_SECRET, otp

from .server import running
from .test_browser import shot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    settings = from_env(
        {"HEMIFACIAL_DATA_DIR": str(tmp_path / "data"), "HEMIFACIAL_LANDMARKER": "synthetic"},
        mode="demo",
    )
    app = create_app(settings)
    app.state.ctx.db.open()
    with app.state.ctx.db.unit_of_work() as s:
        accounts.create_user(s, "boss", PASSWORD, "Dr Boss", "admin", totp_secret=DOC_SECRET)
        accounts.create_user(s, "newdoc", PASSWORD, "Dr New")
        accounts.create_user(s, "desk", PASSWORD, "Front Desk", "front_desk")
    app.state.ctx.cache["demo_login"] = DemoLogin("boss", PASSWORD, DOC_SECRET)
    with running(app) as url:
        yield url


def _watch(page: Any) -> list[str]:
    """Console messages about the CSP (Chromium reports every refused script or style)."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def _login(page: Any, url: str, username: str, code: str = "") -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    if code:
        page.get_by_label("One-time code").fill(code)
    page.get_by_role("button", name="Log in").click()


def test_second_factor_setup_accounts_page_and_docs_without_csp_violations(
    browser: Any,
    base_url: str,
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    violations = _watch(page)
    page.goto(f"{base_url}/login")
    demo = page.locator(".demo-login")
    assert "boss" in demo.inner_text() and DOC_SECRET in demo.inner_text()
    shot(page, tmp_path, "login_demo")

    _login(page, base_url, "newdoc")  # a clinician without a second factor yet
    page.wait_for_url("**/login/second-factor")
    secret = page.get_by_label("Secret for the authenticator app").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    shot(page, tmp_path, "second_factor")
    page.get_by_label("The 6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    codes = page.locator("ul.codes li")
    assert codes.count() == 10
    page.get_by_role("link", name="Continue to the cases").click()
    page.wait_for_url("**/clinic")

    admin = browser.new_page(viewport={"width": 1100, "height": 800})
    violations += _watch(admin)
    _login(admin, base_url, "boss", otp())
    admin.get_by_role("link", name="Accounts").click()

    def row() -> Any:
        return admin.locator("tbody tr").filter(has=admin.get_by_text(re.compile("^desk$")))

    row().get_by_role("button", name="Disable").click()
    assert "disabled" in row().inner_text()
    shot(admin, tmp_path, "accounts", full=True)
    admin.goto(f"{base_url}/docs")
    admin.locator(".swagger-ui .opblock").first.wait_for()  # Swagger UI ran, from /static
    assert admin.locator(".opblock").count() > 20

    desk = browser.new_page()
    _login(desk, base_url, "desk")
    assert "disabled" in desk.locator("[role=alert]").inner_text()
    assert not violations, violations
