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

from .i18n import gettext as _
from .i18n import long_date, speaking

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
    language: str | None = None  # the patient's (cases.language); the e-mail's language

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
    """``Tuesday 8 December 2026 at 09:30`` in the clinic's zone (in the current language)."""
    local = moment.astimezone(tz)
    # Translators: a date and a time, like "Tuesday 8 December 2026 at 09:30".
    return _("%(day)s at %(time)s") % {"day": long_date(local), "time": f"{local:%H:%M}"}


def invitation(a: Appointment, method: str, stamp: dt.datetime) -> bytes:
    """The ``.ics`` of ``a``: ``method`` REQUEST (new or moved) or CANCEL."""
    with speaking(a.language):  # the patient's language, whoever triggered it
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
        event.add("summary", _("Consultation with %(clinician)s") % {"clinician": a.clinician})
        event.add("location", a.location)
        about = {"clinic": a.clinic_name, "clinician": a.clinician}
        event.add("description", _("Your consultation at %(clinic)s with %(clinician)s.") % about)
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
        _("When: %(when)s (%(minutes)s minutes)")
        % {"when": when(a.starts_at, tz), "minutes": a.minutes},
        _("With: %(clinician)s") % {"clinician": a.clinician},
        _("Where: %(location)s") % {"location": a.location},
    ]
    if a.link:
        lines.append(
            _("To change or cancel it, open your private link: %(link)s") % {"link": a.link}
        )
    else:
        lines.append(_("To change or cancel it, open the private link the clinic sent you."))
    return "\n".join(lines)


def _hello(a: Appointment) -> str:
    return _("Hello %(name)s,") % {"name": a.patient_name}


def confirmation(a: Appointment, tz: ZoneInfo, stamp: dt.datetime, *, moved: bool) -> Email:
    """The e-mail after booking (``moved``: after a reschedule), with the invitation."""
    with speaking(a.language):  # the patient's language, whoever triggered it
        subject = _("Your consultation was moved") if moved else _("Your consultation is booked")
        opening = (
            _("Your consultation has a new time.") if moved else _("Your consultation is booked.")
        )
        body = f"{_hello(a)}\n\n{opening}\n\n{_details(a, tz)}\n\n{a.clinic_name}\n"
        return Email(a.patient_email, subject, body, invitation(a, "REQUEST", stamp), "REQUEST")


def cancellation(a: Appointment, tz: ZoneInfo, stamp: dt.datetime, *, by_clinic: bool) -> Email:
    with speaking(a.language):  # the patient's language, whoever triggered it
        what = {"when": when(a.starts_at, tz), "clinician": a.clinician}
        if by_clinic:
            said = _("The clinic had to cancel your consultation on %(when)s with %(clinician)s.")
        else:
            said = _("You cancelled your consultation on %(when)s with %(clinician)s.")
        again = _("You can choose another time from your private link.")
        body = f"{_hello(a)}\n\n{said % what}\n{again}\n\n{a.clinic_name}\n"
        subject = _("Your consultation was cancelled")
        return Email(a.patient_email, subject, body, invitation(a, "CANCEL", stamp), "CANCEL")


def reminder(a: Appointment, tz: ZoneInfo) -> Email:
    with speaking(a.language):  # the patient's language, whoever triggered it
        opening = _("A reminder of your consultation tomorrow.")
        please = _("If you cannot come, please cancel so that someone else can have the time.")
        body = f"{_hello(a)}\n\n{opening}\n\n{_details(a, tz)}\n\n{please}\n\n{a.clinic_name}\n"
        return Email(a.patient_email, _("Reminder: your consultation tomorrow"), body)


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
