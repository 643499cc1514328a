"""The referral-letter reader: negation, uncertainty, sentences, confirmation, accuracy floors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.letters_accuracy import LETTERS, evaluate
from hemifacial.cli import cli, main
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import InvalidValueError, UnknownKeyError
from hemifacial.letters import suggest_findings
from hemifacial.letters.phrases import target_phrases
from hemifacial.services.letters import confirmed_findings, read_letter

LETTER = (
    "Dear Dr Smith,\nThank you for seeing this 58-year-old woman with left-sided twitching.\n"
    "There is no facial weakness and she denies hearing loss. She has hypertension.\n"
    "MRI showed a possible aneurysm. Her mother has epilepsy."
)


def _values(kb: KnowledgeBase, text: str) -> dict[str, str]:
    return {s.finding: s.value for s in suggest_findings(kb, text)}


def test_negated_mentions_become_no_and_affirmed_ones_yes(kb: KnowledgeBase) -> None:
    values = _values(kb, LETTER)
    assert values["facial_weakness"] == "no"
    assert values["hearing_loss"] == "no"
    assert values["hypertension"] == "yes"
    assert values["side"] == "left" and values["sex"] == "female"


def test_family_mentions_are_dropped_and_uncertain_ones_marked(kb: KnowledgeBase) -> None:
    found = {s.finding: s for s in suggest_findings(kb, LETTER)}
    assert "known_epilepsy" not in found  # the mother's, not the patient's
    assert found["mri_vascular_anomaly"].certainty == "possible"
    assert found["hypertension"].certainty == "definite"


def test_each_suggestion_keeps_its_sentence_and_offsets(kb: KnowledgeBase) -> None:
    for s in suggest_findings(kb, LETTER):
        assert s.phrase.lower() in s.sentence.lower()
    weakness = next(s for s in suggest_findings(kb, LETTER) if s.finding == "facial_weakness")
    assert weakness.sentence.startswith("There is no facial weakness")


def test_lines_wrapped_inside_a_phrase_still_match(kb: KnowledgeBase) -> None:
    assert _values(kb, "Twitching of sudden\nonset.")["acute_onset"] == "yes"


def test_nothing_counts_until_confirmed(kb: KnowledgeBase) -> None:
    reading = read_letter(kb, LETTER)
    assert confirmed_findings(reading, []) == {}
    accepted = confirmed_findings(reading, ["all"])
    assert accepted["facial_weakness"] == "no"
    assert "mri_vascular_anomaly" not in accepted  # possible: only by name
    assert "age_at_onset" not in accepted  # the letter's age is not the onset age
    by_name = confirmed_findings(reading, ["mri_vascular_anomaly", "age_at_onset"])
    assert by_name == {"mri_vascular_anomaly": "yes", "age_at_onset": "58"}


def test_conflicting_mentions_need_a_chosen_value(kb: KnowledgeBase) -> None:
    reading = read_letter(kb, "She has hearing loss. There is no hearing loss.")
    assert reading.conflicts["hearing_loss"] == ("no", "yes")
    with pytest.raises(InvalidValueError, match="say which value"):
        confirmed_findings(reading, ["hearing_loss"])
    assert confirmed_findings(reading, ["hearing_loss"], {"hearing_loss": "yes"}) == {
        "hearing_loss": "yes"
    }
    with pytest.raises(UnknownKeyError):
        confirmed_findings(reading, ["tinnitus_vertigo"])


def test_empty_or_huge_letters_are_refused_clearly(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidValueError, match="empty"):
        read_letter(kb, "  \n")
    with pytest.raises(InvalidValueError, match="too long"):
        read_letter(kb, "word " * 20_000)


def test_every_synonym_names_a_real_finding_and_value(kb: KnowledgeBase) -> None:
    targets = target_phrases(kb)
    assert "parotid_mass=yes" in targets and "facial weakness" in targets["facial_weakness=yes"]


def test_cli_prints_suggestions_and_assesses_only_when_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text(LETTER, encoding="utf-8")
    runner = CliRunner()
    unconfirmed = runner.invoke(cli, ["assess", "--from-letter", str(letter)])
    assert unconfirmed.exit_code == 0
    assert "Nothing counts yet" in unconfirmed.output
    assert "CAUSES AND MIMICS" not in unconfirmed.output
    assert "“There is no facial weakness" in unconfirmed.output
    accepted = runner.invoke(cli, ["assess", "--from-letter", str(letter), "--accept", "all"])
    assert accepted.exit_code == 0 and "CAUSES AND MIMICS" in accepted.output
    with pytest.raises(SystemExit) as exit_info:
        main(["assess", "--from-letter", str(tmp_path / "none.txt")])
    assert exit_info.value.code == 2
    assert "no such letter file" in capsys.readouterr().err


def test_held_out_letters_keep_their_measured_floor() -> None:
    held_out = evaluate(LETTERS / "held_out")
    assert held_out["precision"] >= 0.85
    assert held_out["recall"] >= 0.6
