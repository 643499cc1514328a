"""The case report for the referring physician: sections, escaping, reasons, PDF pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from markupsafe import escape
from PIL import Image

from hemifacial import reports
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import LIMITS
from hemifacial.reports.case import WEAK_BAND, course_lines, main_reasons
from hemifacial.reports.render import percent, without_cli_advice
from hemifacial.services import reports as report_service

from .conftest import HOSTILE, Seeded

SECTIONS = (
    "summary",
    "red-flags",
    "ranking",
    "work-up",
    "findings",
    "video",
    "course",
    "notes",
    "evidence",
    "disclaimer",
)
NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def typical_html(seeded: Seeded, kb: KnowledgeBase, plot_dir: Path) -> str:
    with seeded.db.reader() as s:
        return report_service.case_report_html(s, kb, plot_dir, seeded.typical)


@pytest.fixture(scope="module")
def typical_pdf(seeded: Seeded, kb: KnowledgeBase, plot_dir: Path) -> bytes:
    with seeded.db.reader() as s:
        return report_service.case_report_pdf(s, kb, plot_dir, seeded.typical)


def test_the_report_has_every_section_the_physician_needs(
    typical_html: str, seeded: Seeded, kb: KnowledgeBase
) -> None:
    for section in SECTIONS:
        assert f'id="{section}"' in typical_html, section
    view = seeded.view(kb, seeded.typical)
    assert view.assessment is not None
    assert view.assessment.kb_version in typical_html
    assert view.assessment.kb_hash in typical_html
    assert all(str(escape(limit)) in typical_html for limit in LIMITS)
    assert view.assessment.result.leading.name in typical_html
    assert typical_html.count("data:image/png;base64,") == 2  # both videos' timelines
    assert "after toxin" in typical_html and "phone call" in typical_html


def test_everything_from_the_database_is_escaped(typical_html: str) -> None:
    assert "<script>" not in typical_html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in typical_html
    assert (
        "<b>toxin</b>" not in typical_html and "&lt;b&gt;toxin&lt;/b&gt; &amp; rest" in typical_html
    )
    assert "MRI requested &lt;urgent&gt;" in typical_html


def test_the_report_fetches_nothing(typical_html: str) -> None:
    assert "http://" not in typical_html and "https://" not in typical_html
    assert "<link" not in typical_html


def test_red_flags_come_before_the_ranking_and_name_their_action(
    seeded: Seeded, kb: KnowledgeBase, plot_dir: Path
) -> None:
    with seeded.db.reader() as s:
        html = report_service.case_report_html(s, kb, plot_dir, seeded.urgent)
    view = seeded.view(kb, seeded.urgent)
    assert view.assessment is not None
    flags = view.assessment.result.red_flags
    assert any(f.level == "urgent" for f in flags)
    assert html.index('id="red-flags"') < html.index('id="ranking"')
    assert 'class="flags"' in html
    for f in flags:
        assert str(escape(f.action)) in html


def test_main_reasons_are_the_strongest_few_and_the_rest_is_counted(
    seeded: Seeded, kb: KnowledgeBase
) -> None:
    view = seeded.view(kb, seeded.typical)
    assert view.assessment is not None
    explanations = view.assessment.result.explanations
    reasons = main_reasons(view, limit=2)
    assert [r.condition_id for r in reasons] == list(explanations)
    for r in reasons:
        assert len(r.shown) <= 2
        assert all(not WEAK_BAND[0] <= c.likelihood_ratio < WEAK_BAND[1] for c in r.shown)
        strongest = [
            c
            for c in explanations[r.condition_id]
            if not WEAK_BAND[0] <= c.likelihood_ratio < WEAK_BAND[1]
        ][:2]
        assert list(r.shown) == strongest
        assert r.folded == len(explanations[r.condition_id]) - len(r.shown)


def test_the_course_lists_visits_without_a_measured_video(
    seeded: Seeded, kb: KnowledgeBase
) -> None:
    lines = course_lines(seeded.view(kb, seeded.typical))
    assert [(line.visit, line.measured) for line in lines] == [
        ("first visit", True),
        ("after toxin", True),
        ("phone call", False),
    ]
    assert [line.date for line in lines] == sorted(line.date for line in lines)


def test_a_request_without_findings_says_so(seeded: Seeded, kb: KnowledgeBase) -> None:
    view = seeded.view(kb, seeded.empty)
    html = reports.case_report_html(view, kb, {}, NOW)
    assert "insufficient information" in html
    assert "No measured video yet." in html and "No visits recorded yet." in html


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (0.5, "50%"),
        (0.995, "99.5%"),
        (0.004, "0.4%"),
        (0.0004, "<0.1%"),
        (0.9996, ">99.9%"),
        (0.0, "0%"),
        (float("nan"), "–"),
    ],
)
def test_percentages_keep_one_decimal_near_the_ends(p: float, shown: str) -> None:
    assert percent(p) == shown


def test_the_pdf_renders_with_the_name_and_the_leading_cause(
    typical_pdf: bytes, seeded: Seeded, kb: KnowledgeBase, tmp_path: Path
) -> None:
    assert typical_pdf.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(typical_pdf)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert HOSTILE in " ".join(text.split())
    view = seeded.view(kb, seeded.typical)
    assert view.assessment is not None
    assert view.assessment.result.leading.name in " ".join(text.split())
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, check=True, text=True
    ).stdout
    assert "DejaVu-Sans" in fonts and "WenQuanYi" in fonts  # the CJK name has its font


def first_page_png(pdf: bytes, tmp_path: Path) -> Image.Image:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    assert png.startswith(b"\x89PNG")
    return Image.open(io.BytesIO(png)).convert("L")


def test_the_first_page_is_not_blank(typical_pdf: bytes, tmp_path: Path) -> None:
    page = first_page_png(typical_pdf, tmp_path)
    assert page.width < page.height  # portrait A4
    ink = page.histogram()[:128]  # pixels darker than mid-grey
    dark = sum(ink) / (page.width * page.height)
    assert 0.01 < dark < 0.5, f"{dark:.3f} of the page is ink"


def test_the_report_stays_a_few_pages(typical_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(typical_pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )
    assert 2 <= pages <= 6


def test_a_draft_without_an_assessment_still_renders(seeded: Seeded, kb: KnowledgeBase) -> None:
    view = dataclasses.replace(seeded.view(kb, seeded.typical), assessment=None)
    html = reports.case_report_html(view, kb, {}, NOW)
    assert "No assessment yet" in html and 'id="red-flags"' not in html
    letter = reports.plain_text(reports.patient_letter_html(view, kb, NOW))
    assert "We do not have enough answers yet" in letter


def test_analysis_notes_lose_their_command_line_advice() -> None:
    note = "sides assume a non-mirrored recording (use --mirrored for selfie-mirrored clips)"
    assert without_cli_advice(note) == "sides assume a non-mirrored recording"
    assert without_cli_advice("short clip (11.8 s): rates are imprecise") == (
        "short clip (11.8 s): rates are imprecise"
    )
