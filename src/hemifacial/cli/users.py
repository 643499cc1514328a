"""``hemifacial users add|list|disable|enable|role|passwd|reset-2fa``: the account lifecycle
from the shell (the same services as the admin pages; every change audited as "cli").

A password is never an argument (arguments are visible to every user in ``ps``): it is asked
for twice at a prompt (``getpass``, not echoed), or read from the first line of standard
input with ``--password-stdin`` (for scripts: ``pass show clinic/doc | hemifacial users ...``).
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from hemifacial import settings as settings_mod

ACTOR = "cli"
ROLES = ("admin", "clinician", "front_desk", "auditor")  # the same as services.accounts.ROLES


def _factory() -> sessionmaker[Session]:
    from hemifacial.db.engine import make_engine, migrate, session_factory

    settings = settings_mod.from_env()
    engine = make_engine(settings.database_url)
    migrate(engine)
    return session_factory(engine)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise click.UsageError("--password-stdin: standard input gave no password")
        return line
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        raise click.UsageError("the two passwords differ; nothing was changed")
    return first


stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input."
)


@click.group()
def users() -> None:
    """Clinic accounts: add, list, disable, enable, set the role, set a password."""


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="The name shown in the app.")
@click.option("--role", type=click.Choice(ROLES), default="clinician", show_default=True)
@stdin_option
def add(username: str, display_name: str, role: str, password_stdin: bool) -> None:
    """Add an account (admins, clinicians and auditors set up their second factor at the
    first login)."""
    from hemifacial.db.engine import transaction
    from hemifacial.services import accounts

    password = _password(password_stdin)
    with transaction(_factory()) as s:
        accounts.create_user(s, username, password, display_name or username, role, actor=ACTOR)
    click.echo(f"added {role} account '{username.strip().lower()}'")


@users.command("list")
def list_() -> None:
    """Every account with its role, state and second factor."""
    from hemifacial.db.engine import transaction
    from hemifacial.services import accounts

    with transaction(_factory()) as s:
        rows = accounts.list_users(s)
    for u in rows:
        state = "disabled" if u.disabled else "active"
        mfa = "2FA" if u.second_factor else "no 2FA"
        click.echo(f"{u.username:<20} {u.role:<11} {state:<8} {mfa:<7} {u.display_name}")


@users.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Disable an account; its sessions end at once."""
    _change(username, "disabled", lambda s, a: a.set_disabled(s, username, True, ACTOR))


@users.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Enable a disabled account again."""
    _change(username, "enabled", lambda s, a: a.set_disabled(s, username, False, ACTOR))


@users.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def role(username: str, role: str) -> None:
    """Set the role of an account (its sessions end)."""
    _change(username, f"now {role}", lambda s, a: a.set_role(s, username, role, ACTOR))


@users.command("passwd")
@click.argument("username")
@stdin_option
def passwd(username: str, password_stdin: bool) -> None:
    """Set a new password (every session of the account ends)."""
    password = _password(password_stdin)
    _change(
        username, "has a new password", lambda s, a: a.reset_password(s, username, password, ACTOR)
    )


@users.command("reset-2fa")
@click.argument("username")
def reset_2fa(username: str) -> None:
    """Forget the second factor (a lost phone); it is set up again at the next login."""
    _change(
        username,
        "will set up a second factor again",
        lambda s, a: a.reset_second_factor(s, username, ACTOR),
    )


def _change(username: str, done: str, change: Callable[[Session, Any], None]) -> None:
    from hemifacial.db.engine import transaction
    from hemifacial.services import accounts

    with transaction(_factory()) as s:
        change(s, accounts)
    click.echo(f"'{username.strip().lower()}' {done}")
