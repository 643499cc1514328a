"""The patient's language for each request: ``?lang=xx`` (the switcher on every patient
page) chooses it and a cookie remembers it; without either, the browser's Accept-Language
is the first default. A pure ASGI middleware, so the choice reaches sync routes too."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hemifacial.services import i18n

COOKIE = "hfs_lang"
YEAR = 365 * 24 * 3600


class Language:
    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app, self.secure = app, secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
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

        async def send_with_cookie(message: Message) -> None:
            if remember and message["type"] == "http.response.start":
                flags = "; Secure" if self.secure else ""
                value = f"{COOKIE}={lang}; Path=/; Max-Age={YEAR}; SameSite=Lax{flags}"
                message.setdefault("headers", []).append((b"set-cookie", value.encode()))
            await send(message)

        token = i18n.set_current(lang)
        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            i18n._current.reset(token)
