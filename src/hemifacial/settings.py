"""Settings of the clinic app, read once at the edges (CLI, ``create_app``, worker start).

Environment variables (all optional; the defaults need no configuration):

``HEMIFACIAL_DATABASE_URL``   SQLAlchemy URL; default SQLite file in the data directory.
``HEMIFACIAL_DATA_DIR``       uploads, plots and the SQLite file (outside the web root).
``HEMIFACIAL_JOBS``           ``inprocess`` (default) or ``celery``.
``HEMIFACIAL_REDIS_URL``      Celery broker; default ``redis://127.0.0.1:6379/0``.
``HEMIFACIAL_CELERY_QUEUE``   queue name (default ``hemifacial``).
``HEMIFACIAL_SECRET_KEY``     keys the CSRF tokens (HMAC); required outside demo/dev mode
                              (random, at least 16 characters, not a repetition; dev and
                              demo mode make a random one per process).
``HEMIFACIAL_PUBLIC_URL``     the address patients and staff open (``https://clinic.example``);
                              patient links are built from it, never from the request's Host
                              header. Required in production; dev/demo: the local address.
``HEMIFACIAL_MODE``           ``production`` (default), ``dev`` or ``demo``.
``HEMIFACIAL_MAX_UPLOAD_MB``  upload size limit (default 200).
``HEMIFACIAL_LANDMARKER``     ``mediapipe`` (default) or ``synthetic`` (test twin).
``HEMIFACIAL_VIDEO_JOBS``     processes per video analysis (default: one per core).
``HEMIFACIAL_LINK_DAYS``      lifetime of a patient's private link (default 30).
``HEMIFACIAL_SESSION_IDLE_MINUTES``  idle timeout of a clinician session (default 30).
``HEMIFACIAL_SESSION_MAX_HOURS``     absolute lifetime of a session, however busy (default 12).
``HEMIFACIAL_SECURE_COOKIES`` ``Secure`` cookies and HSTS; default: on whenever the public URL
                              is https, or in production mode on an address that is not loopback.
``HEMIFACIAL_TIMEZONE``       the clinic's time zone for consultation slots (default ``UTC``;
                              an IANA name such as ``Europe/London``).
``HEMIFACIAL_LOGIN_LIMIT_ACCOUNT``   failed logins allowed per account (default ``10/15minutes``,
                              the ``limits`` notation); then 429 with Retry-After.
``HEMIFACIAL_LOGIN_LIMIT_ADDRESS``   failed logins allowed per client address
                              (default ``50/15minutes``).
``HEMIFACIAL_RATE_LIMIT_STORAGE``    where the counters live: ``memory://`` (default, one process)
                              or a ``redis://`` URL; when ``HEMIFACIAL_REDIS_URL`` is set it is
                              the default (counters shared by all workers).
``HEMIFACIAL_MAX_VIDEO_SECONDS``  longest video accepted (default 300).
``HEMIFACIAL_MAX_VIDEO_PIXELS``   largest frame, width × height (default 3840×2160).
``HEMIFACIAL_MAX_VIDEO_FRAMES``   most frames in a video (default 18000).
``HEMIFACIAL_MAX_UPLOADS_PER_CASE``  videos a case may hold (default 20).
``HEMIFACIAL_MAX_UPLOADS_PER_DAY``   videos a case may receive in 24 hours (default 10).
``HEMIFACIAL_INTAKE_RATE``    new requests per client address (``limits`` notation, default
                              ``20/hour``); behind a proxy, see docs/deployment.md.
``HEMIFACIAL_MEDIAPIPE_INTERNALS``  ``true`` drives MediaPipe through private attributes
                              (default false; read by the video workers, see docs/video.md).

The clinic's identity on every patient page and e-mail, and the e-mail it sends
(docs/patient.md):

``HEMIFACIAL_CLINIC_NAME``, ``_ADDRESS``, ``_PHONE``, ``_HOURS``, ``_LOGO`` (a URL path of
an image the site serves, optional), ``HEMIFACIAL_CLINIC_REVIEW_DAYS`` (working days the
clinic promises for its first review, default 5), ``HEMIFACIAL_CLINIC_ALERT_EMAIL`` (where
urgent red flags and patients' requests are sent); links in e-mails use
``HEMIFACIAL_PUBLIC_URL``.
``HEMIFACIAL_CLINIC_ASIAN_SHARE`` (optional, strictly between 0 and 1): the share of the
clinic's population of Asian ancestry. The only published ancestry figures for HFS are
against one US city (Houston, 5.48%); with this set, the evidence base keeps their odds ratio
and takes the clinic's own share as the base rate (``domain/knowledge/population.py``,
``services/knowledge.py``). Unset: the Houston figures, as published.
``HEMIFACIAL_SMTP_HOST`` (empty: no e-mail is sent, messages wait in the outbox),
``_PORT`` (default 587), ``_SECURITY`` (``starttls`` default, ``tls`` or ``none``),
``_USER``, ``_PASSWORD``, ``_CA_FILE`` (a private CA to trust), ``HEMIFACIAL_MAIL_FROM``.

The variables are parsed and checked by ``pydantic-settings`` (:mod:`.settings_env`); a bad
value raises one :class:`~hemifacial.errors.SettingsError` naming each bad variable and what
it accepts (never a traceback at the CLI). The result is the frozen :class:`Settings` value.
"""

