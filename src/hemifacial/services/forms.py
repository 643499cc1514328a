"""The patient's consultation request as data: sections, questions, branching, free text.

Every history finding of the evidence base appears in exactly one section, so nothing the
engine can use is left out; ``show_if`` makes a question a follow-up of an earlier answer.
The web layer renders this structure; the services validate against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from hemifacial.domain.knowledge.model import FindingType, KnowledgeBase

from .i18n import gettext as tr

WORDS = Path(__file__).resolve().parent / "patient_words.yaml"


@dataclass(frozen=True)
class Field:
    key: str
    question: str  # the patient's wording (patient_words.yaml)
    kind: str  # "boolean" | "categorical" | "numeric" | "text"
    options: tuple[str, ...] = ()  # the evidence base's values
    unit: str | None = None
    show_if: tuple[str, str] | None = None  # (key, value) of an earlier answer
    help: str = ""  # a one-line hint under the question
    labels: Mapping[str, str] = field(default_factory=dict)  # value → the patient's words
    describe: Mapping[str, str] = field(default_factory=dict)  # value → a lay description
    not_sure: str = "Not sure"  # the words of the "unknown" choice
    picture: str = ""  # a face diagram to show with the question ("onset", "spread")
    value_range: tuple[float, float] | None = None

    @property
    def is_finding(self) -> bool:
        return self.kind != "text"

    def label(self, value: str) -> str:
        """The patient's words for one of this question's answers."""
        if value == "unknown":
            return self.not_sure
        return self.labels.get(value, value if self.kind in ("text", "numeric") else label(value))


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    fields: tuple[Field, ...] = field(default_factory=tuple)


@cache
def words() -> dict[str, Any]:
    """The patient's wording of the request (questions, options, hints, errors)."""
    with WORDS.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def error(key: str, **values: object) -> str:
    """A patient-facing error message of ``patient_words.yaml``."""
    return tr(str(words()["errors"][key])).format(**values)


# (section id, finding ids or ("text", key, show_if)); the words are in patient_words.yaml
_LAYOUT: tuple[tuple[str, tuple[object, ...]], ...] = (
    (
        "spasm",
        (
            "age_at_onset",
            "sex",
            "side",
            "laterality",
            "onset_site",
            "spread_to_lower_face",
            "contraction_pattern",
            "progression",
            "symptom_duration",
            "remission_and_return",
            "present_in_sleep",
            "worse_with_stress",
            "other_babinski",
            "ear_clicking",
            "acute_onset",
            "only_with_voluntary_movement",
            "light_sensitivity",
            "suppressible_with_urge",
            "sensory_trick",
            "distractible_inconsistent",
            "lip_pulled_down",
            "oral_lingual_movements",
            "eye_deviation_with_spasm",
            "multifocal_movements",
            "spread_to_other_side_in_episode",
            "myokymia_then_hfs",
            "east_asian_ancestry",
        ),
    ),
    (
        "associated",
        (
            "facial_weakness",
            "central_facial_weakness",
            "hearing_loss",
            "tinnitus_vertigo",
            "facial_numbness",
            "trigeminal_neuralgia",
            "other_neuro_symptoms",
            ("text", "other_neuro_details", ("other_neuro_symptoms", "yes")),
            "jaw_closing_spasm",
            "masseter_hypertrophy",
            "spread_to_limb",
            "impaired_awareness",
            "skin_hemiatrophy",
            "facial_contracture",
            "mastoid_bruit",
            "parotid_mass",
            "painful_spasms",
        ),
    ),
    (
        "history",
        (
            "head_face_neck_injury",
            ("text", "injury_details", ("head_face_neck_injury", "yes")),
            "onset_soon_after_injury",
            "back_injury_history",
            ("text", "back_injury", ("back_injury_history", "yes")),
            "prior_bells_palsy",
            ("text", "palsy_details", ("prior_bells_palsy", "yes")),
            "onset_soon_after_palsy",
            "palsy_other_side",
            "facial_ear_parotid_surgery",
            "onset_soon_after_surgery",
            "known_ms",
            "family_history_ms",
            "known_epilepsy",
            "known_tumour_or_head_radiotherapy",
            "hypertension",
            "diabetes",
            "psychiatric_history",
            ("text", "other_diseases", None),
        ),
    ),
    (
        "medicines",
        (
            "dopamine_blocker_use",
            "dopamine_blocker_recent",
            ("text", "medications", None),
            "family_history",
            ("text", "treatments", None),
            "mri_contraindicated",
        ),
    ),
)

TEXT_MAX = 2000
_SHOW_IF = {
    "laterality": ("side", "both"),
    # asked only where they can be true (each depends on that finding: dependence.yaml)
    "onset_soon_after_injury": ("head_face_neck_injury", "yes"),
    "onset_soon_after_palsy": ("prior_bells_palsy", "yes"),
    "onset_soon_after_surgery": ("facial_ear_parotid_surgery", "yes"),
    "central_facial_weakness": ("facial_weakness", "yes"),
}


def sections(kb: KnowledgeBase) -> tuple[Section, ...]:
    """The intake sections with every history finding of ``kb`` placed exactly once."""
    w = words()
    placed: set[str] = set()
    out: list[Section] = []
    for sid, items in _LAYOUT:
        fields: list[Field] = []
        for item in items:
            if isinstance(item, tuple):
                _, key, show_if = item
                fields.append(Field(str(key), tr(w["text"][key]), "text", show_if=show_if))
                continue
            fid = str(item)
            if fid not in kb.findings:
                continue
            placed.add(fid)
            fields.append(_finding_field(kb, fid))
        out.append(_section(sid, tuple(fields)))
    missing = [fid for fid, f in kb.findings.items() if f.group != "tests" and fid not in placed]
    if missing:  # a finding added to the evidence base appears without a code change
        more = tuple(_finding_field(kb, fid) for fid in missing)
        out.append(_section("more", more))
    return tuple(out)


def _section(sid: str, fields: tuple[Field, ...]) -> Section:
    words_of = words()["sections"][sid]
    return Section(sid, tr(words_of["title"]), tr(words_of["intro"]), fields=fields)


def _finding_field(kb: KnowledgeBase, fid: str) -> Field:
    """The question of finding ``fid`` in the patient's words (the evidence base's own
    wording when none was written yet: a new finding is asked at once)."""
    f = kb.findings[fid]
    mine: dict[str, Any] = words()["findings"].get(fid, {})
    options: tuple[str, ...]
    if f.type is FindingType.NUMERIC:
        kind, options = "numeric", ()
    elif f.type is FindingType.BOOLEAN:
        kind, options = "boolean", ("yes", "no")
    else:
        kind, options = "categorical", f.values
    return Field(
        fid,
        tr(mine.get("question", f.question)),
        kind,
        options,
        tr(mine["unit"]) if "unit" in mine else f.unit,
        _SHOW_IF.get(fid),
        help=tr(mine.get("hint", "")),
        labels={k: tr(v) for k, v in mine.get("options", {}).items()},
        describe={k: tr(v) for k, v in mine.get("describe", {}).items()},
        not_sure=tr(mine.get("not_sure", words()["not_sure"])),
        picture=mine.get("picture", ""),
        value_range=f.value_range,
    )


def all_fields(kb: KnowledgeBase) -> dict[str, Field]:
    return {f.key: f for sec in sections(kb) for f in sec.fields}


def label(value: str) -> str:
    """Words for a value without its question (yes, no, not sure; else the value)."""
    w = words()
    if value in ("yes", "no"):
        return tr(str(w[value]))
    if value == "unknown":
        return tr(str(w["not_sure"]))
    return value.replace("_", " ")
