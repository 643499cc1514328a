"""Read models of the administrator's pages: accounts, second-factor set-up, the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditRow:
    """One row of the audit trail as the admin's audit view shows it."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    case_id: int | None
    detail: Mapping[str, object]
    ip: str
    user_agent: str
    hash: str


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None
    case_id: int | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive


@dataclass(frozen=True)
class UserRow:
    """A clinic account as the admin page and ``hemifacial users list`` show it."""

    id: int
    username: str
    display_name: str
    role: str
    disabled: bool
    second_factor: bool  # set up (TOTP confirmed)
    recovery_codes_left: int
    sessions: int
    created_at: dt.datetime


@dataclass(frozen=True)
class Enrolment:
    """What a user types into an authenticator app to set up the second factor."""

    secret: str
    uri: str
