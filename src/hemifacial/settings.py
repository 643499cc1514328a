"""Settings of the clinic app, read once at the edges (CLI, ``create_app``, worker start).

Environment variables (all optional; the defaults need no configuration):

``HEMIFACIAL_DATABASE_URL``   SQLAlchemy URL; default SQLite file in the data directory.
``HEMIFACIAL_DATA_DIR``       uploads, plots and the SQLite file (outside the web root).
``HEMIFACIAL_JOBS``           ``inprocess`` (default) or ``celery``.
``HEMIFACIAL_REDIS_URL``      Celery broker; default ``redis://127.0.0.1:6379/0``.
``HEMIFACIAL_CELERY_QUEUE``   queue name (default ``hemifacial``).
``HEMIFACIAL_SECRET_KEY``     signs nothing secret-bearing itself but keys CSRF/session
                              derivations; required outside demo/dev mode.
``HEMIFACIAL_MODE``           ``production`` (default), ``dev`` or ``demo``.
``HEMIFACIAL_MAX_UPLOAD_MB``  upload size limit (default 200).
``HEMIFACIAL_LANDMARKER``     ``mediapipe`` (default) or ``synthetic`` (test twin).
``HEMIFACIAL_VIDEO_JOBS``     processes per video analysis (default: one per core).
``HEMIFACIAL_LINK_DAYS``      lifetime of a patient's private link (default 30).
``HEMIFACIAL_SESSION_IDLE_MINUTES``  idle timeout of a clinician session (default 30).
``HEMIFACIAL_PAGE_CACHE_MB``  rendered clinic pages kept per web process (default 64).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from hemifacial.errors import InvalidValueError

PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "secret", "dev", "demo"})
MODES = ("production", "dev", "demo")
JOB_BACKENDS = ("inprocess", "celery")


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
    secure_cookies: bool = False
    page_cache_mb: int = 64

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def plot_dir(self) -> Path:
        return self.data_dir / "plots"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> Settings:
        if self.mode not in MODES:
            raise InvalidValueError(f"HEMIFACIAL_MODE must be one of {', '.join(MODES)}")
        if self.jobs not in JOB_BACKENDS:
            raise InvalidValueError(
                f"HEMIFACIAL_JOBS must be one of {', '.join(JOB_BACKENDS)}, got {self.jobs!r}"
            )
        if self.mode == "production" and (
            self.secret_key.lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 16
        ):
            raise InvalidValueError(
                "HEMIFACIAL_SECRET_KEY must be set to a random value of at least 16 characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`); "
                "use --demo or HEMIFACIAL_MODE=dev to run without one"
            )
        return self


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "hemifacial"


def from_env(env: Mapping[str, str] | None = None, *, mode: str | None = None) -> Settings:
    """Settings from environment variables (``env`` defaults to ``os.environ``)."""
    e = os.environ if env is None else env
    mode = mode or e.get("HEMIFACIAL_MODE", "production")
    data_dir = Path(e.get("HEMIFACIAL_DATA_DIR") or default_data_dir()).expanduser()
    url = e.get("HEMIFACIAL_DATABASE_URL") or f"sqlite:///{data_dir / 'hemifacial.sqlite3'}"
    secret = e.get("HEMIFACIAL_SECRET_KEY", "")
    if not secret and mode in ("dev", "demo"):
        secret = "dev"
    video_jobs = e.get("HEMIFACIAL_VIDEO_JOBS")
    return Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key=secret,
        mode=mode,
        jobs=e.get("HEMIFACIAL_JOBS", "inprocess"),
        redis_url=e.get("HEMIFACIAL_REDIS_URL", "redis://127.0.0.1:6379/0"),
        celery_queue=e.get("HEMIFACIAL_CELERY_QUEUE", "hemifacial"),
        max_upload_bytes=int(float(e.get("HEMIFACIAL_MAX_UPLOAD_MB", "200")) * 1024 * 1024),
        landmarker=e.get("HEMIFACIAL_LANDMARKER", "mediapipe"),
        video_jobs=int(video_jobs) if video_jobs else None,
        link_days=int(e.get("HEMIFACIAL_LINK_DAYS", "30")),
        session_idle_minutes=int(e.get("HEMIFACIAL_SESSION_IDLE_MINUTES", "30")),
        secure_cookies=e.get("HEMIFACIAL_SECURE_COOKIES", "") in ("1", "true"),
        page_cache_mb=int(e.get("HEMIFACIAL_PAGE_CACHE_MB", "64")),
    ).validate()
