"""Celery with Redis as broker, for running analyses on separate worker machines.

The worker reads the same settings from the environment (``hemifacial worker``); tasks
carry only a job id and are idempotent, so a redelivered or re-enqueued task is harmless.
"""

from __future__ import annotations

import functools
from typing import Any

from celery import Celery

from hemifacial.errors import ServiceUnavailableError
from hemifacial.settings import Settings

TASK = "hemifacial.analyze_video"
REMINDERS = "hemifacial.booking_reminders"
REMINDER_INTERVAL_S = 300.0


def check_redis(url: str) -> None:
    """Raise :class:`ServiceUnavailableError` when the broker cannot be reached."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        raise ServiceUnavailableError(
            f"Redis at {url} is not reachable ({type(exc).__name__}). Start Redis, set "
            "HEMIFACIAL_REDIS_URL, or use HEMIFACIAL_JOBS=inprocess."
        ) from None


def make_celery(settings: Settings) -> Celery:
    app = Celery("hemifacial", broker=settings.redis_url)
    app.conf.update(
        task_default_queue=settings.celery_queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        # Celery beat (``hemifacial worker`` runs it embedded): the day-before reminders.
        beat_schedule={
            "booking-reminders": {
                "task": REMINDERS,
                "schedule": REMINDER_INTERVAL_S,
                "options": {"queue": settings.celery_queue},
            }
        },
    )

    @app.task(name=TASK, bind=True, max_retries=3, shared=False)  # type: ignore[untyped-decorator]
    def analyze_video(self: Any, job_id: int) -> str:
        from hemifacial.services.videos import run_video_job

        factory, kb = _worker_context(settings)
        return run_video_job(factory, settings, kb, job_id)

    @app.task(name=REMINDERS, shared=False)  # type: ignore[untyped-decorator]
    def booking_reminders() -> int:
        import datetime as dt

        from hemifacial.services import booking, booking_mail, mail

        factory, _ = _worker_context(settings)
        # with e-mail on, the reminders wait in the outbox; the web process's mailer sends them
        sender = (
            mail.OutboxMailer(factory)
            if settings.smtp.enabled
            else booking_mail.make_mailer(settings)
        )
        clinic = booking.clinic_for(settings, sender.send)
        return booking.send_reminders(factory, clinic, dt.datetime.now(dt.UTC))

    return app


@functools.cache
def _worker_context(settings: Settings) -> tuple[Any, Any]:
    from hemifacial.db.engine import make_engine, migrate, session_factory
    from hemifacial.services.knowledge import clinic_knowledge_base

    engine = make_engine(settings.database_url)
    migrate(engine)
    return session_factory(engine), clinic_knowledge_base(settings)


class CeleryRunner:
    """Submits jobs to the Celery queue; the workers run them."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.app = make_celery(settings)

    def start(self) -> None:
        check_redis(self._settings.redis_url)

    def submit(self, job_id: int) -> None:
        try:
            self.app.send_task(TASK, args=[job_id], queue=self._settings.celery_queue)
        except Exception as exc:  # kombu raises OperationalError subclasses
            raise ServiceUnavailableError(
                f"could not queue the analysis on {self._settings.redis_url} "
                f"({type(exc).__name__}); it stays queued and is sent again on restart"
            ) from None

    def stop(self) -> None:
        pass
