"""The evidence base: complete, cited, versioned, and its validator catches bad edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import ConditionKind, KnowledgeBase
from tests.domain.kb_edits import edit, problems
from tests.support import SHARED, require_shared

REQUIRED_CAUSES = {
    "primary_nvc",
    "vascular_anomaly",
    "structural_lesion",
    "demyelination",
    "nerve_injury",
    "post_paralytic_hfs",
}
REQUIRED_MIMICS = {
    "eyelid_myokymia",
    "blepharospasm",
    "facial_tic",
    "facial_myokymia",
    "postparalytic_synkinesis",
    "functional_spasm",
    "focal_seizure",
    "hemimasticatory_spasm",
    "tardive_oromandibular",
}


def test_every_required_condition_with_its_kind(kb: KnowledgeBase) -> None:
    causes = {c for c, v in kb.conditions.items() if v.kind is ConditionKind.CAUSE}
    mimics = {c for c, v in kb.conditions.items() if v.kind is ConditionKind.MIMIC}
    assert causes >= REQUIRED_CAUSES
    assert mimics >= REQUIRED_MIMICS


def test_every_condition_has_descriptions_and_a_cited_treatment(kb: KnowledgeBase) -> None:
    for c in kb.conditions.values():
        assert c.plain and c.clinical and c.treatment.summary
        assert c.treatment.options and all(o.sources for o in c.treatment.options)


def test_findings_named_in_the_brief_exist(kb: KnowledgeBase) -> None:
    needed = {
        "age_at_onset", "sex", "east_asian_ancestry", "side", "laterality", "onset_site",
        "spread_to_lower_face", "progression", "present_in_sleep", "contraction_pattern",
        "suppressible_with_urge", "sensory_trick", "other_babinski", "ear_clicking",
        "facial_weakness", "hearing_loss", "tinnitus_vertigo", "facial_numbness",
        "trigeminal_neuralgia", "other_neuro_symptoms", "jaw_closing_spasm", "spread_to_limb",
        "impaired_awareness", "prior_bells_palsy", "head_face_neck_injury",
        "facial_ear_parotid_surgery", "known_ms", "hypertension", "diabetes",
        "dopamine_blocker_use", "family_history", "psychiatric_history", "mri_nvc_rez",
        "mri_mass_lesion", "mri_demyelination", "mri_vascular_anomaly", "ct_mass_lesion",
        "emg_lateral_spread", "emg_myokymic_discharges", "emg_synkinetic_blink_reflex",
        "eeg_epileptiform", "csf_oligoclonal_bands", "blood_glucose", "ms_mimic_panel",
    }  # fmt: skip
    assert needed <= set(kb.findings)


def test_every_number_is_cited_or_an_explained_estimate(kb: KnowledgeBase) -> None:
    for finding in kb.findings.values():
        for likelihood in finding.likelihoods.values():
            p = likelihood.provenance
            assert p.sources or (p.estimate and len(p.estimate) >= 25), finding.id
    for setting in kb.settings.values():
        for p in setting.provenance.values():
            assert p.sources or p.estimate


def test_distributions_are_proper(kb: KnowledgeBase) -> None:
    for finding in kb.findings.values():
        for likelihood in finding.likelihoods.values():
            probs = list(likelihood.probabilities.values())
            assert all(0 < p < 1 for p in probs)
            assert sum(probs) == pytest.approx(1.0)
    for setting in kb.settings.values():
        assert sum(setting.priors.values()) == pytest.approx(1.0)
        assert set(setting.priors) == set(kb.conditions)


def test_at_least_two_settings(kb: KnowledgeBase) -> None:
    assert {"referral_clinic", "primary_care"} <= set(kb.settings)


def test_references_are_in_the_reference_document(kb: KnowledgeBase) -> None:
    document = require_shared(SHARED / "reference" / "clinical-evidence.md").read_text("utf-8")
    missing = [r.id for r in kb.references.values() if r.locator not in document]
    assert missing == []


def test_tests_reveal_findings_and_mri_has_a_fallback(kb: KnowledgeBase) -> None:
    assert all(t.reveals for t in kb.tests.values())
    mri = kb.tests["mri_protocol"]
    assert mri.contraindicated_if == {"mri_contraindicated": "yes"}
    assert mri.instead == "ct_contrast"
    assert kb.tests["ct_contrast"].fallback_only


def test_a_fallback_that_stands_in_for_no_test_is_rejected(data_copy: Path) -> None:
    edit(data_copy, "tests.yaml", lambda d: d["eeg"].update(fallback_only=True))
    assert "test 'eeg': fallback_only, but no test names it as 'instead'" in problems(data_copy)


def test_version_and_hash(kb: KnowledgeBase) -> None:
    assert kb.version and len(kb.content_hash) == 16


# --- the validator catches bad edits -------------------------------------------------------


def test_unmodified_copy_loads_with_the_same_hash(data_copy: Path, kb: KnowledgeBase) -> None:
    assert load_knowledge_base(str(data_copy)).content_hash == kb.content_hash


def test_uncited_number_is_rejected(data_copy: Path) -> None:
    def drop(data):  # type: ignore[no-untyped-def]
        entry = data["other_babinski"]["likelihood"]["primary_nvc"]
        entry.pop("sources")
        entry.pop("note", None)

    edit(data_copy, "findings_history.yaml", drop)
    assert "without a source or an expert estimate" in problems(data_copy)


def test_unknown_and_unused_references_are_rejected(data_copy: Path) -> None:
    def rename(data):  # type: ignore[no-untyped-def]
        data["skin_hemiatrophy"]["likelihood"]["hemimasticatory_spasm"]["sources"] = [
            "no_such_paper"
        ]

    edit(data_copy, "findings_associated.yaml", rename)
    edit(data_copy, "references.yaml", lambda d: d.update(extra={"cite": "x", "locator": "y"}))
    message = problems(data_copy)
    assert "unknown reference 'no_such_paper'" in message
    assert "reference 'extra' is never cited" in message


def test_improper_distribution_and_unknown_condition_are_rejected(data_copy: Path) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["sex"]["likelihood"]["primary_nvc"]["p"] = {"female": 0.7, "male": 0.7}
        data["sex"]["likelihood"]["no_such_condition"] = {"p": {"female": 0.5, "male": 0.5}}

    edit(data_copy, "findings_history.yaml", spoil)
    message = problems(data_copy)
    assert "sum to 1" in message and "unknown condition 'no_such_condition'" in message


def test_changed_number_changes_the_hash(data_copy: Path, kb: KnowledgeBase) -> None:
    def tweak(data):  # type: ignore[no-untyped-def]
        data["ear_clicking"]["likelihood"]["vascular_anomaly"]["p"] = 0.3  # an estimate

    edit(data_copy, "findings_history.yaml", tweak)
    assert load_knowledge_base(str(data_copy)).content_hash != kb.content_hash
