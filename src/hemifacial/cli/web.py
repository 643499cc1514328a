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
    hidden=True,
    help="Refused: a password on the command line is visible to every user (ps).",
)
def serve(
    demo: bool, host: str, port: int, data_dir: Path | None, create_user: tuple[str, str] | None
) -> None:
    """Run the clinic web app (patient request form, clinic pages, JSON API at /docs)."""
    if create_user:
        raise click.UsageError(
            "--create-user is gone: a password on the command line can be read by every "
            "user of the machine (ps). Use `hemifacial users add USERNAME --role clinician` "
            "(it asks for the password, or reads it with --password-stdin)."
        )
    import uvicorn

    from hemifacial.db.engine import make_engine, migrate
    from hemifacial.web.app import create_app, prepare_to_serve

    if demo:
        env = dict(os.environ)
        base = data_dir or Path(tempfile.mkdtemp(prefix="hemifacial-demo-"))
        env["HEMIFACIAL_DATA_DIR"] = str(base)
        env.pop("HEMIFACIAL_DATABASE_URL", None)
        env["HEMIFACIAL_JOBS"] = "inprocess"
        env.setdefault("HEMIFACIAL_PUBLIC_URL", f"http://{host}:{port}")
        settings = settings_mod.from_env(env, mode="demo")
    else:
        env = dict(os.environ)
        if env.get("HEMIFACIAL_MODE", "production") != "production":
            env.setdefault("HEMIFACIAL_PUBLIC_URL", f"http://{host}:{port}")
        settings = settings_mod.from_env(env)
    engine = make_engine(settings.database_url)
    migrate(engine)
    app = create_app(settings)
    url = f"http://{host}:{port}"
    if demo:
        from hemifacial.services.demo import seed

        ctx = app.state.ctx
        login = seed(ctx.db, ctx.kb, settings)
        ctx.cache["demo_login"] = login  # the login page shows it (demo mode only)
        click.echo(f"hemifacial demo: data in {settings.data_dir}")
        click.echo(f"  patient request form:  {url}/request")
        click.echo(f"  clinic dashboard:      {url}/clinic")
        click.echo(f"  JSON API:              {url}/docs")
        click.echo(
            f"  demo clinician login:  username '{login.username}', password "
            f"'{login.password}', authenticator secret {login.secret} (the login page "
            "shows the current one-time code)"
        )
    else:
        click.echo(f"hemifacial clinic app on {url} (database {_safe(settings.database_url)})")
    engine.dispose()
    prepare_to_serve(app)
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
