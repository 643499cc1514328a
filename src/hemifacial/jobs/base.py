"""The job-runner port: the web app submits job ids; a runner executes them elsewhere."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from hemifacial.db import repositories as repo
from hemifacial.db.engine import transaction


class JobRunner(Protocol):
    """Runs analysis jobs off the request path."""

    def start(self) -> None: ...

    def submit(self, job_id: int) -> None: ...

    def stop(self) -> None: ...


def recover(factory: sessionmaker[Session], runner: JobRunner) -> list[int]:
    """Re-submit jobs left queued or running by a restart (jobs are idempotent)."""
    with transaction(factory) as s:
        ids = [j.id for j in repo.unfinished_jobs(s)]
        for j in repo.unfinished_jobs(s):
            if j.status == "running":
                j.status = "queued"
    for job_id in ids:
        runner.submit(job_id)
    return ids
