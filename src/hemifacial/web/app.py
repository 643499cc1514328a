"""``create_app(settings)``: the clinic web app (pages, JSON API, static files)."""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from hemifacial import __version__
from hemifacial.jobs.base import JobRunner, recover
from hemifacial.jobs.mail import Mailer
from hemifacial.jobs.scheduler import Scheduler
from hemifacial.services import booking, booking_mail, videos
from hemifacial.services.database import Database
from hemifacial.services.knowledge import clinic_knowledge_base
from hemifacial.services.mail import Outbox, OutboxMailer
from hemifacial.services.readcache import ReadCache
from hemifacial.settings import Settings

from . import errors
from .case_pieces import warm as warm_case_pieces
from .context import AppContext
from .csrf import csrf_protect
from .language import Language
from .policy import authorize, check_complete
from .render import compile_templates, make_templates
from .uploads import UploadGuard

log = logging.getLogger("hemifacial.web")
STATIC = Path(__file__).resolve().parent / "static"


def make_runner(settings: Settings, ctx: AppContext) -> JobRunner:
    if settings.jobs == "celery":
        from hemifacial.jobs.celery_app import CeleryRunner

        return CeleryRunner(settings)
    from hemifacial.jobs.inprocess import InProcessRunner

    return InProcessRunner(ctx.db.factory, settings, ctx.kb)


def make_scheduler(settings: Settings, ctx: AppContext) -> Scheduler | None:
    """The in-process scheduler of the periodic tasks (Celery beat runs them in celery mode)."""
    if settings.jobs == "celery":
        return None

    def reminders(now: dt.datetime) -> int:
        clinic = booking.clinic_for(ctx.settings, ctx.booking_mailer.send)
        return booking.send_reminders(ctx.db.factory, clinic, now)

    return Scheduler({"booking-reminders": reminders})


def _lifespan(ctx: AppContext) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start: migrate, start the runner and the scheduler, re-queue unfinished jobs."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        videos.private_dir(ctx.settings.data_dir)  # uploads, plots, the SQLite file: owner only
        ctx.db.open()
        swept = videos.sweep_incoming(ctx.settings)
        if swept:
            log.info("removed %d upload copy(ies) left by an interrupted process", swept)
        ctx.runner.start()
        ctx.mailer.start()
        if ctx.scheduler is not None:
            ctx.scheduler.start()
        requeued = recover(ctx.db.factory, ctx.runner)
        if requeued:
            log.info("re-queued %d unfinished analysis job(s)", len(requeued))
        try:
            yield
        finally:
            if ctx.scheduler is not None:
                ctx.scheduler.stop()
            ctx.runner.stop()
            ctx.mailer.stop()
            ctx.db.close()

    return lifespan


def _include_routes(app: FastAPI) -> None:
    """Every router of the app, and the API docs' own files."""
    from .api import booking as api_booking
    from .api import clinic as api_clinic
    from .api import kb as api_kb
    from .api import letters as api_letters
    from .api import patient as api_patient
    from .api import records as api_records
    from .api import reports as api_reports
    from .api import review as api_review
    from .pages import account as pages_account
    from .pages import admin as pages_admin
    from .pages import audit_log as pages_audit
    from .pages import booking as pages_booking
    from .pages import clinic as pages_clinic
    from .pages import clinic_patient as pages_clinic_patient
    from .pages import desk as pages_desk
    from .pages import docs as pages_docs
    from .pages import info as pages_info
    from .pages import letters as pages_letters
    from .pages import patient as pages_patient
    from .pages import records as pages_records
    from .pages import review as pages_review
    from .pages import worklist as pages_worklist

    # Routes are matched in order: the clinic pages, viewed most, come first (paths of the
    # routers do not overlap, so the order changes nothing else).
    routers = (pages_worklist, pages_clinic, api_clinic, pages_patient, api_patient, api_kb)
    for module in (*routers, api_letters, api_records, api_review, api_booking):
        app.include_router(module.router)
    app.include_router(api_reports.router)  # case report and patient letter
    app.include_router(pages_review.router)  # video review, conflicts
    app.include_router(pages_records.router)  # dated results, corrections
    app.include_router(pages_letters.router)  # reading a referral letter
    # accounts; the front desk's slots and calendar; the patient's booking
    for module in (pages_account, pages_admin, pages_docs, pages_desk, pages_booking):
        app.include_router(module.router)
    app.include_router(pages_audit.router)  # the audit trail (administrators)
    for module in (pages_clinic_patient, pages_info):  # the patient's side
        app.include_router(module.router)
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")


