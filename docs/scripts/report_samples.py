"""Render the sample case report and patient letter in ``docs/samples/`` from the demo data.

Seeds the demo cases (``hemifacial.services.demo.seed``) into a temporary SQLite database,
analyses their videos with the real pipeline (MediaPipe, the shared healthy-face clips),
then writes the report of case 1 and its patient letter as PDF, with the first page of
each rendered to PNG by ``pdftoppm``, and the case page as Chromium prints it (first page)::

    python docs/scripts/report_samples.py [--data-dir DIR] [--case 1]

``--data-dir`` keeps (and re-uses) the seeded database, so a second run skips the analysis.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from hemifacial.db import repositories as repo
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.services import demo, reports
from hemifacial.services.database import Database
from hemifacial.services.videos import run_video_job
from hemifacial.settings import Settings, from_env

OUT = Path(__file__).resolve().parents[1] / "samples"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--case", type=int, default=1)
    args = parser.parse_args()
    base = args.data_dir or Path(tempfile.mkdtemp(prefix="hemifacial-samples-"))
    settings = from_env(
        {"HEMIFACIAL_DATA_DIR": str(base), "HEMIFACIAL_JOBS": "inprocess"}, mode="demo"
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    kb = load_knowledge_base()
    db = Database(settings.database_url)
    db.open()
    try:
        demo.seed(db, kb, settings)
        with db.unit_of_work() as s:
            jobs = [j.id for j in repo.unfinished_jobs(s)]
        for job_id in jobs:
            print(f"analysing job {job_id}:", run_video_job(db.factory, settings, kb, job_id))
        OUT.mkdir(parents=True, exist_ok=True)
        with db.reader() as s:
            pdf = reports.case_report_pdf(s, kb, settings.plot_dir, args.case)
            letter = reports.patient_letter_pdf(s, kb, args.case)
    finally:
        db.close()
    for name, data in (("case_report", pdf), ("patient_letter", letter)):
        (OUT / f"{name}.pdf").write_bytes(data)
        _first_page(OUT / f"{name}.pdf", name)
        print(f"wrote {OUT / name}.pdf ({len(data) // 1024} KB) and its first page")
    print_case_page(settings, args.case)
    print(f"data in {base}")


def print_case_page(settings: Settings, case_id: int) -> None:
    """The case page printed by Chromium (the print stylesheet), first page as PNG."""
    from playwright.sync_api import sync_playwright

    from hemifacial.web.app import create_app
    from tests.web.server import running

    with running(create_app(settings)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{url}/login")
        page.fill("input[name=username]", demo.DEMO_USER[0])
        page.fill("input[name=password]", demo.DEMO_USER[1])
        page.click("button[type=submit]")
        page.goto(f"{url}/clinic/cases/{case_id}")
        pdf = Path(tempfile.mkdtemp()) / "case_page.pdf"
        page.pdf(path=str(pdf), format="A4")
        browser.close()
    _first_page(pdf, "case_page_print")
    print(f"wrote {OUT / 'case_page_print_page1.png'}")


def _first_page(pdf: Path, name: str) -> None:
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(OUT / f"{name}_page1"),
        ],
        check=True,
    )


if __name__ == "__main__":
    main()
