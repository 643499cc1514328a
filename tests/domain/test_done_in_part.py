"""A test done in part: a finding only it reveals is recorded, so it was done; it is not
proposed again at full cost, but set apart to have the rest of its report recorded."""

from __future__ import annotations

from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import assess
from hemifacial.domain.reasoning.next_test import TestPlan as Plan
from hemifacial.domain.reasoning.next_test import (
    completion_words,
    done_in_part,
    finding_words,
    plan_tests,
)

NEW_RIPPLING_IN_MS = {"known_ms": "yes", "contraction_pattern": "rippling", "acute_onset": "yes"}
MRI_FINDINGS = (
    "mri_mass_lesion",
    "mri_vascular_anomaly",
    "mri_demyelination",
    "mri_nvc_rez",
    "mri_pontine_lesion",
)


def _everywhere(plan: Plan) -> set[str]:
    """Every test id a plan names, in any of its lists."""
    return (
        {t.test_id for t in plan.ranked}
        | {t.test_id for t in plan.to_complete}
        | {t for t, _ in plan.superseded}
        | {t for t, _ in plan.contraindicated}
    )


def test_the_mri_with_its_contact_recorded_is_to_complete_not_ranked(kb: KnowledgeBase) -> None:
    before = plan_tests(kb, {"side": "left"}, "referral_clinic")
    assert "mri_protocol" in {t.test_id for t in before.ranked} and not before.to_complete
    plan = plan_tests(kb, {"side": "left", "mri_nvc_rez": "yes"}, "referral_clinic")
    assert "mri_protocol" not in {t.test_id for t in plan.ranked}
    (mri,) = plan.to_complete
    assert mri.test_id == "mri_protocol"
    assert mri.recorded_findings == ("mri_nvc_rez",)
    assert {"mri_mass_lesion", "mri_vascular_anomaly"} <= set(mri.pending_findings)
    assert "mri_nvc_rez" not in mri.pending_findings
    assert mri.score > 0 and not mri.urgent
    assert set(MRI_FINDINGS) == set(mri.pending_findings) | set(mri.recorded_findings)


def test_a_finding_two_tests_reveal_does_not_show_either_was_done(kb: KnowledgeBase) -> None:
    shared = [t.id for t in kb.tests.values() if "mri_demyelination" in t.reveals]
    assert shared == ["mri_protocol", "ms_workup"]
    values = {"side": "left", "mri_demyelination": "yes"}
    assert not any(done_in_part(kb, kb.tests[t], values) for t in shared)
    plan = plan_tests(kb, values, "referral_clinic")
    assert not plan.to_complete
    assert "mri_protocol" in {t.test_id for t in plan.ranked}
    # with a finding only the MS work-up reveals, the work-up (not the MRI) is done in part
    values = {**values, "csf_oligoclonal_bands": "yes"}
    assert done_in_part(kb, kb.tests["ms_workup"], values)
    assert not done_in_part(kb, kb.tests["mri_protocol"], values)


def test_the_history_is_never_done_in_part(kb: KnowledgeBase) -> None:
    history = kb.tests["history_exam"]
    assert history.asks_questions
    only_history = next(
        f for f in history.reveals if sum(f in t.reveals for t in kb.tests.values()) == 1
    )
    values = {only_history: kb.findings[only_history].values[0]}
    assert not done_in_part(kb, history, values)
    plan = plan_tests(kb, values, "referral_clinic")
    assert "history_exam" in {t.test_id for t in plan.ranked}
    assert "history_exam" not in {t.test_id for t in plan.to_complete}


def test_an_urgent_mri_done_in_part_stays_urgent_and_first(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {**NEW_RIPPLING_IN_MS, "mri_nvc_rez": "no"}, "referral_clinic")
    a = assess(kb, case)
    assert "new_movement_in_known_ms" in {f.id for f in a.red_flags}
    assert a.tests.to_complete[0].test_id == "mri_protocol"
    assert a.tests.to_complete[0].urgent
    assert "mri_protocol" not in {t.test_id for t in a.tests.ranked}
    assert "mri_pontine_lesion" in a.tests.to_complete[0].pending_findings


def test_an_mri_done_in_full_is_listed_nowhere(kb: KnowledgeBase) -> None:
    values = {"side": "left", **{f: "no" for f in MRI_FINDINGS}}
    plan = plan_tests(kb, values, "referral_clinic")
    assert "mri_protocol" not in _everywhere(plan)
    assert not plan.to_complete
    # urgency does not bring back a test with nothing left to give
    urgent = plan_tests(kb, values, "referral_clinic", urgent=("mri_protocol",))
    assert "mri_protocol" not in _everywhere(urgent)


def test_a_test_done_in_part_is_set_apart_only_when_something_is_left(kb: KnowledgeBase) -> None:
    """EMG with three of its four findings recorded: with nothing else known its last one is
    worth recording (to complete); in a typical primary spasm with lateral spread it is not
    (nowhere). Either way it is not ranked by cost again."""
    emg = kb.tests["emg"].reveals
    assert emg[-1] == "emg_masseter_silent_period_absent"
    plan = plan_tests(kb, {"side": "left", **{f: "no" for f in emg[:-1]}}, "referral_clinic")
    (done,) = plan.to_complete
    assert done.test_id == "emg" and done.pending_findings == (emg[-1],)
    assert done.recorded_findings == emg[:-1]
    assert "emg" not in {t.test_id for t in plan.ranked}
    typical = {
        "side": "left",
        "contraction_pattern": "clonic",
        "spread_to_lower_face": "yes",
        "emg_lateral_spread": "yes",
        "emg_myokymic_discharges": "no",
        "emg_synkinetic_blink_reflex": "no",
    }
    plan = plan_tests(kb, typical, "referral_clinic")
    assert plan.ranked and "emg" not in _everywhere(plan)


def test_the_words_name_what_to_record_and_what_is_recorded(kb: KnowledgeBase) -> None:
    assert (
        finding_words(kb, "mri_mass_lesion") == "mass or structural lesion along the facial nerve"
    )
    assert finding_words(kb, "mri_demyelination") == "demyelinating lesions"
    assert finding_words(kb, "csf_oligoclonal_bands") == "oligoclonal bands"
    plan = plan_tests(kb, {"side": "left", "mri_nvc_rez": "yes"}, "referral_clinic")
    words = completion_words(kb, plan.to_complete[0])
    assert words.startswith("done: record what its report says about mass or structural lesion")
    assert "dolichoectasia, aneurysm or AVM at the facial nerve; " in words
    assert words.endswith(
        "(recorded so far: vessel contact at the facial nerve root exit zone, symptomatic side)"
    )
    assert "vessel contact" not in words.split("(recorded so far")[0]


def test_an_mri_done_before_it_became_impossible_is_still_read(kb: KnowledgeBase) -> None:
    """An MRI before the pacemaker: not to be repeated, but its report still to be read;
    no CT in its place, since the MRI was done."""
    values = {"side": "left", "mri_nvc_rez": "yes", "mri_contraindicated": "yes"}
    plan = plan_tests(kb, values, "referral_clinic")
    assert ("mri_protocol", "mri contraindicated = yes") in plan.contraindicated
    assert [t.test_id for t in plan.to_complete] == ["mri_protocol"]
    assert plan.to_complete[0].recorded_findings == ("mri_nvc_rez",)
    assert "mri_protocol" not in [t.test_id for t in plan.ranked]
    assert "ct_contrast" not in [t.test_id for t in plan.ranked]
