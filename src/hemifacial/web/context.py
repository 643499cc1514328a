"""What a running app holds: settings, database, evidence base, job runner, templates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hemifacial.db import repositories as repo
from hemifacial.db.engine import transaction
from hemifacial.db.viewlog import ViewLog
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.jobs.base import JobRunner
from hemifacial.settings import Settings

from .pagecache import PageCache


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    read_factory: sessionmaker[Session]
    kb: KnowledgeBase
    runner: JobRunner
    templates: Jinja2Templates
    pages: PageCache
    view_log: ViewLog
    cache: dict[str, Any] = field(default_factory=dict)  # per-process, case-independent

    def status_counts(self, s: Session, revision: int) -> dict[str, int]:
        """Cases per status, counted once per clinic ``revision`` in this process."""
        hit = self.cache.get("status_counts")
        if hit is not None and hit[0] == revision:
            counts: dict[str, int] = hit[1]
            return counts
        counts = repo.status_counts(s)
        self.cache["status_counts"] = (revision, counts)
        return counts

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with transaction(self.factory) as s:
            yield s

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for pages that only read (autocommit: no BEGIN/COMMIT round trips)."""
        with self.read_factory() as s:
            yield s
