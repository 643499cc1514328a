"""Small helpers shared by the web tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support import tiny_mp4

CHROMIUM = "/usr/bin/chromium"  # Debian's: Playwright's own browser download does not work here
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@contextmanager
def chromium(*extra_args: str) -> Iterator[Any]:
    """Headless Chromium through Playwright; missing, it skips the test (fails with CI=true)."""
    if not Path(CHROMIUM).exists():
        from tests.db.fixtures import unavailable

        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*ARGS, *extra_args])
        try:
            yield b
        finally:
            b.close()


MP4 = tiny_mp4()
TYPICAL = {
    "age_at_onset": "58",
    "side": "left",
    "other_babinski": "yes",
    "spread_to_lower_face": "yes",
}
YOUNG = {
    "age_at_onset": "27",
    "side": "right",
    "other_neuro_symptoms": "yes",
    "contraction_pattern": "rippling",
}


def intake(client: Any, name: str, answers: dict[str, str]) -> dict[str, Any]:
    r = client.post(
        "/api/v1/intake",
        json={
            "contact": {
                "name": name,
                "email": "p@example.org",
                "consent": True,
                "video_consent": True,
            },
            "answers": answers,
        },
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["token"] = data["link"].rsplit("/", 1)[1]
    return data


def csrf(client: Any) -> str:
    """The CSRF token a page of this site gives this client (as a browser would read it)."""
    page = client.get("/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the login page carries no CSRF token"
    return found.group(1)
