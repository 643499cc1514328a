"""Intake without logging in: a rate limit per client address (429 with Retry-After) and a
duplicate-submission guard (Idempotency-Key on the API, a one-time key in the form)."""

from __future__ import annotations

import re
import threading
from typing import Any

import httpx
from sqlalchemy import func, select

from hemifacial.db import tables as t
from tests.db.fixtures import client_for

from .helpers import csrf
from .server import running

BODY = {"contact": {"name": "Tina", "email": "t@example.org", "consent": True}, "answers": {}}


def _cases(app: Any) -> int:
    with app.state.ctx.db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(t.Case)))


def test_intake_is_rate_limited_per_address_with_retry_after(app: Any) -> None:
    ctx = app.state.ctx
    ctx.settings = ctx.settings.with_(intake_rate="3/hour")
    with client_for(app) as c:
        codes = [c.post("/api/v1/intake", json=BODY).status_code for _ in range(3)]
        refused = c.post("/api/v1/intake", json=BODY)
        page = c.post("/request", data={"csrf_token": csrf(c), "name": "T", "email": "t@e.org"})
        assert _cases(app) == 3
    assert codes == [201, 201, 201] and refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert page.status_code == 429 and "try again" in page.text


def test_the_same_idempotency_key_makes_one_case(app: Any, client: Any) -> None:
    key = {"Idempotency-Key": "5b0c8f2e-0a57-4d6b-9a59-0c2c7e3bb2c1"}
    first = client.post("/api/v1/intake", json=BODY, headers=key)
    again = client.post("/api/v1/intake", json=BODY, headers=key)
    other = client.post("/api/v1/intake", json=BODY, headers={"Idempotency-Key": "another"})
    assert first.status_code == again.status_code == 201
    assert first.json()["case_id"] == again.json()["case_id"] != other.json()["case_id"]
    token = again.json()["link"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/patient/{token}").status_code == 200  # the repeat's link works
    assert _cases(app) == 2, (first.json(), again.json(), other.json())


def test_concurrent_repeats_of_one_key_make_one_case(app: Any) -> None:
    key = {"Idempotency-Key": "k-concurrent"}
    ids: list[int] = []

    def send(base: str) -> None:
        r = httpx.post(f"{base}/api/v1/intake", json=BODY, headers=key, timeout=60)
        assert r.status_code == 201, r.text
        ids.append(r.json()["case_id"])

    with running(app) as base:
        threads = [threading.Thread(target=send, args=(base,)) for _ in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert len(ids) == 6 and len(set(ids)) == 1 and _cases(app) == 1


def test_the_request_form_sent_twice_makes_one_request(app: Any, client: Any) -> None:
    page = client.get("/request").text
    key = re.search(r'name="submit_key" value="([^"]+)"', page)
    assert key, "the form carries a one-time key"
    form = {"csrf_token": csrf(client), "name": "Tina", "email": "t@example.org", "consent": "yes"}
    form["submit_key"] = key.group(1)
    first = client.post("/request", data=form, follow_redirects=False)
    again = client.post("/request", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"].startswith("/p/")
    assert _cases(app) == 1
    fresh = re.search(r'name="submit_key" value="([^"]+)"', client.get("/request").text)
    assert fresh and fresh.group(1) != key.group(1)
