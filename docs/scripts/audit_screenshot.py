"""Take docs/screenshots/audit-trail.png: the administrator's audit view, filtered to one
case, on a throwaway SQLite database with two invented requests.

Run: python docs/scripts/audit_screenshot.py (needs /usr/bin/chromium)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import pyotp
from playwright.sync_api import sync_playwright

from hemifacial.services import accounts
from hemifacial.settings import from_env
from hemifacial.web.app import create_app
from tests.web.server import running

OUT = Path(__file__).resolve().parents[1] / "screenshots" / "audit-trail.png"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "correct horse battery"


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="hemifacial-shot-"))
    app = create_app(from_env({"HEMIFACIAL_DATA_DIR": str(data)}, mode="dev"))
    with running(app) as base:
        with app.state.ctx.db.unit_of_work() as s:
            accounts.create_user(
                s, "admin", PASSWORD, "Ada Admin", role="admin", totp_secret=SECRET
            )
        with httpx.Client(base_url=base, headers={"User-Agent": "Firefox/128 (clinic PC)"}) as c:
            for name in ("Typical Tina", "Young Yusuf"):
                body = {"contact": {"name": name, "email": "p@example.org", "consent": True}}
                c.post("/api/v1/intake", json=body)
            login = {"username": "admin", "password": PASSWORD, "otp": pyotp.TOTP(SECRET).now()}
            r = c.post("/api/v1/session", json=login)
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            for case in (1, 2, 1):
                c.get(f"/api/v1/cases/{case}")
            c.get("/api/v1/cases/1/assessment")
            cookie = r.cookies["hf_session"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
            page = browser.new_page(viewport={"width": 1200, "height": 640})
            page.context.add_cookies([{"name": "hf_session", "value": cookie, "url": base}])
            page.goto(f"{base}/clinic/audit?case=1")
            page.screenshot(path=str(OUT), full_page=False)
            browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
