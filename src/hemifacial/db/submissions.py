"""The rows that guard submissions: a case's write lock, repeats of a file, upload quotas,
and the idempotency keys of intakes (SQL for :mod:`hemifacial.services.videos` and
:mod:`hemifacial.services.idempotency`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hemifacial.errors import NotFoundError

from . import tables as t


def lock_case(s: Session, case_id: int) -> None:
    """Take the case's write lock first (a row lock on PostgreSQL, the database's write lock
    on SQLite): what the caller then reads of the case no other writer changes meanwhile."""
    done = s.execute(
        update(t.Case)
        .where(t.Case.id == case_id)
        .values(revision=t.Case.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if not getattr(done, "rowcount", 0):
        raise NotFoundError(f"case {case_id} does not exist")


def video_with_hash(s: Session, case_id: int, sha256: str) -> t.Video | None:
    return s.scalars(
        select(t.Video)
        .where(t.Video.case_id == case_id, t.Video.sha256 == sha256)
        .order_by(t.Video.id)
        .limit(1)
    ).first()


def claim_key(s: Session, digest: str) -> bool:
    """Insert the key unless it is there (waiting for a concurrent insert of it to end);
    True when this call inserted it."""
    dialect = s.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    done = s.execute(
        ins(t.IdempotencyKey)
        .values(key=digest, case_id=None, created_at=t.utcnow())
        .on_conflict_do_nothing()
        .returning(t.IdempotencyKey.key)
    )
    return done.first() is not None


def bind_key(s: Session, digest: str, case_id: int) -> None:
    s.execute(
        update(t.IdempotencyKey).where(t.IdempotencyKey.key == digest).values(case_id=case_id)
    )


def idempotent_case(s: Session, digest: str) -> int | None:
    found = s.scalar(select(t.IdempotencyKey.case_id).where(t.IdempotencyKey.key == digest))
    return None if found is None else int(found)


def hash_in_use(s: Session, sha256: str) -> bool:
    return s.scalar(select(t.Video.id).where(t.Video.sha256 == sha256).limit(1)) is not None


def job_of_video(s: Session, video_id: int) -> t.Job:
    job = s.scalars(
        select(t.Job).where(t.Job.video_id == video_id).order_by(t.Job.id.desc()).limit(1)
    ).first()
    if job is None:
        raise NotFoundError(f"video {video_id} has no analysis job")
    return job


def video_counts(s: Session, case_id: int, since: dt.datetime) -> tuple[int, int]:
    """(videos of the case, of them created since ``since``)."""
    total, recent = s.execute(
        select(
            func.count(),
            func.count().filter(t.Video.created_at >= since),
        ).where(t.Video.case_id == case_id)
    ).one()
    return int(total), int(recent)
