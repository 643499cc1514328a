"""``hemifacial audit verify``, ``hemifacial db backup|restore`` and
``hemifacial patient delete|anonymise`` (settings from the environment, as ``serve``)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hemifacial import settings as settings_mod

if TYPE_CHECKING:
    from hemifacial.services.database import Database
    from hemifacial.settings import Settings


def _database() -> tuple[Settings, Database]:
    from hemifacial.services.database import Database

    settings = settings_mod.from_env()
    db = Database(settings.database_url)
    db.open()
    return settings, db


@click.group()
def audit() -> None:
    """Check the audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain: exit 0 if intact, 1 naming each edited, deleted or moved row.

    Keep the printed head (row and hash) somewhere else: a later run whose chain no longer
    contains it shows that the trail was rewritten as a whole."""
    from hemifacial.services import audit as audit_service

    _, db = _database()
    try:
        verdict = audit_service.verify(db)
    finally:
        db.close()
    if verdict.ok:
        click.echo(
            f"audit trail intact: {verdict.rows} rows; head row {verdict.head_seq} "
            f"sha256 {verdict.head_hash}"
        )
        return
    click.echo(f"audit trail BROKEN ({len(verdict.problems)} problem(s)):", err=True)
    for p in verdict.problems:
        where = f"row {p.seq}" if p.seq is not None else "chain"
        click.echo(f"  {where}: {p.message}", err=True)
    sys.exit(1)


@click.group("db")
def db_group() -> None:
    """Back up or restore the clinic database."""


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--logical", is_flag=True, help="PostgreSQL: a logical dump, not pg_dump.")
def db_backup(path: Path, logical: bool) -> None:
    """Write a consistent backup to PATH (owner-only); safe while the app runs."""
    from hemifacial.db.backup import backup
    from hemifacial.db.engine import make_engine

    settings = settings_mod.from_env()
    engine = make_engine(settings.database_url)
    try:
        method = backup(engine, path, use_tools=not logical)
    finally:
        engine.dispose()
    click.echo(f"backup written to {path} ({method}, {path.stat().st_size // 1024 + 1} KB)")


@db_group.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database.")
def db_restore(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH (stop the app first)."""
    from hemifacial.db.backup import restore
    from hemifacial.db.engine import make_engine, redact

    settings = settings_mod.from_env()
    if not yes:
        click.confirm(f"replace everything in {redact(settings.database_url)}?", abort=True)
    engine = make_engine(settings.database_url)
    try:
        method = restore(engine, path)
    finally:
        engine.dispose()
    click.echo(f"restored from {path} ({method}); run `hemifacial audit verify` to check it")


@click.group()
def patient() -> None:
    """Delete or anonymise a patient's case (audited)."""


def _erase(case_id: int, yes: bool, anonymise: bool) -> None:
    from hemifacial.services import erasure

    what = "anonymise" if anonymise else "delete"
    if not yes:
        click.confirm(f"{what} case {case_id} and its files for good?", abort=True)
    settings, db = _database()
    try:
        with db.unit_of_work() as s:
            run = erasure.anonymise_patient if anonymise else erasure.delete_patient
            done = run(s, settings, case_id, f"cli:{getpass.getuser()}")
    finally:
        db.close()
    click.echo(
        f"case {done.case_id}: {what}d ({done.findings} findings, {done.videos} videos, "
        f"{done.files} files)"
    )


@patient.command("delete")
@click.argument("case_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask.")
def patient_delete(case_id: int, yes: bool) -> None:
    """Delete case CASE_ID with all its data, videos and plots."""
    _erase(case_id, yes, anonymise=False)


@patient.command("anonymise")
@click.argument("case_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask.")
def patient_anonymise(case_id: int, yes: bool) -> None:
    """Keep case CASE_ID's findings; remove name, contact, notes, videos and links."""
    _erase(case_id, yes, anonymise=True)