def create_app(settings: Settings, *, runner: JobRunner | None = None) -> FastAPI:
    """Build the app; the database is migrated and unfinished jobs re-queued on start."""
    settings.validate()
    ctx = AppContext(
        settings=settings,
        db=Database(settings.database_url),
        kb=clinic_knowledge_base(settings),
        runner=runner,  # type: ignore[arg-type]  # set just below
        templates=make_templates(auto_reload=settings.mode == "dev"),
        views=ReadCache(settings.view_cache_entries),
    )
    ctx.runner = runner or make_runner(settings, ctx)
    ctx.booking_mailer = booking_mail.make_mailer(settings)
    ctx.mailer = Mailer(ctx.db.factory, settings.smtp)
    ctx.outbox = Outbox(settings.clinic, ctx.mailer.submit)
    if settings.smtp.enabled:  # booking e-mails through the outbox too (else kept in memory)
        ctx.booking_mailer = OutboxMailer(ctx.db.factory, ctx.mailer.submit)
    ctx.scheduler = make_scheduler(settings, ctx)

    app = FastAPI(
        title="hemifacial clinic",
        version=__version__,
        description="Consultation requests, case records, cause ranking and video "
        "measurement for hemifacial spasm. Decision support only.",
        lifespan=_lifespan(ctx),
        # Every route, page or API, passes the declared access policy, then the CSRF check:
        # no route can forget either. The API docs are served below, from local files.
        dependencies=[Depends(authorize), Depends(csrf_protect)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.ctx = ctx
    errors.install(app)

    _include_routes(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", response_class=PlainTextResponse, include_in_schema=False)
    async def healthz() -> str:
        return "ok"

    check_complete(app)  # a route without a declared access policy: refuse to start
    app.add_middleware(UploadGuard)  # before any body of an upload is read
    app.add_middleware(Language, secure=settings.https)  # the patient's language (its refusals too)
    app.add_middleware(SecurityHeaders, hsts=settings.https)
    return app


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""No inline or foreign script anywhere (the templates and the API docs load theirs from
/static); style attributes stay allowed (the bars of the ranking are sized by them)."""
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # patient links carry their token in the URL
    (b"content-security-policy", CSP.encode()),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Pure ASGI middleware adding security headers to every response (HSTS when the app
    is served over HTTPS, i.e. not on loopback)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if hsts else SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


YOUNG_COLLECTION_EVERY = 50_000
"""Allocations between two young-generation collections in a serving process (CPython's
default is 700). A page view keeps thousands of objects alive for its few milliseconds, with
up to 16 views in flight per worker, so at 700 the young collections found them alive,
promoted them, and the oldest generation filled with the debris of finished views: a full
collection every ~150 views, each stopping every request of the worker for 0.06–0.2 s, the
tail of the p95. At 50,000 most of a view's objects are freed by reference counting before
any collection sees them (docs/web.md, "Garbage collection": p95 measured with 700, 20,000,
50,000 and 100,000)."""


def prepare_to_serve(app: FastAPI) -> None:
    """What the serving process does once, before its first request (``app_from_env`` and
    ``hemifacial serve``; tests and embedding programs that call ``create_app`` keep their
    own collector and pay for a template only when they render it): collect the young
    generation every :data:`YOUNG_COLLECTION_EVERY` allocations, compile every template and
    build the pieces all case pages share, so the first concurrent requests of a fresh
    worker do not each compile them at once."""
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
    ctx: AppContext = app.state.ctx
    compile_templates(ctx.templates)
    warm_case_pieces(ctx)


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory hemifacial.web.app:app_from_env`` (settings from env)."""
    from hemifacial.errors import SettingsError
    from hemifacial.settings import from_env

    try:
        settings = from_env()
    except SettingsError as exc:  # one clear line instead of uvicorn's traceback
        raise SystemExit(f"error: {exc}") from None
    app = create_app(settings)
    prepare_to_serve(app)
    return app
