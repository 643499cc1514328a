"""Evidence-base API: every condition, finding, number and citation."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from hemifacial.domain.knowledge.model import KnowledgeBase

from ..deps import Ctx

router = APIRouter(prefix="/api/v1", tags=["evidence"])


def kb_public(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "version": kb.version,
        "content_hash": kb.content_hash,
        "conditions": {
            cid: {
                "name": c.name,
                "kind": c.kind.value,
                "plain": c.plain,
                "clinical": c.clinical,
                "must_not_miss": c.must_not_miss,
                "sources": list(c.sources),
                "treatment": asdict(c.treatment),
            }
            for cid, c in kb.conditions.items()
        },
        "findings": {
            fid: {
                "group": f.group,
                "label": f.label,
                "question": f.question,
                "type": f.type.value,
                "values": list(f.values),
                "unit": f.unit,
                "informative": f.informative,
                "likelihoods": {
                    cid: {
                        "p": dict(lk.probabilities),
                        "sources": list(lk.provenance.sources),
                        "estimate": lk.provenance.estimate,
                        "note": lk.provenance.note,
                        "default": lk.is_default,
                    }
                    for cid, lk in f.likelihoods.items()
                },
            }
            for fid, f in kb.findings.items()
        },
        "priors": {
            sid: {
                "label": st.label,
                "priors": dict(st.priors),
                "provenance": {k: asdict(v) for k, v in st.provenance.items()},
            }
            for sid, st in kb.settings.items()
        },
        "tests": {tid: asdict(tt) for tid, tt in kb.tests.items()},
        "red_flags": {rid: asdict(r) for rid, r in kb.red_flags.items()},
        "references": {rid: asdict(r) for rid, r in kb.references.items()},
    }


@router.get("/kb")
def evidence_base(ctx: Ctx) -> dict[str, Any]:
    return kb_public(ctx.kb)
