"""``hemifacial serve [--demo]`` and ``hemifacial worker``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from hemifacial import settings as settings_mod
from hemifacial.errors import HemifacialError


@click.command()
@click.option(
    "--demo",
    is_flag=True,
    help="SQLite in a temporary directory, demo cases and a "
    "demo clinician account (printed on start).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the demo keeps its database and uploads (default: a new temp dir).",
)
@click.option(
    "--create-user",
    nargs=2,
    metavar="USERNAME PASSWORD",
    default=None,
    help="Create a clinician account before starting.",
)
def serve(
    demo: bool, host: str, port: int, data_dir: Path | None, create_user: tuple[str, str] | None
) -> None:
    """Run the clinic web app (patient request form, clinic pages, JSON API at /docs)."""
    import uvicorn

    from hemifacial.db.engine import make_engine, migrate, session_factory, transaction
    from hemifacial.services import accounts
    from hemifacial.web.app import create_app

    if demo:
        env = dict(os.environ)
        base = data_dir or Path(tempfile.mkdtemp(prefix="hemifacial-demo-"))
        env["HEMIFACIAL_DATA_DIR"] = str(base)
        env.pop("HEMIFACIAL_DATABASE_URL", None)
        env["HEMIFACIAL_JOBS"] = "inprocess"
        settings = settings_mod.from_env(env, mode="demo")
    else:
        settings = settings_mod.from_env()
    engine = make_engine(settings.database_url)
    migrate(engine)
    factory = session_factory(engine)
    if create_user:
        with transaction(factory) as s:
            accounts.create_user(s, create_user[0], create_user[1], create_user[0])
        click.echo(f"created clinician account '{create_user[0]}'")
    app = create_app(settings)
    url = f"http://{host}:{port}"
    if demo:
        from hemifacial.services.demo import seed

        ctx = app.state.ctx
        login = seed(ctx.db, ctx.kb, settings)
        click.echo(f"hemifacial demo: data in {settings.data_dir}")
        click.echo(f"  patient request form:  {url}/request")
        click.echo(f"  clinic dashboard:      {url}/clinic")
        click.echo(f"  demo clinician login:  username '{login[0]}', password '{login[1]}'")
        click.echo(f"  JSON API:              {url}/docs")
    else:
        click.echo(f"hemifacial clinic app on {url} (database {_safe(settings.database_url)})")
    engine.dispose()
    # uvloop and the C HTTP parser (httptools): public uvicorn options, no subclassing.
    uvicorn.run(app, host=host, port=port, log_level="warning", loop="uvloop", http="httptools")


def _safe(url: str) -> str:
    from hemifacial.db.engine import redact

    return redact(url)


@click.command()
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=int,
    help="Analyses at once (each already uses one process per core).",
)
def worker(concurrency: int) -> None:
    """Run a Celery worker for video analysis (HEMIFACIAL_JOBS=celery, Redis broker)."""
    from hemifacial.jobs.celery_app import check_redis, make_celery

    settings = settings_mod.from_env()
    if settings.jobs != "celery":
        raise click.ClickException(
            "HEMIFACIAL_JOBS is not 'celery': with the default in-process runner the web app "
            "analyses videos itself and needs no worker. Set HEMIFACIAL_JOBS=celery."
        )
    check_redis(settings.redis_url)
    from hemifacial.db.engine import make_engine, migrate

    migrate(make_engine(settings.database_url))
    app = make_celery(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    click.echo(f"hemifacial worker: queue '{settings.celery_queue}' on {settings.redis_url}")
    try:
        app.worker_main(
            [
                "worker",
                "--pool=solo" if concurrency == 1 else "--pool=threads",
                f"--concurrency={concurrency}",
                "-Q",
                settings.celery_queue,
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--beat",  # the periodic tasks (booking reminders; idempotent)
                f"--schedule={settings.data_dir / 'celerybeat-schedule'}",
            ]
        )
    except HemifacialError:
        raise
