"""The ``HEMIFACIAL_*`` environment variables, typed and checked by ``pydantic-settings``.

:func:`read_env` gives the raw values, or one :class:`~hemifacial.errors.SettingsError`
naming each bad variable and what it accepts (never a traceback);
:func:`hemifacial.settings.from_env` turns them into the frozen ``Settings`` value.
The variables are listed in :mod:`hemifacial.settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

from hemifacial.errors import SettingsError

PREFIX = "HEMIFACIAL_"
DEFAULT_CLINIC_NAME = "Hemifacial Spasm Clinic"


class EnvSettings(BaseSettings):
    """The raw environment variables, typed; :func:`from_env` turns them into Settings."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True
    )

    data_dir: Path | None = None
    database_url: str | None = None
    secret_key: str = ""
    mode: Literal["production", "dev", "demo"] = "production"
    jobs: Literal["inprocess", "celery"] = "inprocess"
    redis_url: str = "redis://127.0.0.1:6379/0"
    celery_queue: str = Field("hemifacial", min_length=1)
    max_upload_mb: float = Field(200.0, gt=0)
    landmarker: Literal["mediapipe", "synthetic"] = "mediapipe"
    video_jobs: int | None = Field(None, ge=1)
    link_days: int = Field(30, ge=1)
    session_idle_minutes: int = Field(30, ge=1)
    session_max_hours: int = Field(12, ge=1)
    secure_cookies: bool | None = None
    timezone: str = Field("UTC", min_length=1)
    view_cache_entries: int = Field(1024, ge=0)
    public_url: str | None = None
    login_limit_account: str = "10/15minutes"
    login_limit_address: str = "50/15minutes"
    rate_limit_storage: str | None = None
    max_video_seconds: float = Field(300.0, gt=0)
    max_video_pixels: int = Field(3840 * 2160, ge=1)
    max_video_frames: int = Field(18_000, ge=2)
    max_uploads_per_case: int = Field(20, ge=1)
    max_uploads_per_day: int = Field(10, ge=1)
    intake_rate: str = Field("20/hour", min_length=3)
    mediapipe_internals: bool = False  # checked here; the video workers read it themselves
    clinic_name: str = DEFAULT_CLINIC_NAME
    clinic_address: str = ""
    clinic_phone: str = ""
    clinic_hours: str = ""
    clinic_logo: str = Field("", pattern=r"^(/[^\s]*)?$")
    clinic_review_days: int = Field(5, ge=1)
    clinic_alert_email: str = ""
    clinic_asian_share: float | None = Field(None, gt=0, lt=1)
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "clinic@localhost"
    smtp_ca_file: str = ""

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values :func:`read_env` passes in (from its :class:`_MappingSource`)."""
        return (init_settings,)


class _MappingSource(EnvSettingsSource):
    """The standard environment source, reading a given mapping instead of ``os.environ``
    (so that tests and the demo pass their own variables without touching the process)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._env = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._env, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


_SECRET_FIELDS = frozenset({"secret_key", "database_url", "redis_url", "smtp_password"})
_EXPECTED = {
    "int_parsing": "a whole number",
    "float_parsing": "a number",
    "bool_parsing": "true or false",
    "greater_than": "a number greater than {gt}",
    "greater_than_equal": "a number of at least {ge}",
    "string_too_short": "a non-empty text",
    "literal_error": "one of {expected}",
    "less_than_equal": "a number of at most {le}",
    "string_pattern_mismatch": "of the form {pattern}",
}


def _message(exc: ValidationError) -> str:
    """One line per bad variable: its name, what it accepts and (unless secret) its value."""
    lines = []
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err["loc"] else "?"
        name = PREFIX + field.upper()
        template = _EXPECTED.get(err["type"])
        ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in err.get("ctx", {}).items()}
        expected = template.format(**ctx) if template else err["msg"]
        got = "" if field in _SECRET_FIELDS else f", got {err['input']!r}"
        lines.append(f"{name} must be {expected}{got}")
    return "invalid setting: " + "; ".join(lines)


def read_env(env: Mapping[str, str]) -> EnvSettings:
    """The HEMIFACIAL_* variables of ``env`` parsed and checked, or one SettingsError."""
    try:
        values: dict[str, Any] = _MappingSource(EnvSettings, env)()
        return EnvSettings(**values)
    except ValidationError as exc:
        raise SettingsError(_message(exc)) from None
