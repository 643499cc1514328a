"""E-mail for real: the SMTP client against a local aiosmtpd server (plain and STARTTLS),
and the outbox: a change is committed even when the send fails, the message is retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hemifacial import mailer
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.errors import MailError
from hemifacial.jobs.mail import Mailer
from hemifacial.services import mail
from hemifacial.settings import ClinicInfo, SmtpSettings
from tests.db.fixtures import *  # noqa: F403
from tests.mailserver import smtp_server
from tests.web.server import free_port

CLINIC = ClinicInfo(name="Test Clinic", phone="+1 555 0100", address="1 Main St")


def test_plain_smtp_delivers_a_message() -> None:
    with smtp_server() as inbox:
        config = SmtpSettings(host=inbox.host, port=inbox.port, security="none", sender="c@x.test")
        mailer.send(config, "pat@example.org", "Hello", "Body line\n")
        (msg,) = inbox.wait_for(to="pat@example.org")
    assert msg["Subject"] == "Hello" and msg["From"] == "c@x.test"
    assert inbox.body(msg).strip() == "Body line"


def test_starttls_is_used_and_the_certificate_checked(tmp_path: Path) -> None:
    with smtp_server(tls_dir=tmp_path) as inbox:
        trusted = SmtpSettings(
            host=inbox.host,
            port=inbox.port,
            security="starttls",
            ca_file=str(tmp_path / "smtp.crt"),
        )
        mailer.send(trusted, "pat@example.org", "Over TLS", "x")
        assert inbox.wait_for(subject="Over TLS")
        untrusted = SmtpSettings(host=inbox.host, port=inbox.port, security="starttls")
        with pytest.raises(MailError, match=r"SSL|certificate"):
            mailer.send(untrusted, "pat@example.org", "Not trusted", "x")
        plain = SmtpSettings(host=inbox.host, port=inbox.port, security="none")
        with pytest.raises(MailError):  # the server requires STARTTLS
            mailer.send(plain, "pat@example.org", "No TLS", "x")
    assert not [m for m in inbox.messages if m["Subject"] != "Over TLS"]


def test_an_unreachable_server_is_one_clear_error() -> None:
    config = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=2)
    with pytest.raises(MailError, match="sending to the SMTP server failed"):
        mailer.send(config, "a@b.test", "s", "b")
    with pytest.raises(MailError, match="not configured"):
        mailer.send(SmtpSettings(), "a@b.test", "s", "b")


def test_templates_render_the_clinic_and_no_placeholder_is_left() -> None:
    subject, body = mail.render(
        "receipt", clinic=CLINIC, name="Ann", ref="HFS-00007", resume="http://x/continue"
    )
    assert subject == "We received your request (HFS-00007)"
    assert "Test Clinic" in body and "+1 555 0100" in body and "1 Main St" in body
    assert "5 working days" in body and "{{" not in body


def test_a_failed_send_keeps_the_change_and_is_retried(factory: Any) -> None:
    submitted: list[int] = []
    outbox = mail.Outbox(CLINIC, submitted.append)
    with transaction(factory) as s:
        case = t.Case(status="new", patient_name="Ann", email="ann@example.org", draft={})
        s.add(case)
        s.flush()
        mail.queue(
            s,
            outbox,
            case.email,
            "status",
            case_id=case.id,
            name="Ann",
            ref="HFS-1",
            step="we received your request",
            resume="http://x/continue",
        )
        assert submitted == []  # handed to the mailer only after the commit
    assert len(submitted) == 1
    port = free_port()
    down = SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=2)
    assert mail.deliver(factory, down, submitted[0], mailer.send) == "queued"
    with transaction(factory) as s:
        row = s.get(t.OutboxMail, submitted[0])
        assert row is not None and row.attempts == 1 and "failed" in (row.last_error or "")
        assert s.get(t.Case, row.case_id) is not None  # the change itself is kept
    assert mail.pending(factory) == submitted
    with smtp_server() as inbox:
        up = SmtpSettings(host=inbox.host, port=inbox.port, security="none")
        runner = Mailer(factory, up, retry_seconds=0.2)
        runner.start()  # picks up what is still queued
        try:
            (msg,) = inbox.wait_for(to="ann@example.org")
        finally:
            runner.stop()
    assert "News about your request" in msg["Subject"]
    assert mail.pending(factory) == []


def test_a_message_fails_for_good_after_the_last_attempt(factory: Any) -> None:
    outbox = mail.Outbox(CLINIC)
    with transaction(factory) as s:
        mail_id = mail.queue(
            s,
            outbox,
            "x@example.org",
            "alert",
            ref="HFS-2",
            case_id=None,
            count=1,
            flags="other_neurological",
            case_url="http://x/c/2",
        )
    assert mail_id is not None
    down = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=2)
    states = [mail.deliver(factory, down, mail_id, mailer.send) for _ in range(mail.MAX_ATTEMPTS)]
    assert states[-1] == "failed" and set(states[:-1]) == {"queued"}
    assert mail.deliver(factory, down, mail_id, mailer.send) == "failed"  # not sent again


def test_booking_e_mails_go_through_the_outbox_with_their_invitation(factory: Any) -> None:
    from hemifacial.services.booking_mail import Email

    submitted: list[int] = []
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    mail.OutboxMailer(factory, submitted.append).send(
        Email("pat@example.org", "Your consultation is booked", "Hello\n", ics, "REQUEST")
    )
    mail.OutboxMailer(factory, submitted.append).send(Email("", "no address", "x"))
    assert len(submitted) == 1
    with smtp_server() as inbox:
        up = SmtpSettings(host=inbox.host, port=inbox.port, security="none")
        assert mail.deliver(factory, up, submitted[0], mailer.send) == "sent"
        (msg,) = inbox.wait_for(subject="booked")
    parts = {p.get_content_type(): p for p in msg.walk()}
    assert "text/calendar" in parts and parts["text/calendar"].get_param("method") == "REQUEST"
    assert "METHOD:REQUEST" in parts["text/calendar"].get_payload(decode=True).decode()
