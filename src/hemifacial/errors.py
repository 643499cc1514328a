"""The one error hierarchy of hemifacial.

Every error a user can cause carries a message that names the bad value, what is allowed
and, where it helps, the nearest valid key. Entry points (CLI, web) turn these into a
clear message and a non-zero exit or an HTTP status; nothing else should reach a user.

::

    HemifacialError
    ├── InputError                 bad input from a person or a file (HTTP 422, exit 2)
    │   ├── UnknownKeyError        a key that does not exist (with the nearest valid key)
    │   ├── InvalidValueError      a value of the wrong type or outside the allowed set
    │   │   ├── SettingsError      a HEMIFACIAL_* environment variable with a bad value
    │   │   └── FormError          several form fields wrong, each with its message
    │   │       └── QueryParamError  query parameters (sort, filters) not known (HTTP 400)
    │   ├── ContradictionError     answers that cannot all be true
    │   ├── CaseFileError          a case file that cannot be read or parsed
    │   ├── VideoInputError        a file that is not a usable video
    │   ├── UploadTooLargeError    an upload over the configured limit (HTTP 413)
    │   ├── ConflictError          contradicts what is stored (HTTP 409)
    │   └── SlotTakenError         a consultation time already booked or withdrawn (HTTP 409)
    ├── NotFoundError              a record that does not exist (HTTP 404)
    ├── PermissionDeniedError      not allowed (HTTP 403)
    │   ├── LoginRequiredError     no valid clinician session: log in first (HTTP 401)
    │   │   └── SecondFactorError  the password was right; the one-time code is missing/wrong
    │   ├── CsrfError              a form that is stale or did not come from this site
    │   ├── PatientFindingError    a finding only the clinic records, sent on a patient link
    │   └── TooManyAttemptsError   too many failed logins (HTTP 429, with Retry-After)
    ├── KnowledgeBaseError         the evidence base itself is invalid (a bug, not user input)
    ├── PolicyError                a route without a declared access policy (a bug)
    ├── VideoWorkerError           a video worker process died (crash, out of memory)
    ├── MailError                  an e-mail could not be handed to the SMTP server
    ├── ServiceUnavailableError    a server (database, Redis, broker) is not reachable (HTTP 503)
    └── TooManyRequestsError       too many requests from one address (HTTP 429)

Every exception class of the package is defined here (``tests/test_errors.py`` checks it);
modules that used to define one re-export it from here so old imports keep working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping


class HemifacialError(Exception):
    """Base of every error hemifacial raises on purpose."""

    exit_code = 1
    http_status = 500


class InputError(HemifacialError):
    """The input was wrong; the message says how to fix it."""

    exit_code = 2
    http_status = 422


class UnknownKeyError(InputError):
    """A key (finding, condition, test, field) that does not exist."""

    def __init__(self, kind: str, key: str, valid: Iterable[str]) -> None:
        self.kind = kind
        self.key = key
        self.nearest = nearest(key, valid)
        hint = f"; did you mean '{self.nearest}'?" if self.nearest else ""
        super().__init__(f"unknown {kind} '{key}'{hint}")


class InvalidValueError(InputError):
    """A value of the wrong type or outside the allowed set."""


class SettingsError(InvalidValueError):
    """An environment variable (``HEMIFACIAL_*``) with a value the app cannot use."""


class FormError(InvalidValueError):
    """Several fields are wrong; ``fields`` maps each to its message (HTTP 422)."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.fields.items()))


class QueryParamError(FormError):
    """Query parameters (sorting, filters) with values the API does not know (HTTP 400)."""

    http_status = 400


class ContradictionError(InputError):
    """Answers that cannot all be true at once; ``field`` is the answer to change, if one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class CaseFileError(InputError):
    """A case file that cannot be read or parsed."""


class VideoInputError(InputError):
    """A file that is not a usable video (corrupt, empty, not a video, no usable face)."""


class UploadTooLargeError(InputError):
    """The upload is bigger than the configured limit (HTTP 413)."""

    http_status = 413


class SlotTakenError(InputError):
    """The consultation time was booked by someone else, or withdrawn (HTTP 409)."""

    http_status = 409


class NotFoundError(HemifacialError):
    """A record that does not exist."""

    exit_code = 3
    http_status = 404


class PermissionDeniedError(HemifacialError):
    """The caller may not do this."""

    exit_code = 4
    http_status = 403


class LoginRequiredError(PermissionDeniedError):
    """No valid session: log in first (HTTP 401)."""

    http_status = 401


class SecondFactorError(LoginRequiredError):
    """The password was right but the one-time code is missing or wrong (HTTP 401)."""


class CsrfError(PermissionDeniedError):
    """The form is stale or did not come from this site (HTTP 403)."""


class PatientFindingError(PermissionDeniedError):
    """A patient's link sent a finding only the clinic records (a test result, an
    examination sign), or wrote to a closed case (HTTP 403)."""

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = dict(fields or {})


class TooManyAttemptsError(PermissionDeniedError):
    """Too many failed logins for this account or address: wait (HTTP 429)."""

    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class KnowledgeBaseError(HemifacialError):
    """The evidence base is invalid: a defect in the package, not in the user's input."""


class PolicyError(HemifacialError):
    """A route of the web app has no entry in the access policy (a defect, found at start)."""


class VideoWorkerError(HemifacialError):
    """A video worker process stopped mid-analysis (a crash or the system running out of
    memory). Nothing about the file is implied; the pool is restarted on the next call."""


class MailError(HemifacialError):
    """The SMTP server refused or could not be reached; the message stays in the outbox
    and is tried again."""


class ServiceUnavailableError(HemifacialError):
    """A server the configuration names (database, Redis, broker) cannot be reached."""

    exit_code = 5
    http_status = 503


def nearest(key: str, valid: Iterable[str]) -> str | None:
    """The valid key closest to ``key`` by spelling, or None when nothing is close."""
    matches = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    return matches[0] if matches else None


class TooManyRequestsError(HemifacialError):
    """Too many requests from one address in a while (HTTP 429, with Retry-After)."""

    exit_code = 6
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ConflictError(InputError):
    """The request contradicts what is stored (HTTP 409): a duplicate, a wrong reference."""

    http_status = 409
