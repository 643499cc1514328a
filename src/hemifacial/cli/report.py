"""``hemifacial report CASE_ID --pdf out.pdf [--html out.html] [--letter out.pdf]``.

Reads the database named by the settings (``HEMIFACIAL_DATABASE_URL`` / ``HEMIFACIAL_DATA_DIR``,
as ``hemifacial serve`` does) and writes the case report and, if asked, the patient letter.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from hemifacial import settings as settings_mod

OutPath = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.command()
@click.argument("case_id", type=int)
@click.option("--pdf", "pdf", type=OutPath, default=None, help="Write the case report as PDF.")
@click.option("--html", "html", type=OutPath, default=None, help="Write it as HTML.")
@click.option("--letter", type=OutPath, default=None, help="Write the patient letter as PDF.")
def report(case_id: int, pdf: Path | None, html: Path | None, letter: Path | None) -> None:
    """Write the case report for the referring physician (and the patient letter)."""
    from hemifacial.services import reports
    from hemifacial.services.database import Database
    from hemifacial.services.knowledge import clinic_knowledge_base

    if not (pdf or html or letter):
        raise click.UsageError("say what to write: --pdf, --html and/or --letter")
    settings = settings_mod.from_env()
    kb = clinic_knowledge_base(settings)
    db = Database(settings.database_url)
    db.open()
    try:
        with db.reader() as s:
            outputs: list[tuple[Path, bytes]] = []
            if html or pdf:
                page = reports.case_report_html(s, kb, settings.plot_dir, case_id)
                if html:
                    outputs.append((html, page.encode("utf-8")))
                if pdf:
                    outputs.append((pdf, reports.html_to_pdf(page)))
            if letter:
                outputs.append((letter, reports.patient_letter_pdf(s, kb, case_id)))
        for kind in [k for k, p in (("pdf", pdf), ("html", html), ("letter", letter)) if p]:
            db.record(f"cli:{getpass.getuser()}", "report.view", case_id, kind=kind)
    finally:
        db.close()
    for path, data in outputs:
        path.write_bytes(data)
        click.echo(f"wrote {path} ({len(data) // 1024 + 1} KB)")
