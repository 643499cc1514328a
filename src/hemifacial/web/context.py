"""What a running app holds: settings, database, evidence base, job runner, templates."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
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

    def cached(self, key: str, ttl_s: float, compute: Callable[[], Any]) -> Any:
        """A value computed at most once per ``ttl_s`` seconds in this process."""
        now = time.monotonic()
        hit = self.cache.get(key)
        if hit is not None and now - hit[0] < ttl_s:
            return hit[1]
        value = compute()
        self.cache[key] = (now, value)
        return value

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with transaction(self.factory) as s:
            yield s
