"""The evidence base as this clinic uses it: the published base, with the numbers that belong
to the clinic's population (``HEMIFACIAL_CLINIC_ASIAN_SHARE``) taken from its settings.

Loaded once at each edge that assesses cases (``create_app``, worker start, the CLI's report),
so the case page, the API, the reports and the stored assessments' content hash agree.
"""

from __future__ import annotations

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.knowledge.population import for_population
from hemifacial.settings import Settings


def clinic_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The base for this clinic: its population's Asian share replaces Houston's 5.48% when
    set (the published odds ratio kept), else the base as published."""
    kb = load_knowledge_base()
    share = settings.clinic_asian_share
    return kb if share is None else for_population(kb, share)
