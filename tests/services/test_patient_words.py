"""The patient's words: every question, option, hint, description and error of the form in
plain language (grade 8 or below, measured with textstat), in the second person, and a
patient wording for every finding, option and red flag of the evidence base."""

from __future__ import annotations

import re

import textstat

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.services import forms

KB = load_knowledge_base()
GRADE = 8.0


def _texts() -> list[str]:
    w = forms.words()
    texts: list[str] = []
    for sec in forms.sections(KB):
        texts += [sec.title + ".", sec.intro]
        for f in sec.fields:
            texts += [f.question, f.help, f.not_sure + "."]
            texts += [f.label(o) + "." for o in f.options] + list(f.describe.values())
    texts += [str(e).format(low=0, high=110, this_year=2026) for e in w["errors"].values()]
    texts += list(w["red_flags"].values()) + list(w["steps"].values())
    return [t for t in texts if t.strip()]


def test_the_whole_form_reads_at_grade_8_or_below() -> None:
    grade = textstat.flesch_kincaid_grade(" ".join(_texts()))
    assert grade <= GRADE, grade


def test_no_single_question_is_hard_to_read() -> None:
    # a long question may name a medicine; none may be far above the target (the grade of a
    # few words is noise, so sentences of six words or more are measured)
    sentences = [t for t in _texts() if len(t.split()) >= 6]
    hard = {t: g for t in sentences if (g := textstat.flesch_kincaid_grade(t)) > GRADE + 4}
    assert not hard


def test_questions_speak_to_the_patient() -> None:
    for f in forms.all_fields(KB).values():
        assert "the patient" not in f.question.lower(), f.key
        assert re.search(r"\b(you|your)\b", f.question, re.I) or f.kind == "text", f.key


def test_every_history_finding_and_option_has_patient_words() -> None:
    mine = forms.words()["findings"]
    for fid, finding in KB.findings.items():
        if finding.group == "tests":
            continue
        assert fid in mine, f"{fid} has no patient wording"
        fld = forms.all_fields(KB)[fid]
        for value in fld.options:
            assert "_" not in fld.label(value), (fid, value)
        if fld.kind == "categorical":
            assert set(fld.labels) == set(finding.values), fid


def test_wordings_only_name_the_evidence_bases_ids() -> None:
    w = forms.words()
    assert set(w["findings"]) <= set(KB.findings)
    assert set(w["red_flags"]) == set(KB.red_flags)
    for fid, entry in w["findings"].items():
        extra = set(entry.get("options", {})) | set(entry.get("describe", {}))
        assert extra <= set(KB.findings[fid].values), fid


def test_each_movement_type_has_a_one_line_lay_description() -> None:
    fld = forms.all_fields(KB)["contraction_pattern"]
    assert set(fld.describe) == set(fld.options)
    assert "quick" in fld.label("clonic").lower()
    assert "squeezes shut and stays shut" in fld.describe["tonic"]
    assert "fine rippling under the skin" in fld.describe["rippling"]


def test_sex_offers_other_or_prefer_not_to_say_without_clinical_effect() -> None:
    fld = forms.all_fields(KB)["sex"]
    assert fld.not_sure == "Other, or I prefer not to say"
    assert KB.findings["sex"].values == ("female", "male")  # the choice is stored as unknown
