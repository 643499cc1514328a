"""The app assesses with the clinic's population (HEMIFACIAL_CLINIC_ASIAN_SHARE), issue 10 §1."""

from __future__ import annotations

from typing import Any

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.population import ANCESTRY
from hemifacial.settings import Settings
from hemifacial.web.app import create_app


def test_the_app_uses_the_clinics_asian_share(settings: Settings, engine: Any) -> None:
    published = load_knowledge_base()
    assert create_app(settings).state.ctx.kb.content_hash == published.content_hash
    kb = create_app(settings.with_(clinic_asian_share=0.25)).state.ctx.kb
    assert kb.content_hash != published.content_hash
    yes = kb.findings[ANCESTRY].likelihoods["blepharospasm"].probabilities["yes"]
    assert abs(yes - 0.25) < 0.01
