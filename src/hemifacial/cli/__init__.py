"""Command-line entry point: ``hemifacial assess|workup|kb|video|serve|worker|report|users``,
and ``audit|db|patient`` for the operator.

The root group only wires sub-commands; each sub-command reads its own options and turns
:class:`hemifacial.errors.HemifacialError` into a clear message and a non-zero exit.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from hemifacial import __version__
from hemifacial.errors import HemifacialError

# Sub-command groups living in other packages, imported only when used, so that
# `hemifacial assess` never pays for importing the video or web stacks.
_LAZY_COMMANDS = {
    "assess": ("hemifacial.cli.engine", "assess"),
    "workup": ("hemifacial.cli.engine", "workup"),
    "kb": ("hemifacial.cli.engine", "kb"),
    "video": ("hemifacial.cli.video", "video"),
    "serve": ("hemifacial.cli.web", "serve"),
    "worker": ("hemifacial.cli.web", "worker"),
    "report": ("hemifacial.cli.report", "report"),
    "audit": ("hemifacial.cli.admin", "audit"),
    "db": ("hemifacial.cli.admin", "db_group"),
    "patient": ("hemifacial.cli.admin", "patient"),
    "users": ("hemifacial.cli.users", "users"),
}

_HELP = {
    "assess": "Rank the causes for a case file.",
    "workup": "Interactive work-up in the terminal.",
    "kb": "Show, check or describe the evidence base.",
    "video": "Measure spasm from face videos.",
    "serve": "Run the clinic web app.",
    "worker": "Run a background worker for video analysis.",
    "report": "Write a case report (PDF/HTML) and the patient letter.",
    "audit": "Verify the hash-chained audit trail.",
    "db": "Back up or restore the database.",
    "patient": "Delete or anonymise a patient (audited).",
    "users": "Clinic accounts: add, list, disable, set the role or password.",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _LAZY_COMMANDS:
            return None
        module_name, attr = _LAZY_COMMANDS[name]
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:  # a missing optional extra, said plainly
            return _unavailable(name, exc)
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _HELP[name]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _unavailable(name: str, exc: ImportError) -> click.Command:
    def run(**_: Any) -> None:
        raise click.ClickException(
            f"'hemifacial {name}' is not available: {exc}. "
            "Install the full project with: pip install -e '.[video,web]'"
        )

    return click.Command(name, callback=run, help=_HELP[name])


@click.group(cls=_LazyGroup)
@click.version_option(__version__, prog_name="hemifacial")
def cli() -> None:
    """hemifacial: evidence-based work-up of hemifacial spasm (decision support only)."""


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a HemifacialError becomes a message on stderr and its exit code."""
    try:
        cli.main(args=argv, prog_name="hemifacial", standalone_mode=False)
    except HemifacialError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