from __future__ import annotations

import ipaddress
import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from hemifacial.errors import SettingsError
from hemifacial.settings_env import DEFAULT_CLINIC_NAME, PREFIX, read_env

PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "secret", "dev", "demo"})
MODES = ("production", "dev", "demo")
JOB_BACKENDS = ("inprocess", "celery")
LANDMARKERS = ("mediapipe", "synthetic")


@dataclass(frozen=True)
class ClinicInfo:
    """Who the patient is dealing with: shown on every patient page and e-mail."""

    name: str = DEFAULT_CLINIC_NAME
    address: str = ""
    phone: str = ""
    hours: str = ""
    logo: str = ""
    review_days: int = 5
    alert_email: str = ""


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""  # empty: e-mail is off (messages stay queued in the outbox)
    port: int = 587
    security: str = "starttls"  # "starttls" | "tls" | "none"
    user: str = ""
    password: str = ""
    sender: str = "clinic@localhost"
    timeout: float = 20.0
    ca_file: str = ""  # a private CA's certificate to trust (else the system's)

    @property
    def enabled(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    mode: str = "production"
    jobs: str = "inprocess"
    redis_url: str = "redis://127.0.0.1:6379/0"
    celery_queue: str = "hemifacial"
    max_upload_bytes: int = 200 * 1024 * 1024
    landmarker: str = "mediapipe"
    video_jobs: int | None = None
    link_days: int = 30
    session_idle_minutes: int = 30
    secure_cookies: bool | None = None
    timezone: str = "UTC"
    view_cache_entries: int = 1024  # case views kept per process (about 50 kB each)
    public_url: str = "http://127.0.0.1:8000"
    session_max_hours: int = 12
    login_limit_account: str = "10/15minutes"
    login_limit_address: str = "50/15minutes"
    rate_limit_storage: str = "memory://"
    max_video_seconds: float = 300.0
    max_video_pixels: int = 3840 * 2160
    max_video_frames: int = 18_000
    max_uploads_per_case: int = 20
    max_uploads_per_day: int = 10
    intake_rate: str = "20/hour"
    clinic_asian_share: float | None = None  # the clinic population's Asian share (0–1)
    clinic: ClinicInfo = ClinicInfo()
    smtp: SmtpSettings = SmtpSettings()

    @property
    def https(self) -> bool:
        """Secure cookies and HSTS: set explicitly, or when the app is not on loopback."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        if self.public_url.startswith("https://"):
            return True
        return self.mode == "production" and not is_loopback(self.public_url)

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def plot_dir(self) -> Path:
        return self.data_dir / "plots"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> Settings:
        """Checks across fields (the per-variable ones are done when parsing)."""
        if self.mode not in MODES:
            raise SettingsError(f"{PREFIX}MODE must be one of {', '.join(MODES)}")
        if self.jobs not in JOB_BACKENDS:
            raise SettingsError(
                f"{PREFIX}JOBS must be one of {', '.join(JOB_BACKENDS)}, got {self.jobs!r}"
            )
        try:
            from limits import parse_many

            parse_many(self.intake_rate)
        except ValueError:
            raise SettingsError(
                f"{PREFIX}INTAKE_RATE must be a rate like '20/hour' or '5/minute;50/day', "
                f"got {self.intake_rate!r}"
            ) from None
        _check_timezone(self.timezone)
        if self.mode == "production" and weak_secret(self.secret_key):
            raise SettingsError(
                f"{PREFIX}SECRET_KEY must be set to a random value of at least 16 characters "
                "(not a word, a repetition or a run of few characters) "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`); "
                "use --demo or HEMIFACIAL_MODE=dev to run without one"
            )
        scheme, _, host = self.public_url.partition("://")
        if scheme not in ("http", "https") or not host or "/" in host:
            got = f", got {self.public_url!r}" if self.public_url else ""
            raise SettingsError(
                f"{PREFIX}PUBLIC_URL must be set to the address patients and staff open, "
                f"without a path, like https://clinic.example.org{got}"
            )
        for name in ("login_limit_account", "login_limit_address"):
            _check_limit(PREFIX + name.upper(), getattr(self, name))
        return self


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"{PREFIX}TIMEZONE must be an IANA time zone such as Europe/London, got {name!r}"
        ) from None


def weak_secret(secret: str) -> bool:
    """A placeholder, shorter than 16, one piece repeated (``abcabc…``), or too few different
    characters for its length (under 48 bits by ``length × log2(distinct characters)``; a
    random 16-character key has 55 to 64, ``aaaaaaaaaaaaaaaa`` none): a key one could guess."""
    if secret.lower() in PLACEHOLDER_SECRETS or len(secret) < 16:
        return True
    if len(secret) * math.log2(len(set(secret))) < 48:
        return True
    return any(
        len(secret) % n == 0 and secret == secret[:n] * (len(secret) // n)
        for n in range(1, len(secret) // 2 + 1)
    )


def is_loopback(url: str) -> bool:
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_limit(name: str, value: str) -> None:
    from limits import parse

    try:
        parse(value)
    except ValueError:
        raise SettingsError(
            f"{name} must be a rate like 10/15minutes or 5/minute, got {value!r}"
        ) from None


# the settings that are the variable's value as it was parsed
_SAME_NAMED = (
    "mode",
    "jobs",
    "redis_url",
    "celery_queue",
    "landmarker",
    "video_jobs",
    "link_days",
    "session_idle_minutes",
    "secure_cookies",
    "timezone",
    "view_cache_entries",
    "session_max_hours",
    "login_limit_account",
    "login_limit_address",
    "max_video_seconds",
    "max_video_pixels",
    "max_video_frames",
    "max_uploads_per_case",
    "max_uploads_per_day",
    "intake_rate",
    "clinic_asian_share",
)


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "hemifacial"


def from_env(env: Mapping[str, str] | None = None, *, mode: str | None = None) -> Settings:
    """Settings from environment variables (``env`` defaults to ``os.environ``)."""
    e = dict(os.environ if env is None else env)
    if mode is not None:
        e[PREFIX + "MODE"] = mode
    raw = read_env(e)
    data_dir = (raw.data_dir or default_data_dir()).expanduser()
    # dev and demo: a random key per process (a known one would let anyone forge CSRF tokens)
    dev = raw.mode in ("dev", "demo")
    secret = raw.secret_key or (secrets.token_urlsafe(32) if dev else "")
    public = raw.public_url or ("http://127.0.0.1:8000" if dev else "")
    explicit_redis = any(k.upper() == PREFIX + "REDIS_URL" and v for k, v in e.items())
    storage = raw.rate_limit_storage or (raw.redis_url if explicit_redis else "memory://")
    return Settings(
        data_dir=data_dir,
        database_url=raw.database_url or f"sqlite:///{data_dir / 'hemifacial.sqlite3'}",
        secret_key=secret,
        max_upload_bytes=int(raw.max_upload_mb * 1024 * 1024),
        public_url=public,
        rate_limit_storage=storage,
        **{name: getattr(raw, name) for name in _SAME_NAMED},
        clinic=ClinicInfo(
            name=raw.clinic_name,
            address=raw.clinic_address,
            phone=raw.clinic_phone,
            hours=raw.clinic_hours,
            logo=raw.clinic_logo,
            review_days=raw.clinic_review_days,
            alert_email=raw.clinic_alert_email,
        ),
        smtp=SmtpSettings(
            host=raw.smtp_host,
            port=raw.smtp_port,
            security=raw.smtp_security,
            user=raw.smtp_user,
            password=raw.smtp_password,
            sender=raw.mail_from,
            ca_file=raw.smtp_ca_file,
        ),
    ).validate()
