"""What a running app holds: settings, the database door, evidence base, runner, templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.templating import Jinja2Templates

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.jobs.base import JobRunner
from hemifacial.jobs.scheduler import Scheduler
from hemifacial.services.booking_mail import Mailer, MemoryMailer
from hemifacial.services.database import Database
from hemifacial.services.mail import Outbox
from hemifacial.services.readcache import ReadCache
from hemifacial.services.sessions import SessionCache
from hemifacial.settings import ClinicInfo, Settings


@dataclass
class AppContext:
    settings: Settings
    db: Database
    kb: KnowledgeBase
    runner: JobRunner
    templates: Jinja2Templates
    cache: dict[str, Any] = field(default_factory=dict)  # per process, the same for all cases
    booking_mailer: Mailer = field(default_factory=MemoryMailer)  # booking e-mails
    scheduler: Scheduler | None = None  # periodic tasks in-process (None: Celery beat runs them)
    views: ReadCache = field(default_factory=lambda: ReadCache(0))  # read models by revision
    outbox: Outbox = field(default_factory=lambda: Outbox(ClinicInfo()))  # e-mail after commit
    mailer: Any = None  # the jobs.mail.Mailer sending the outbox (started with the app)
    sessions: SessionCache = field(default_factory=SessionCache)  # by accounts generation

    def patient_link(self, token: str) -> str:
        """A patient's private link, on the configured public address (never the request's
        Host header, which a client chooses)."""
        return f"{self.settings.public_url}/p/{token}"
