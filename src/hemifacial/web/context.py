"""What a running app holds: settings, database, evidence base, job runner, templates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.schema import KnowledgeBase
from hemifacial.jobs.base import JobRunner
from hemifacial.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    kb: KnowledgeBase
    runner: JobRunner
    templates: Jinja2Templates
    cache: dict[str, Any] = field(default_factory=dict)  # per-process, case-independent

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with transaction(self.factory) as s:
            yield s
