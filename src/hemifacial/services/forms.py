"""The patient's consultation request as data: sections, questions, branching, free text.

Every history finding of the evidence base appears in exactly one section, so nothing the
engine can use is left out; ``show_if`` makes a question a follow-up of an earlier answer.
The web layer renders this structure; the services validate against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hemifacial.domain.knowledge.model import FindingType, KnowledgeBase


@dataclass(frozen=True)
class Field:
    key: str
    question: str
    kind: str  # "boolean" | "categorical" | "numeric" | "text"
    options: tuple[str, ...] = ()
    unit: str | None = None
    show_if: tuple[str, str] | None = None  # (key, value) of an earlier answer
    help: str = ""

    @property
    def is_finding(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    fields: tuple[Field, ...] = field(default_factory=tuple)


# (section id, title, intro, finding ids or ("text", key, question, show_if))
_LAYOUT: tuple[tuple[str, str, str, tuple[object, ...]], ...] = (
    (
        "spasm",
        "The twitching",
        "Tell us about the movements of your face. If you are not sure, choose “Not sure”.",
        (
            "age_at_onset",
            "sex",
            "side",
            "laterality",
            "onset_site",
            "spread_to_lower_face",
            "contraction_pattern",
            "progression",
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
            "east_asian_ancestry",
        ),
    ),
    (
        "associated",
        "Other symptoms",
        "Some other symptoms help us find the cause, or need a quicker appointment.",
        (
            "facial_weakness",
            "hearing_loss",
            "tinnitus_vertigo",
            "facial_numbness",
            "trigeminal_neuralgia",
            "other_neuro_symptoms",
            (
                "text",
                "other_neuro_details",
                "Please describe these symptoms and when they started.",
                ("other_neuro_symptoms", "yes"),
            ),
            "jaw_closing_spasm",
            "spread_to_limb",
            "impaired_awareness",
            "skin_hemiatrophy",
            "facial_contracture",
            "mastoid_bruit",
            "parotid_mass",
        ),
    ),
    (
        "history",
        "Injuries and illnesses",
        "Injuries of the head, neck or back, earlier facial palsy and other illnesses.",
        (
            "head_face_neck_injury",
            (
                "text",
                "injury_details",
                "What happened, and when?",
                ("head_face_neck_injury", "yes"),
            ),
            "back_injury_history",
            (
                "text",
                "back_injury",
                "What happened to your back or spine, and when?",
                ("back_injury_history", "yes"),
            ),
            "prior_bells_palsy",
            (
                "text",
                "palsy_details",
                "When was the palsy, and did it recover fully?",
                ("prior_bells_palsy", "yes"),
            ),
            "facial_ear_parotid_surgery",
            "known_ms",
            "known_epilepsy",
            "known_tumour_or_head_radiotherapy",
            "hypertension",
            "diabetes",
            "psychiatric_history",
            ("text", "other_diseases", "Any other illnesses?", None),
        ),
    ),
    (
        "medicines",
        "Medicines, family and treatments",
        "Medicines you take or have taken, your family, and what has been tried so far.",
        (
            "dopamine_blocker_use",
            ("text", "medications", "Which medicines do you take now?", None),
            "family_history",
            (
                "text",
                "treatments",
                "Treatments tried so far (for example botulinum toxin "
                "injections, tablets, surgery) and how they helped.",
                None,
            ),
            "mri_contraindicated",
        ),
    ),
)

TEXT_MAX = 2000
OPTION_LABELS = {"yes": "Yes", "no": "No", "unknown": "Not sure"}


def sections(kb: KnowledgeBase) -> tuple[Section, ...]:
    """The intake sections with every history finding of ``kb`` placed exactly once."""
    placed: set[str] = set()
    out: list[Section] = []
    for sid, title, intro, items in _LAYOUT:
        fields: list[Field] = []
        for item in items:
            if isinstance(item, tuple):
                _, key, question, show_if = item
                fields.append(Field(str(key), str(question), "text", show_if=show_if))
                continue
            fid = str(item)
            if fid not in kb.findings:
                continue
            placed.add(fid)
            fields.append(_finding_field(kb, fid))
        out.append(Section(sid, title, intro, tuple(fields)))
    missing = [fid for fid, f in kb.findings.items() if f.group != "tests" and fid not in placed]
    if missing:  # a finding added to the evidence base appears without a code change
        out.append(
            Section(
                "more",
                "A few more questions",
                "",
                tuple(_finding_field(kb, fid) for fid in missing),
            )
        )
    return tuple(out)


_SHOW_IF = {"laterality": ("side", "both")}


def _finding_field(kb: KnowledgeBase, fid: str) -> Field:
    f = kb.findings[fid]
    options: tuple[str, ...]
    if f.type is FindingType.NUMERIC:
        kind, options = "numeric", ()
    elif f.type is FindingType.BOOLEAN:
        kind, options = "boolean", ("yes", "no")
    else:
        kind, options = "categorical", f.values
    return Field(fid, f.question, kind, options, f.unit, _SHOW_IF.get(fid))


def all_fields(kb: KnowledgeBase) -> dict[str, Field]:
    return {f.key: f for sec in sections(kb) for f in sec.fields}


def label(value: str) -> str:
    return OPTION_LABELS.get(value, value.replace("_", " "))
