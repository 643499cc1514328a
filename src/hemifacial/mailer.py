"""The SMTP client (adapter): one message to one address over SMTP, with TLS or STARTTLS.

Nothing here knows about cases: :mod:`hemifacial.services.mail` writes messages to the
outbox and :mod:`hemifacial.jobs.mail` hands them to :func:`send` after the commit.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from hemifacial.errors import MailError
from hemifacial.settings import SmtpSettings


def build(
    config: SmtpSettings,
    to: str,
    subject: str,
    body: str,
    ics: str | None = None,
    ics_method: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    if ics:  # a calendar invitation (RFC 6047: text/calendar with the iTIP method)
        msg.add_attachment(
            ics,
            subtype="calendar",
            filename="invitation.ics",
            params={"method": ics_method or "REQUEST"},
        )
    return msg


def send(
    config: SmtpSettings,
    to: str,
    subject: str,
    body: str,
    ics: str | None = None,
    ics_method: str | None = None,
) -> None:
    """Send one plain-text message (with an optional calendar invitation); any failure is
    one :class:`MailError` (no secrets)."""
    if not config.enabled:
        raise MailError("e-mail is not configured (HEMIFACIAL_SMTP_HOST is empty)")
    msg = build(config, to, subject, body, ics, ics_method)
    context = ssl.create_default_context(cafile=config.ca_file or None)
    try:
        smtp: smtplib.SMTP
        if config.security == "tls":
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with smtp:
            if config.security == "starttls":
                smtp.starttls(context=context)
            if config.user:
                smtp.login(config.user, config.password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"sending to the SMTP server failed: {type(exc).__name__}: {exc}") from exc
