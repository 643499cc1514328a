"""The periodic tasks: the in-process scheduler (time injected, a failing task does not
stop the others, the thread starts and stops) and the Celery beat entry for the reminders."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from hemifacial.db.engine import transaction
from hemifacial.jobs.celery_app import REMINDERS, _worker_context, make_celery
from hemifacial.jobs.inprocess import NullRunner
from hemifacial.jobs.scheduler import Scheduler
from hemifacial.services import booking, intake, slots
from hemifacial.services.booking_mail import MemoryMailer
from hemifacial.settings import Settings
from hemifacial.web.app import create_app

WHEN = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def test_run_once_passes_the_injected_time_and_survives_a_failing_task() -> None:
    seen: list[dt.datetime] = []

    def broken(now: dt.datetime) -> None:
        raise RuntimeError("boom")

    sched = Scheduler({"broken": broken, "ok": lambda now: seen.append(now) or len(seen)})
    results = sched.run_once(WHEN)
    assert isinstance(results["broken"], RuntimeError) and results["ok"] == 1
    assert seen == [WHEN]


def test_the_thread_runs_the_tasks_every_interval_until_stopped() -> None:
    ticks = threading.Semaphore(0)
    sched = Scheduler({"tick": lambda now: ticks.release()}, interval_s=0.02, clock=lambda: WHEN)
    sched.start()
    try:
        assert all(ticks.acquire(timeout=5) for _ in range(3))  # first at start, then each tick
    finally:
        sched.stop()
    while ticks.acquire(timeout=0.1):  # drain
        pass
    assert not ticks.acquire(timeout=0.2)  # nothing runs once stopped


def test_the_app_schedules_reminders_in_process_and_leaves_them_to_beat_with_celery(
    settings: Settings, engine: Any
) -> None:
    app = create_app(settings, runner=NullRunner())
    try:
        assert app.state.ctx.scheduler.run_once(WHEN) == {"booking-reminders": 0}
    finally:
        app.state.ctx.db.close()
    celery_mode = create_app(settings.with_(jobs="celery"), runner=NullRunner())
    assert celery_mode.state.ctx.scheduler is None
    celery_mode.state.ctx.db.close()


def _booked_within_a_day(factory: Any, settings: Settings) -> None:
    """A booking made two days ago for a consultation 20 hours from now (real time)."""
    now = dt.datetime.now(dt.UTC)
    start = now + dt.timedelta(hours=20)
    tz = booking.clinic_for(settings, MemoryMailer().send).tz
    with transaction(factory) as s:
        doc = slots.add_clinician(s, "Dr Ada Lind", "Neurology", ["English"], ["Main"])
        local = start.astimezone(tz)
        req = slots.SlotRequest(str(doc), local.date().isoformat(), f"{local:%H:%M}")
        slots.create_slots(s, req, tz, "desk", now - dt.timedelta(days=2))
        contact = intake.Contact("Pat", "pat@example.org", "", "", True)
        case, _ = intake.start(s, contact, 30)
        booking.offer(s, case.id, None, "desk")
        view = booking.patient_booking(s, case.id, tz, now)
        clinic = booking.clinic_for(settings, MemoryMailer().send)
        slot_id = view.days[0].slots[0].id
        booking.book(s, clinic, case.id, slot_id, now - dt.timedelta(days=2))


def test_celery_beat_runs_the_reminder_task_once_per_booking(
    settings: Settings, factory: Any
) -> None:
    app = make_celery(settings.with_(jobs="celery"))
    entry = app.conf.beat_schedule["booking-reminders"]
    assert entry["task"] == REMINDERS and entry["schedule"] == 300.0
    _booked_within_a_day(factory, settings)
    task = app.tasks[REMINDERS]
    try:
        assert task() == 1  # what a beat tick runs on a worker
        assert task() == 0  # idempotent: the next tick sends nothing
    finally:
        worker_factory, _ = _worker_context(settings.with_(jobs="celery"))
        worker_factory.kw["bind"].dispose()
        _worker_context.cache_clear()
