"""The patient's language for each request: ``?lang=xx`` (the switcher on every patient
page) chooses it and a cookie remembers it; without either, the browser's Accept-Language
is the first default. A pure ASGI middleware, so the choice reaches sync routes too.

The clinicians' side (``/clinic``, log-in, the API but the patient's, the API docs) stays
English whatever the cookie says: it is not translated, and a half-translated page would be
worse. Patient responses say their language (``Content-Language``); the page's ``<html
lang>`` comes from the same choice (``i18n.html_lang``)."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hemifacial.services import i18n

COOKIE = "hfs_lang"
YEAR = 365 * 24 * 3600
STAFF = ("/clinic", "/login", "/logout", "/docs", "/redoc", "/openapi.json", "/api/", "/static/")
PATIENT_API = "/api/v1/patient/"


def is_staff_path(path: str) -> bool:
    """Whether ``path`` belongs to the clinicians' side (always English)."""
    return path.startswith(STAFF) and not path.startswith(PATIENT_API)


class Language:
    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app, self.secure = app, secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if is_staff_path(scope.get("path", "")):
            token = i18n.set_current(i18n.DEFAULT)
            try:
                await self.app(scope, receive, send)
            finally:
                i18n._current.reset(token)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header: no remembered language
            jar = SimpleCookie()
        kept = jar[COOKIE].value if COOKIE in jar else None
        lang = i18n.choose(asked, kept, headers.get("accept-language"))
        remember = asked in i18n.LANGUAGES and asked != kept

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = message.setdefault("headers", [])
                extra.append((b"content-language", i18n.html_lang(lang).encode()))
                if remember:
                    flags = "; Secure" if self.secure else ""
                    value = f"{COOKIE}={lang}; Path=/; Max-Age={YEAR}; SameSite=Lax{flags}"
                    extra.append((b"set-cookie", value.encode()))
                # the same address answers in the language asked for: caches must know
                varied = {
                    part.strip().lower()
                    for k, v in extra
                    if k.lower() == b"vary"
                    for part in v.decode("latin-1").split(",")
                }
                missing = [h for h in ("Accept-Language", "Cookie") if h.lower() not in varied]
                if missing and "*" not in varied:
                    extra.append((b"vary", ", ".join(missing).encode()))
            await send(message)

        token = i18n.set_current(lang)
        try:
            await self.app(scope, receive, send_with_language)
        finally:
            i18n._current.reset(token)
