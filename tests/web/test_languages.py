"""The patient's language end to end: chosen on the first page (``?lang=``), remembered by
a cookie, said by ``<html lang>`` and ``Content-Language``, offered by the switcher on every
patient page, stored with the request, and used for the e-mails staff trigger later. The
expected words are read from the catalogues, never written here."""

from __future__ import annotations

import datetime as dt
import email.header
import html
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.services import accounts, booking_mail, intake
from hemifacial.services.i18n import LANGUAGES, html_lang
from hemifacial.settings import Settings, from_env
from hemifacial.web.app import create_app
from tests.catalogues import translated
from tests.db.fixtures import client_for
from tests.mailserver import Inbox, smtp_server
from tests.support import DOC_SECRET, otp

CODES = list(LANGUAGES)
PATIENT_PAGES = ["/", "/request", "/about-hfs", "/privacy", "/continue", "/our-clinicians"]
PASSWORD = "correct horse battery"


def _text(page: str, msgid: str, lang: str, **values: str) -> bool:
    words = translated(lang, msgid) % values if values else translated(lang, msgid)
    return html.escape(words, quote=False) in page or words in page


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def _start(client: Any, lang: str, name: str = "Min-jun") -> str:
    """A request started from the first page in ``lang``; returns the private token."""
    client.get(f"/?lang={lang}")
    page = client.get("/request").text
    key = re.search(r'name="submit_key" value="([^"]+)"', page)
    assert key
    r = client.post(
        "/request",
        data={
            "csrf_token": _csrf(page),
            "submit_key": key.group(1),
            "name": name,
            "email": "minjun@example.org",
            "consent": "yes",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).split("/")[2]


def _case_language(app: Any, token: str) -> str | None:
    with app.state.ctx.db.unit_of_work() as s:
        return intake.case_for_token(s, token).language


@pytest.mark.parametrize("lang", CODES)
def test_the_first_page_chooses_the_language_and_the_cookie_remembers_it(
    client: Any, lang: str
) -> None:
    first = client.get(f"/?lang={lang}")
    assert first.status_code == 200
    assert f"hfs_lang={lang}" in first.headers.get("set-cookie", "")
    for path in PATIENT_PAGES:  # no ?lang= any more: the cookie speaks
        r = client.get(path)
        tag = html_lang(lang)
        assert f'<html lang="{tag}" dir="ltr">' in r.text, path
        assert r.headers["content-language"] == tag, path
        assert _text(r.text, "What is hemifacial spasm?", lang), path  # the footer's link
    landing = client.get("/").text
    assert _text(landing, "Request a consultation", lang)
    assert _text(landing, "Choose your language", lang)


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_every_patient_page_has_the_switcher_with_every_language(client: Any, path: str) -> None:
    page = client.get(path).text
    nav = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', page, re.S)
    assert nav, "no language switcher"
    assert re.search(r'<nav class="languages" aria-label="[^"]+"', page), "the switcher has no name"
    for code, (tag, name) in LANGUAGES.items():
        link = re.search(rf'<a href="([^"]*lang={code})" lang="{tag}" hreflang="{tag}"', nav[1])
        assert link and name in nav[1], f"{code} missing from the switcher of {path}"
        assert client.get(html.unescape(link[1])).headers["content-language"] == tag


def test_the_switcher_keeps_the_page_and_its_query(client: Any) -> None:
    page = client.get("/continue?sent=1").text
    assert 'href="/continue?sent=1&amp;lang=ko"' in page


def test_patient_responses_vary_by_language_beside_what_the_app_varies_by() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from hemifacial.web.language import Language

    def page(request: Any) -> PlainTextResponse:
        return PlainTextResponse("hi", headers={"Vary": "Accept-Encoding, cookie"})

    with TestClient(Language(Starlette(routes=[Route("/", page)]))) as tc:
        r = tc.get("/", headers={"Accept-Language": "ko"})
    varied = [v.strip().lower() for h in r.headers.get_list("vary") for v in h.split(",")]
    assert sorted(varied) == ["accept-encoding", "accept-language", "cookie"]
    assert r.headers["content-language"] == "ko"


def test_the_clinicians_side_stays_english_whatever_the_cookie(client: Any) -> None:
    client.get("/?lang=ko")
    r = client.get("/login")
    assert r.status_code == 200 and '<html lang="en" dir="ltr">' in r.text
    assert "content-language" not in r.headers
    assert client.get("/request").headers["content-language"] == "ko"  # still remembered


def test_an_unknown_language_falls_back_to_the_browser_then_english(client: Any) -> None:
    r = client.get("/?lang=xx", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert r.headers["content-language"] == "ko" and "hfs_lang=" not in r.headers.get(
        "set-cookie", ""
    )
    zh = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert zh.headers["content-language"] == "zh-Hans"
    assert client.get("/", headers={"Accept-Language": "zh-TW"}).headers["content-language"] == "en"


def test_the_request_stores_the_language_and_the_private_link_changes_it(
    app: Any, client: Any
) -> None:
    token = _start(client, "ko")
    assert _case_language(app, token) == "ko"
    page = client.get(f"/p/{token}/history/1")
    assert page.headers["content-language"] == "ko"
    switcher = re.search(r'<form method="post" action="(/p/[^"]+/language)"', page.text)
    assert switcher, "the private link's pages switch with a form (the case remembers it)"
    r = client.post(
        switcher[1],
        data={"csrf_token": _csrf(page.text), "lang": "es", "back": f"/p/{token}/history/1"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/p/{token}/history/1?lang=es"
    assert _case_language(app, token) == "es"
    again = client.get(r.headers["location"])
    assert again.headers["content-language"] == "es"
    assert client.get(f"/p/{token}/review").headers["content-language"] == "es"  # the cookie
    with app.state.ctx.db.unit_of_work() as s:
        actions = s.scalars(select(t.AuditEvent.action)).all()
    assert "language.set" in actions


def test_the_switcher_cannot_send_the_patient_elsewhere_or_store_nonsense(
    app: Any, client: Any
) -> None:
    token = _start(client, "en")
    page = client.get(f"/p/{token}/history/1").text
    r = client.post(
        f"/p/{token}/language",
        data={"csrf_token": _csrf(page), "lang": "tlh", "back": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/p/{token}?lang=")
    assert _case_language(app, token) == "en"


def test_the_api_intake_stores_the_language_the_patient_reads(
    mail_site: tuple[Any, Any, Any, Inbox],
) -> None:
    app, _, staff, inbox = mail_site
    contact = {"name": "Lucía", "email": "lucia@example.org", "consent": True}
    refused = staff.post("/api/v1/intake", json={"contact": {**contact, "language": "tlh"}})
    assert refused.status_code == 422 and "contact.language" in str(refused.json()["error"])
    r = staff.post("/api/v1/intake", json={"contact": {**contact, "language": "es"}})
    assert r.status_code == 201, r.text
    token = r.json()["link"].rsplit("/", 1)[1]
    assert _case_language(app, token) == "es"
    mails = inbox.wait_for(to="lucia@example.org", count=2)  # the link, then the receipt
    (link_mail,) = [m for m in mails if token in inbox.body(m)]
    subject = translated("es", "Your private link to your request at %(clinic)s")
    assert _translated_subject(link_mail).startswith(subject.split("%(")[0])


def test_the_api_offers_exactly_the_languages_the_app_has() -> None:
    from hemifacial.web.schemas import ContactCreate

    offered = ContactCreate.model_json_schema()["properties"]["language"]["anyOf"][0]["enum"]
    assert offered == list(LANGUAGES)


def _translated_subject(message: Any) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


@pytest.fixture
def mail_site(settings: Settings, engine: Any) -> Iterator[tuple[Any, Any, Any, Inbox]]:
    """The app with a real (local) SMTP server, a patient's client and a clinician's."""
    with smtp_server() as inbox:
        smtp = from_env(
            {
                "HEMIFACIAL_DATA_DIR": str(settings.data_dir),
                "HEMIFACIAL_DATABASE_URL": settings.database_url,
                "HEMIFACIAL_INTAKE_RATE": "100000/minute",
                **inbox.settings_env("clinic@clinic.test"),
            },
            mode="dev",
        )
        app = create_app(smtp)
        with client_for(app) as patient, client_for(app) as staff:
            with app.state.ctx.db.unit_of_work() as s:
                accounts.create_user(s, "doc", PASSWORD, "Dr Doc", totp_secret=DOC_SECRET)
            login = {"username": "doc", "password": PASSWORD, "otp": otp()}
            r = staff.post("/api/v1/session", json=login)
            assert r.status_code == 200, r.text
            staff.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            yield app, patient, staff, inbox


def test_news_staff_send_to_a_korean_speaking_patient_arrive_in_korean(
    mail_site: tuple[Any, Any, Any, Inbox],
) -> None:
    app, patient, staff, inbox = mail_site
    token = _start(patient, "ko")
    (link_mail,) = inbox.wait_for(to="minjun@example.org")  # the private link, in Korean too
    assert _translated_subject(link_mail).startswith(
        translated("ko", "Your private link to your request at %(clinic)s").split("%(")[0]
    )
    page = patient.get(f"/p/{token}/review").text
    r = patient.post(f"/p/{token}/submit", data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with app.state.ctx.db.unit_of_work() as s:
        case_id = intake.case_for_token(s, token).id
    r = staff.patch(f"/api/v1/cases/{case_id}", json={"status": "awaiting_tests"})
    assert r.status_code == 200, r.text
    ref = f"HFS-{case_id:05d}"
    news = inbox.wait_for(to="minjun@example.org", count=3)
    assert len(news) == 3, [m["Subject"] for m in inbox.messages]  # link, receipt, news
    subject, body = _translated_subject(news[-1]), inbox.body(news[-1])
    assert subject == translated("ko", "News about your request (%(ref)s)") % {"ref": ref}
    step = translated(
        "ko",
        "a doctor read your answers. The next step is a test, such as a scan. "
        "We will contact you about it",
    )
    assert translated("ko", "There is news about your request %(ref)s: %(step)s.") % {
        "ref": ref,
        "step": step,
    } in " ".join(body.split())


def _appointment(lang: str | None) -> booking_mail.Appointment:
    return booking_mail.Appointment(
        uid="u1@hemifacial",
        sequence=0,
        starts_at=dt.datetime(2026, 12, 8, 9, 30, tzinfo=dt.UTC),
        minutes=30,
        clinician="Dr Kim",
        location="Room 2",
        patient_name="Min-jun",
        patient_email="minjun@example.org",
        clinic_name="Riverside",
        clinic_email="clinic@clinic.test",
        language=lang,
    )


@pytest.mark.parametrize("lang", CODES)
def test_booking_e_mails_and_the_invitation_are_in_the_patients_language(lang: str) -> None:
    """Staff cancel, the scheduler reminds: outside any patient request, in the stored
    language (whatever the current one is: a clinician's request is English)."""
    a, tz = _appointment(lang), ZoneInfo("UTC")
    stamp = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    cancelled = booking_mail.cancellation(a, tz, stamp, by_clinic=True)
    assert cancelled.subject == translated(lang, "Your consultation was cancelled")
    reminder = booking_mail.reminder(a, tz)
    assert reminder.subject == translated(lang, "Reminder: your consultation tomorrow")
    assert translated(lang, "Hello %(name)s,") % {"name": "Min-jun"} in reminder.body
    ics = booking_mail.invitation(a, "REQUEST", stamp).decode()
    summary = translated(lang, "Consultation with %(clinician)s") % {"clinician": "Dr Kim"}
    assert "SUMMARY:" + summary in "".join(ics.replace("\r\n ", "").split("\r\n"))


def test_a_patient_without_a_stored_language_gets_english_from_staff() -> None:
    reminder = booking_mail.reminder(_appointment(None), ZoneInfo("UTC"))
    assert reminder.subject == "Reminder: your consultation tomorrow"


def test_the_case_page_tells_staff_the_patients_language(
    app: Any, client: Any, clinician: Any
) -> None:
    token = _start(client, "ko")
    with app.state.ctx.db.unit_of_work() as s:
        case_id = intake.case_for_token(s, token).id
    page = clinician.get(f"/clinic/cases/{case_id}")
    assert page.status_code == 200 and '<html lang="en"' in page.text
    assert 'language: <span lang="ko">한국어</span>' in page.text
