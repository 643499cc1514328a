"""A local SMTP server for the tests (aiosmtpd), started by the tests themselves; it keeps
every message it receives. With ``tls=True`` it offers STARTTLS with a throw-away
self-signed certificate (the client is then given that certificate to trust)."""

from __future__ import annotations

import email
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.web.server import free_port


@dataclass
class Inbox:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)

    def wait_for(self, count: int = 1, timeout: float = 15.0, **match: str) -> list[Message]:
        """The messages matching ``match`` (header → substring), once there are ``count``."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                m
                for m in self.messages
                if all(v.lower() in str(m[k] or "").lower() for k, v in match.items())
            ]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def settings_env(self, mail_from: str) -> dict[str, str]:
        """The app's settings that send its mail here (plain SMTP, no TLS)."""
        return {
            "HEMIFACIAL_SMTP_HOST": self.host,
            "HEMIFACIAL_SMTP_PORT": str(self.port),
            "HEMIFACIAL_SMTP_SECURITY": "none",
            "HEMIFACIAL_MAIL_FROM": mail_from,
        }

    @staticmethod
    def body(message: Message) -> str:
        part = message.get_payload(decode=True)
        if isinstance(part, bytes):
            return part.decode(message.get_content_charset() or "utf-8")
        return str(message.get_payload())


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.inbox.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def self_signed(tmp: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 (made with the openssl command)."""
    cert_file, key_file = tmp / "smtp.crt", tmp / "smtp.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key_file),
            "-out",
            str(cert_file),
        ],
        check=True,
        capture_output=True,
    )
    return cert_file, key_file


@contextmanager
def smtp_server(tls_dir: Path | None = None) -> Iterator[Inbox]:
    inbox = Inbox("127.0.0.1", free_port())
    kwargs: dict[str, Any] = {}
    if tls_dir is not None:
        cert, key = self_signed(tls_dir)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        kwargs = {"tls_context": context, "require_starttls": True}
    controller = Controller(_Handler(inbox), hostname=inbox.host, port=inbox.port, **kwargs)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
