"""The clinic's evidence base: the population's Asian share is a setting (issue 10 §1), read
at the edges, not a constant of the base."""

from __future__ import annotations

from pathlib import Path

import pytest

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.population import ANCESTRY
from hemifacial.errors import SettingsError
from hemifacial.services.knowledge import clinic_knowledge_base
from hemifacial.settings import Settings, from_env


def _settings(tmp_path: Path, **env: str) -> Settings:
    return from_env({"HEMIFACIAL_DATA_DIR": str(tmp_path), **env}, mode="dev")


def test_unset_the_base_is_the_published_one(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    assert s.clinic_asian_share is None
    assert clinic_knowledge_base(s).content_hash == load_knowledge_base().content_hash


def test_the_clinics_share_is_the_ancestry_base_rate(tmp_path: Path) -> None:
    s = _settings(tmp_path, HEMIFACIAL_CLINIC_ASIAN_SHARE="0.3")
    assert s.clinic_asian_share == pytest.approx(0.3)
    kb = clinic_knowledge_base(s)
    published = load_knowledge_base()
    assert kb.content_hash != published.content_hash  # stored assessments tell them apart
    ancestry = kb.findings[ANCESTRY].likelihoods
    # a condition with no known link to ancestry occurs at the population's share
    assert ancestry["blepharospasm"].probabilities["yes"] == pytest.approx(0.3, abs=0.01)
    # primary HFS keeps its published excess over the population (odds ratio)
    assert ancestry["primary_nvc"].probabilities["yes"] > 0.3


@pytest.mark.parametrize("bad", ["0", "1", "1.5", "-0.1", "many"])
def test_a_share_outside_zero_one_is_refused_naming_the_variable(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SettingsError, match="CLINIC_ASIAN_SHARE"):
        _settings(tmp_path, HEMIFACIAL_CLINIC_ASIAN_SHARE=bad)
