"""What the booking e-mails say: pure functions from an appointment to an e-mail with its
calendar invitation (``.ics``, RFC 5545/5546 via ``icalendar``), and the thin port that
sends them.

The invitation's ``UID`` is the booking's for life; a reschedule sends the same UID with a
higher ``SEQUENCE`` (calendars move the event), a cancellation ``METHOD:CANCEL`` with
``STATUS:CANCELLED``. Times are written in UTC (``DTSTART:…Z``), which every calendar
converts to its owner's zone; the text of the e-mail gives the clinic's local time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from zoneinfo import ZoneInfo

import icalendar

log = logging.getLogger(__name__)
PRODID = "-//hemifacial//clinic booking//EN"


@dataclass(frozen=True)
class Appointment:
    """Everything an e-mail about one booking needs (no clinical content)."""

    uid: str
    sequence: int
    starts_at: dt.datetime  # aware
    minutes: int
    clinician: str
    location: str
    patient_name: str
    patient_email: str
    clinic_name: str
    clinic_email: str
    link: str = ""  # the patient's private link, when the sender knows it

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    ics: bytes | None = None
    method: str | None = None  # the invitation's METHOD (REQUEST or CANCEL)


class Mailer(Protocol):
    """Sends one composed e-mail (the SMTP layer implements it)."""

    def send(self, email: Email) -> None: ...


Notify = Callable[[Email], None]


class MemoryMailer:
    """Keeps what would have been sent (tests; until an SMTP layer is configured)."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> None:
        log.info("e-mail to %s: %s", email.to, email.subject)
        self.sent.append(email)


def make_mailer(settings: object) -> Mailer:
    """The app's sender. Until the SMTP layer is configured, a :class:`MemoryMailer`
    (each e-mail is logged and kept in memory)."""
    return MemoryMailer()


def when(moment: dt.datetime, tz: ZoneInfo) -> str:
    """``Tuesday 8 December 2026 at 09:30`` in the clinic's zone."""
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def invitation(a: Appointment, method: str, stamp: dt.datetime) -> bytes:
    """The ``.ics`` of ``a``: ``method`` REQUEST (new or moved) or CANCEL."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", a.uid)
    event.add("sequence", a.sequence)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", a.starts_at.astimezone(dt.UTC))
    event.add("dtend", a.ends_at.astimezone(dt.UTC))
    event.add("summary", f"Consultation with {a.clinician}")
    event.add("location", a.location)
    event.add("description", f"Your consultation at {a.clinic_name} with {a.clinician}.")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{a.clinic_email}")
    organizer.params["cn"] = icalendar.vText(a.clinic_name)
    event.add("organizer", organizer)
    if a.patient_email:
        attendee = icalendar.vCalAddress(f"mailto:{a.patient_email}")
        attendee.params["cn"] = icalendar.vText(a.patient_name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    cal.add_component(event)
    return bytes(cal.to_ical())


def _details(a: Appointment, tz: ZoneInfo) -> str:
    lines = [
        f"When: {when(a.starts_at, tz)} ({a.minutes} minutes)",
        f"With: {a.clinician}",
        f"Where: {a.location}",
    ]
    if a.link:
        lines.append(f"To change or cancel it, open your private link: {a.link}")
    else:
        lines.append("To change or cancel it, open the private link the clinic sent you.")
    return "\n".join(lines)


def confirmation(a: Appointment, tz: ZoneInfo, stamp: dt.datetime, *, moved: bool) -> Email:
    """The e-mail after booking (``moved``: after a reschedule), with the invitation."""
    subject = "Your consultation was moved" if moved else "Your consultation is booked"
    opening = "Your consultation has a new time." if moved else "Your consultation is booked."
    body = f"Hello {a.patient_name},\n\n{opening}\n\n{_details(a, tz)}\n\n{a.clinic_name}\n"
    return Email(a.patient_email, subject, body, invitation(a, "REQUEST", stamp), "REQUEST")


def cancellation(a: Appointment, tz: ZoneInfo, stamp: dt.datetime, *, by_clinic: bool) -> Email:
    who = "The clinic had to cancel" if by_clinic else "You cancelled"
    body = (
        f"Hello {a.patient_name},\n\n{who} your consultation on {when(a.starts_at, tz)} "
        f"with {a.clinician}.\nYou can choose another time from your private link.\n\n"
        f"{a.clinic_name}\n"
    )
    subject = "Your consultation was cancelled"
    return Email(a.patient_email, subject, body, invitation(a, "CANCEL", stamp), "CANCEL")


def reminder(a: Appointment, tz: ZoneInfo) -> Email:
    body = (
        f"Hello {a.patient_name},\n\nA reminder of your consultation tomorrow.\n\n"
        f"{_details(a, tz)}\n\nIf you cannot come, please cancel so that someone else can "
        f"have the time.\n\n{a.clinic_name}\n"
    )
    return Email(a.patient_email, "Reminder: your consultation tomorrow", body)


def to_message(email: Email, sender: str) -> EmailMessage:
    """The standard-library message (text body; the invitation as ``text/calendar``)."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, email.to, email.subject
    msg.set_content(email.body)
    if email.ics is not None:
        msg.add_attachment(
            email.ics.decode(),
            subtype="calendar",
            filename="invitation.ics",
            params={"method": email.method or "REQUEST"},
        )
    return msg
