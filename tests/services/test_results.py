"""Dated test results with their report, attachment and author; corrections of notes,
visits and findings; what a save changed, in words."""

from __future__ import annotations

import datetime as dt
import io
import stat
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.errors import FormError, NotFoundError, UploadTooLargeError
from hemifacial.services import cases, edits, reads, results
from hemifacial.services.changes import describe_change, pct
from hemifacial.settings import Settings
from tests.services.test_intake_and_cases import submitted_case

KB = load_knowledge_base()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def _actions(s: Any) -> list[str]:
    return [a.action for a in s.scalars(select(t.AuditEvent).order_by(t.AuditEvent.id))]


def test_a_dated_result_with_an_attachment_re_ranks_and_says_what_changed(
    factory: Any, settings: Settings
) -> None:
    case_id, _ = submitted_case(factory)
    with transaction(factory) as s:
        since = results.latest_assessment_id(s, case_id)
        att = results.store_attachment(settings, [png()], "MRI scan.png")
        assert att.content_type == "image/png" and att.name == "MRI_scan.png"
        results.add_result(
            s,
            KB,
            case_id,
            test_id="mri_protocol",
            performed_on="2026-11-20",
            report="Mass in the left cerebellopontine angle.",
            findings={"mri_mass_lesion": "yes"},
            attachment=att,
            actor="doc",
        )
    with transaction(factory) as s:
        view = reads.case_view(s, KB, case_id, since=since)
        (r,) = view.results
        assert (r.performed_on, r.entered_by, r.attachment_name) == (
            dt.date(2026, 11, 20),
            "doc",
            "MRI_scan.png",
        )
        assert r.test_name == KB.tests["mri_protocol"].name
        assert [(f.finding_id, f.value, f.source) for f in r.findings] == [
            ("mri_mass_lesion", "yes", "test")
        ]
        assert view.changed[0].startswith("Tumour or other structural lesion ")
        assert any(line.startswith("leading cause now Tumour") for line in view.changed)
        found = results.attachment_file(s, settings, r.id)
        assert found.path.read_bytes() == png()
        assert stat.S_IMODE(found.path.stat().st_mode) == 0o600
        assert "result.add" in _actions(s)
        case_id2 = results.delete_result(s, KB, r.id, "doc", settings)
        assert found.path.is_file()  # removed only once the deletion is committed
    assert not found.path.exists()
    with transaction(factory) as s:
        assert case_id2 == case_id and not reads.case_view(s, KB, case_id).results
        assert not [f for f in repo.findings_of(s, case_id) if f.source == "test"]
        assert _actions(s)[-1] == "result.delete"
        with pytest.raises(NotFoundError):
            results.attachment_file(s, settings, r.id)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("", "a date is needed"),
        ("20/11/2026", "a date like 2026-03-01"),
        ((dt.date.today() + dt.timedelta(days=1)).isoformat(), "is in the future"),
        ("1950-05-01", r"before the patient was born \(1960\)"),
    ],
)
def test_result_dates_are_validated(factory: Any, day: str, message: str) -> None:
    case_id, _ = submitted_case(factory)
    with transaction(factory) as s:
        with pytest.raises(FormError, match=message) as err:
            results.add_result(
                s,
                KB,
                case_id,
                test_id="",
                performed_on=day,
                report="x",
                findings={},
                attachment=None,
                actor="doc",
            )
        assert list(err.value.fields) == ["performed_on"]


def test_attachments_are_probed_and_size_limited(settings: Settings) -> None:
    with pytest.raises(FormError, match="not a PDF or a PNG/JPEG image"):
        results.store_attachment(settings, [b"<html>hello</html>"], "report.pdf")
    with pytest.raises(FormError, match="not a PDF"):
        results.store_attachment(settings, [b"\x89PNG\r\n\x1a\n" + b"junk" * 10], "x.png")
    pdf = results.store_attachment(settings, [b"%PDF-1.4\n%%EOF\n"], "report")
    assert (pdf.content_type, pdf.name) == ("application/pdf", "report.pdf")
    big = [b"%PDF-" + b"0" * (1024 * 1024)] * 6  # the test settings allow 5 MB uploads
    with pytest.raises(UploadTooLargeError, match="5 MB"):
        results.store_attachment(settings, big, "big.pdf")
    leftovers = [p for p in results.attachment_dir(settings).iterdir() if p.is_file()]
    assert leftovers == []  # refused files are not kept


def test_notes_visits_and_findings_are_corrected_and_removed_with_an_audit(factory: Any) -> None:
    case_id, _ = submitted_case(factory)
    with transaction(factory) as s:
        note = cases.add_note(s, case_id, "first wording", "doc")
        visit = cases.add_visit(s, case_id, "2026-10-01", "baseline", "", "doc")
        with pytest.raises(FormError, match="in the future"):
            cases.add_visit(s, case_id, "2999-01-01", "", "", "doc")
    with transaction(factory) as s:
        edits.edit_note(s, note.id, "second wording", "doc2")
        edits.edit_visit(s, visit.id, "2026-10-02", "baseline visit", "toxin", "doc2")
        side = next(r for r in repo.findings_of(s, case_id) if r.finding_id == "side")
        edits.edit_finding(s, KB, side.id, "right", "doc2")
    with transaction(factory) as s:
        view = reads.case_view(s, KB, case_id)
        assert [n.text for n in view.notes] == ["second wording"]
        assert (view.visits[0].visited_on, view.visits[0].treatment) == (
            dt.date(2026, 10, 2),
            "toxin",
        )
        assert view.assessment is not None
        assert view.assessment.trigger == "patient finding corrected: side"
        edited = s.scalars(select(t.AuditEvent).where(t.AuditEvent.action == "note.edit")).one()
        assert (edited.actor, edited.detail["old"]) == ("doc2", "first wording")
        fe = s.scalars(select(t.AuditEvent).where(t.AuditEvent.action == "finding.edit")).one()
        assert (fe.detail["old"], fe.detail["new"]) == ("left", "right")
        edits.delete_note(s, note.id, "doc2")
        edits.delete_visit(s, visit.id, "doc2")
        edits.delete_finding(s, KB, side.id, "doc2")
    with transaction(factory) as s:
        view = reads.case_view(s, KB, case_id)
        assert not view.notes and not view.visits
        assert "side" not in {f.finding_id for f in view.findings}
        assert _actions(s)[-3:] == ["note.delete", "visit.delete", "finding.delete"]
        with pytest.raises(FormError, match="must be"):
            other = next(r for r in repo.findings_of(s, case_id) if r.finding_id == "age_at_onset")
            edits.edit_finding(s, KB, other.id, "old", "doc2")


def test_the_change_names_moved_conditions_and_red_flags() -> None:
    before = {
        "ranking": [
            {"condition_id": "a", "name": "Primary", "probability": 0.9},
            {"condition_id": "b", "name": "Tumour", "probability": 0.0008},
        ],
        "red_flags": [],
    }
    after = {
        "ranking": [
            {"condition_id": "b", "name": "Tumour", "probability": 0.21},
            {"condition_id": "a", "name": "Primary", "probability": 0.995},
        ],
        "red_flags": [{"id": "mass", "message": "a mass on MRI"}],
    }
    assert describe_change(before, after) == (
        "Tumour 0.08% → 21%",
        "Primary 90% → 99.5%",
        "leading cause now Tumour (was Primary)",
        "new red flag: a mass on MRI",
    )
    assert describe_change(before, before) == ("the ranking did not change",)
    assert (pct(0.5), pct(0.0008), pct(0.9951)) == ("50%", "0.08%", "99.5%")
