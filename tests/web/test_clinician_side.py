"""The clinician's side of the case page over HTTP: the video streamed with range requests
(audited), events and side judged, conflicts chosen, dated results with an attachment,
corrections, and the confirmation of what changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.jobs.inprocess import InProcessRunner
from tests.doubles import events_analyzer
from tests.services.test_results import png

from .helpers import MP4, TYPICAL, intake


@pytest.fixture
def analysed(clinician: Any, app: Any) -> Iterator[tuple[int, int]]:
    """A case (the patient says left) with a video the analyser reads as both sides."""
    ctx = app.state.ctx
    ctx.runner.stop()
    ctx.runner = InProcessRunner(ctx.db.factory, ctx.settings, ctx.kb, analyzer=events_analyzer)
    ctx.runner.start()
    case_id = intake(clinician, "Vera Video", TYPICAL)["case_id"]
    r = clinician.post(
        f"/api/v1/cases/{case_id}/videos", files={"file": ("clip.mp4", MP4, "video/mp4")}
    )
    assert r.status_code == 202, r.text
    ctx.runner.join()
    yield case_id, int(r.json()["video_id"])
    ctx.runner.stop()


def _audit(app: Any, action: str) -> list[t.AuditEvent]:
    with app.state.ctx.db.unit_of_work() as s:
        return list(s.scalars(select(t.AuditEvent).where(t.AuditEvent.action == action)))


def test_a_video_is_playable_before_its_analysis_finishes(clinician: Any, app: Any) -> None:
    case_id = intake(clinician, "Quinn Queued", TYPICAL)["case_id"]
    app.state.ctx.runner.stop()  # the job stays queued
    r = clinician.post(
        f"/api/v1/cases/{case_id}/videos", files={"file": ("clip.mp4", MP4, "video/mp4")}
    )
    video_id = r.json()["video_id"]
    page = clinician.get(f"/clinic/cases/{case_id}").text
    assert f'<video id="video-{video_id}" class="player"' in page and "Analysis queued" in page
    assert clinician.get(f"/clinic/videos/{video_id}/media").content == MP4


def test_the_video_streams_in_ranges_and_every_request_is_audited(
    clinician: Any, client: Any, app: Any, analysed: tuple[int, int]
) -> None:
    case_id, video_id = analysed
    url = f"/clinic/videos/{video_id}/media"
    whole = clinician.get(url)
    assert whole.status_code == 200 and whole.content == MP4
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    part = clinician.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == MP4[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(MP4)}"
    tail = clinician.get(url, headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == MP4[-5:]
    bad = clinician.get(url, headers={"Range": f"bytes={len(MP4) + 10}-"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{len(MP4)}"
    anonymous = client.get(url, follow_redirects=False)
    assert anonymous.status_code in (303, 401) and anonymous.content != MP4  # not logged in
    assert clinician.get("/clinic/videos/999/media").status_code == 404
    rows = _audit(app, "video.stream")
    assert [(r.actor, r.case_id, r.detail["range"]) for r in rows] == [
        ("doc", case_id, ""),
        ("doc", case_id, "bytes=10-19"),
        ("doc", case_id, "bytes=-5"),
        ("doc", case_id, f"bytes={len(MP4) + 10}-"),
    ]


def test_the_case_page_has_the_player_timeline_and_the_conflict_banner(
    clinician: Any, analysed: tuple[int, int]
) -> None:
    case_id, video_id = analysed
    page = clinician.get(f"/clinic/cases/{case_id}").text
    assert 'data-finding="side"' in page
    assert f'<video id="video-{video_id}"' in page and f"/clinic/videos/{video_id}/media" in page
    assert page.count('class="tl-event') == 5 and 'data-start="3.700"' in page
    assert "<script>" not in page and "onclick=" not in page.split('id="patient-link"')[0]
    banner = page.split('id="conflicts"')[1].split("</section>")[0]
    assert "Which side of the face" in banner or "Side" in banner
    assert re.search(r"the patient says left; the video suggests both \(\d+% certain\)", banner)
    assert "The ranking uses left (the patient says)" in banner
    assert 'name="value" value="both"' in banner


def test_an_event_marked_wrong_changes_the_findings_and_says_so(
    clinician: Any, app: Any, analysed: tuple[int, int]
) -> None:
    case_id, video_id = analysed
    r = clinician.post(
        f"/clinic/videos/{video_id}/events/2", data={"verdict": "wrong"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert re.fullmatch(
        rf"/clinic/cases/{case_id}\?saved=review&since=\d+&at=video-{video_id}#video-{video_id}",
        r.headers["location"],
    )
    page = clinician.get(r.headers["location"]).text
    flash = page.split(f'id="flash-video-{video_id}"')[1].split("</div>")[0]
    assert "Your review of the video is saved." in flash
    assert "Affected side: <b>right</b>" in page  # the counted metrics
    assert "side = right" in page
    assert 'class="tl-event k-clonic v-wrong"' in page
    assert [r.detail["verdict"] for r in _audit(app, "video.review")] == ["wrong"]
    r = clinician.post(
        f"/clinic/videos/{video_id}/side", data={"side": "up"}, follow_redirects=False
    )
    assert r.status_code == 422 and "Side must be right, left, both or clear" in r.text


def test_a_conflict_is_resolved_by_the_clinicians_choice(
    clinician: Any, app: Any, analysed: tuple[int, int]
) -> None:
    case_id, _ = analysed
    r = clinician.post(
        f"/clinic/cases/{case_id}/conflicts",
        data={"finding": "side", "value": "both"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "saved=conflict" in r.headers["location"]
    page = clinician.get(r.headers["location"]).text
    assert 'data-finding="side"' not in page  # no longer an open disagreement
    assert "it now counts over the other sources" in page
    case = clinician.get(f"/api/v1/cases/{case_id}").json()
    assert case["assessment"]["sources"]["side"] == "clinician"
    assert [a.detail for a in _audit(app, "conflict.resolve")] == [
        {"finding": "side", "value": "both"}
    ]


def test_a_dated_result_with_an_attachment_re_ranks_and_confirms(clinician: Any, app: Any) -> None:
    case_id = intake(clinician, "Ron Result", TYPICAL)["case_id"]
    r = clinician.post(
        f"/clinic/cases/{case_id}/results",
        data={
            "test_id": "mri_protocol",
            "performed_on": "2026-11-20",
            "report": "<b>Mass</b> in the left CPA.",
            "f.mri_mass_lesion": "yes",
        },
        files={"attachment": ("mri.png", png(), "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = clinician.get(r.headers["location"]).text
    flash = page.split('id="flash"')[1].split("</div>")[0]
    assert "Test result saved." in flash and "Tumour or other structural lesion" in flash
    assert "new red flag" in flash
    assert "&lt;b&gt;Mass&lt;/b&gt; in the left CPA." in page  # the report, escaped
    assert "2026-11-20 · entered by doc" in page
    result_id = int(re.search(r"/clinic/results/(\d+)/attachment", page).group(1))  # type: ignore[union-attr]
    # the form shows the current value of the finding
    assert re.search(r'id="test-mri_mass_lesion".*?value="yes" selected', page, re.S)
    got = clinician.get(f"/clinic/results/{result_id}/attachment")
    assert got.status_code == 200 and got.content == png()
    assert got.headers["content-disposition"].startswith("attachment;")
    assert 'filename="mri.png"' in got.headers["content-disposition"]
    assert got.headers["content-type"] == "image/png"
    assert _audit(app, "result.attachment")[0].detail == {"result_id": result_id}
    # a bad date and a file that is not a PDF or image: errors, nothing kept
    r = clinician.post(
        f"/clinic/cases/{case_id}/results",
        data={"performed_on": "2999-01-01", "f.mri_mass_lesion": "no"},
        files={"attachment": ("x.pdf", b"MZ not a pdf", "application/pdf")},
    )
    assert r.status_code == 422 and "not a PDF or a PNG/JPEG image" in r.text
    r = clinician.post(
        f"/clinic/cases/{case_id}/results",
        data={"performed_on": "2999-01-01", "f.mri_mass_lesion": "no"},
    )
    assert r.status_code == 422 and "2999-01-01 is in the future" in r.text
    with app.state.ctx.db.unit_of_work() as s:
        assert len(s.scalars(select(t.TestResult)).all()) == 1


def test_corrections_are_audited_and_cross_case_edits_refused(clinician: Any, app: Any) -> None:
    case_id = intake(clinician, "Ed Edit", TYPICAL)["case_id"]
    other = intake(clinician, "Other", TYPICAL)["case_id"]
    clinician.post(f"/clinic/cases/{case_id}/notes", data={"text": "first"})
    page = clinician.get(f"/clinic/cases/{case_id}").text
    note_id = int(re.search(r'id="note-(\d+)"', page).group(1))  # type: ignore[union-attr]
    r = clinician.post(f"/clinic/cases/{other}/notes/{note_id}/edit", data={"text": "hijack"})
    assert r.status_code == 404
    r = clinician.post(
        f"/clinic/cases/{case_id}/notes/{note_id}/edit",
        data={"text": "second"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "saved=note-edited" in r.headers["location"]
    page = clinician.get(r.headers["location"]).text
    assert "Note corrected." in page and "second" in page
    assert _audit(app, "note.edit")[0].detail == {"note_id": note_id, "old": "first"}
    r = clinician.post(f"/clinic/cases/{case_id}/notes/{note_id}/edit", data={"text": " "})
    assert r.status_code == 422 and "the note is empty" in r.text
    r = clinician.post(
        f"/clinic/cases/{case_id}/visits", data={"visited_on": "2999-01-01", "label": "x"}
    )
    assert r.status_code == 422 and "is in the future" in r.text
