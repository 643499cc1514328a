"""E-mail as part of a use case: the message is written to the outbox in the same unit of
work as the change it tells about, and handed to the mailer only after the commit. A send
that fails leaves the change committed and the message queued; the mailer retries it and
logs the error (``jobs/mail.py``).

The words of every message are templates (``mail_templates/*.txt``: a subject line, a blank
line, the body), so that they can be translated like the pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.errors import MailError
from hemifacial.settings import ClinicInfo, SmtpSettings

from . import i18n
from .database import on_commit

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "mail_templates"),
    autoescape=False,  # plain text mail; nothing is interpreted as markup
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    extensions=["jinja2.ext.i18n"],
)
_ENV.policies["ext.i18n.trimmed"] = True
_ENV.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
Send = Callable[..., None]  # (smtp, to, subject, body, ics=None, ics_method=None)


@dataclass(frozen=True)
class Outbox:
    """What a use case needs to send mail: the clinic's identity and the mailer's door."""

    clinic: ClinicInfo
    submit: Callable[[int], None] = lambda _id: None


def reference(case_id: int) -> str:
    """The reference number a patient quotes (the case id, padded)."""
    return f"HFS-{case_id:05d}"


def render(template: str, **context: Any) -> tuple[str, str]:
    """(subject, body) of ``template``."""
    text = _ENV.get_template(f"{template}.txt").render(**context)
    subject, _, body = text.partition("\n\n")
    return subject.removeprefix("Subject:").strip(), body.strip() + "\n"


def queue(
    s: Session,
    outbox: Outbox,
    to: str,
    template: str,
    *,
    case_id: int | None = None,
    language: str | None = None,
    **context: Any,
) -> int | None:
    """Write one message to the outbox; the mailer gets it once ``s`` has committed.
    ``language``: the patient's (``cases.language``); else the current request's."""
    to = to.strip()
    if not to:
        return None
    with i18n.speaking(language):
        subject, body = render(template, clinic=outbox.clinic, case_id=case_id, **context)
    row = t.OutboxMail(
        case_id=case_id, kind=template, to_addr=to, subject=subject, body=body, attempts=0
    )
    s.add(row)
    s.flush()
    mail_id = row.id
    on_commit(s, lambda: outbox.submit(mail_id))
    return mail_id


def deliver(factory: sessionmaker[Session], smtp: SmtpSettings, mail_id: int, send: Send) -> str:
    """Send one queued message; returns its new status (sent, queued to retry, failed)."""
    with transaction(factory) as s:
        row = s.get(t.OutboxMail, mail_id)
        if row is None or row.status != "queued":
            return row.status if row else "gone"
        to, subject, body, ics, method = (
            row.to_addr,
            row.subject,
            row.body,
            row.ics,
            row.ics_method,
        )
    try:
        send(smtp, to, subject, body, ics=ics, ics_method=method)
        error = None
    except MailError as exc:
        error = str(exc)
    with transaction(factory) as s:
        row = s.get(t.OutboxMail, mail_id)
        if row is None:
            return "gone"
        row.attempts += 1
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", t.utcnow(), None
        else:
            row.last_error = error[:2000]
            row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "queued"
            log.warning("mail %s (%s) attempt %s: %s", mail_id, row.kind, row.attempts, error)
        return row.status


class OutboxMailer:
    """The booking e-mails' sender (``booking_mail.Mailer``) on the outbox: called after
    the booking's commit, it writes the message (and its ``.ics``) in its own transaction
    and hands it to the mailer, which sends and retries it like every other message."""

    def __init__(
        self, factory: sessionmaker[Session], submit: Callable[[int], None] = lambda _id: None
    ) -> None:
        self._factory, self._submit = factory, submit

    def send(self, email: Any) -> None:
        if not email.to:
            return
        ics = email.ics.decode() if email.ics is not None else None
        with transaction(self._factory) as s:
            row = t.OutboxMail(
                kind="booking",
                to_addr=email.to,
                subject=email.subject,
                body=email.body,
                ics=ics,
                ics_method=email.method,
                attempts=0,
            )
            s.add(row)
            s.flush()
            mail_id = row.id
        self._submit(mail_id)


def pending(factory: sessionmaker[Session]) -> list[int]:
    """Messages still waiting (after a restart or a failed attempt)."""
    with transaction(factory) as s:
        return list(
            s.scalars(
                select(t.OutboxMail.id)
                .where(t.OutboxMail.status == "queued")
                .order_by(t.OutboxMail.id)
            )
        )
