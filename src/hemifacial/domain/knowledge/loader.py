"""Load the evidence base from the YAML files and validate every number and citation.

Validation collects every problem before failing, so a broken edit reports all its
mistakes at once. Rules: every probability lies strictly between 0 and 1, distributions sum
to 1, every number cites known references with the figures it rests on (see
:mod:`.provenance`) or gives an expert estimate with its reasoning, every reference is used,
and every id referred to exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from hemifacial.domain.knowledge import provenance as prov
from hemifacial.domain.knowledge.coherence import check_coherence
from hemifacial.domain.knowledge.dependence import build_network
from hemifacial.domain.knowledge.model import (
    BOOLEAN_VALUES,
    Bin,
    Condition,
    ConditionKind,
    DecisionPolicy,
    DiagnosticTest,
    Finding,
    FindingType,
    KnowledgeBase,
    Likelihood,
    Provenance,
    Reference,
    Setting,
    Treatment,
    TreatmentOption,
)
from hemifacial.domain.knowledge.ranges import build_ranges, point_lookup
from hemifacial.domain.knowledge.rules import check_flag_relations, red_flag_rule
from hemifacial.errors import KnowledgeBaseError

FINDING_FILES = ("findings_history.yaml", "findings_associated.yaml", "findings_tests.yaml")
DATA_FILES = (
    "meta.yaml",
    "references.yaml",
    "conditions.yaml",
    *FINDING_FILES,
    "settings.yaml",
    "tests.yaml",
    "red_flags.yaml",
    "dependence.yaml",
    "ranges.yaml",
)
TOLERANCE = 1e-6


class _Problems:
    """Collects validation problems and the references actually cited."""

    def __init__(self, references: Mapping[str, Reference]) -> None:
        self.messages: list[str] = []
        self.references = references
        self.cited: set[str] = set()

    def add(self, message: str) -> None:
        self.messages.append(message)

    def cite(self, where: str, sources: Iterable[str]) -> tuple[str, ...]:
        result = tuple(sources)
        for source in result:
            if source in self.references:
                self.cited.add(source)
            else:
                self.add(f"{where}: unknown reference '{source}'")
        return result


def default_data_dir() -> Traversable:
    return resources.files("hemifacial.domain.knowledge").joinpath("data")


@lru_cache(maxsize=4)
def load_knowledge_base(
    directory: str | None = None, reference: str | None = None
) -> KnowledgeBase:
    """Load and validate the evidence base (the packaged one unless ``directory`` is given).

    With ``reference`` (the path of ``clinical-evidence.md``), every quoted support must also
    occur in that file; without it the quotes are not checked, so the packaged base loads
    where the reference is absent.

    Raises
    ------
    KnowledgeBaseError
        Listing every problem found.
    """
    root: Traversable = Path(directory) if directory else default_data_dir()
    raw = {name: root.joinpath(name).read_bytes() for name in DATA_FILES}
    docs = {name: yaml.safe_load(content) or {} for name, content in raw.items()}
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(name.encode() + b"\0" + raw[name])
    kb = _build(docs, digest.hexdigest()[:16])
    missing = prov.missing_quotes(kb, Path(reference).read_text("utf-8")) if reference else []
    if missing:
        raise KnowledgeBaseError("invalid evidence base:\n" + "\n".join(f"- {m}" for m in missing))
    return kb


def _build(docs: Mapping[str, Any], content_hash: str) -> KnowledgeBase:
    references = {
        rid: Reference(rid, str(r["cite"]), str(r["locator"]))
        for rid, r in docs["references.yaml"].items()
    }
    problems = _Problems(references)
    conditions = {cid: _condition(cid, c, problems) for cid, c in docs["conditions.yaml"].items()}
    condition_ids = tuple(conditions)
    findings: dict[str, Finding] = {}
    for name in FINDING_FILES:
        for fid, f in docs[name].items():
            if fid in findings:
                problems.add(f"finding '{fid}' is defined twice")
            findings[fid] = _finding(fid, f, condition_ids, problems)
    network = build_network(  # declared dependence, then coherence (knowledge/coherence.py)
        docs["dependence.yaml"], findings, condition_ids, problems.add,
        lambda where, entry: _provenance(where, entry, problems, prov.numbers_of(entry)),
    )  # fmt: skip
    problems.messages += check_coherence(findings, network, condition_ids)
    settings = {
        sid: _setting(sid, s, condition_ids, problems) for sid, s in docs["settings.yaml"].items()
    }
    ranges = build_ranges(  # plausible ranges for the robustness analysis
        docs["ranges.yaml"], point_lookup(findings, settings), problems.add,
        lambda where, entry: _provenance(where, entry, problems, prov.numbers_of(entry)),
    )  # fmt: skip
    tests = {tid: _test(tid, t, findings, problems) for tid, t in docs["tests.yaml"].items()}
    for test in tests.values():
        for other in (test.instead, *test.superseded_by):
            if other and other not in tests:
                problems.add(f"test '{test.id}': unknown test '{other}'")
    fallbacks = {test.instead for test in tests.values()}
    for test in tests.values():
        if test.fallback_only and test.id not in fallbacks:
            problems.add(f"test '{test.id}': fallback_only, but no test names it as 'instead'")
    red_flags = {
        rid: red_flag_rule(rid, r, findings, tests, problems.add, problems.cite)
        for rid, r in docs["red_flags.yaml"].items()
    }
    check_flag_relations(red_flags, problems.add)
    for unused in sorted(set(references) - problems.cited):
        problems.add(f"reference '{unused}' is never cited")
    if problems.messages:
        raise KnowledgeBaseError(
            "invalid evidence base:\n" + "\n".join(f"- {m}" for m in problems.messages)
        )
    return KnowledgeBase(
        version=str(docs["meta.yaml"]["version"]),
        content_hash=content_hash,
        references=references,
        conditions=conditions,
        findings=findings,
        tests=tests,
        red_flags=red_flags,
        settings=settings,
        condition_ids=condition_ids,
        log_likelihood={fid: _log_table(f, condition_ids) for fid, f in findings.items()},
        policy=_policy(docs["meta.yaml"]["decision"]),
        network=network,
        ranges=ranges,
    )


def _policy(d: Mapping[str, Any]) -> DecisionPolicy:
    stop = d["stop_when"]
    return DecisionPolicy(
        must_not_miss_information_weight=float(d["must_not_miss_information_weight"]),
        stop_top_probability=float(stop["top_probability"]),
        stop_must_not_miss_residual=float(stop["must_not_miss_residual"]),
        reasoning=" ".join((d["weight_estimate"] + " " + stop["estimate"]).split()),
    )


def _provenance(
    where: str, entry: Mapping[str, Any], problems: _Problems, numbers: Mapping[str, float]
) -> Provenance:
    return prov.parse(where, entry, numbers, problems.cite, problems.add)


def _condition(cid: str, c: Mapping[str, Any], problems: _Problems) -> Condition:
    where = f"condition '{cid}'"
    try:
        kind = ConditionKind(c["kind"])
    except (KeyError, ValueError):
        problems.add(f"{where}: kind must be 'cause' or 'mimic'")
        kind = ConditionKind.MIMIC
    t = c.get("treatment") or {}
    options = tuple(
        TreatmentOption(str(o["text"]), problems.cite(f"{where} treatment", o.get("sources", ())))
        for o in t.get("options", ())
    )
    if not options or any(not o.sources for o in options):
        problems.add(f"{where}: every treatment option needs a citation")
    return Condition(
        id=cid,
        kind=kind,
        name=str(c["name"]),
        plain=" ".join(str(c["plain"]).split()),
        clinical=" ".join(str(c["clinical"]).split()),
        codes=dict(c.get("codes") or {}),
        must_not_miss=bool(c.get("must_not_miss", False)),
        sources=problems.cite(where, c.get("sources", ())),
        treatment=Treatment(str(t.get("summary", "")), options),
    )


def _finding(
    fid: str, f: Mapping[str, Any], condition_ids: tuple[str, ...], problems: _Problems
) -> Finding:
    where = f"finding '{fid}'"
    ftype = FindingType(f["type"])
    bins: tuple[Bin, ...] = ()
    if ftype is FindingType.BOOLEAN:
        values: tuple[str, ...] = BOOLEAN_VALUES
    elif ftype is FindingType.NUMERIC:
        bins = tuple(Bin(str(b["value"]), b.get("below")) for b in f["bins"])
        values = tuple(b.value for b in bins)
        closed = [b.below for b in bins[:-1] if b.below is not None]
        if bins[-1].below is not None or len(closed) != len(bins) - 1 or closed != sorted(closed):
            problems.add(f"{where}: bins must ascend and only the last may be open-ended")
    else:
        values = tuple(str(v) for v in f["values"])
    unions = {str(k): tuple(v) for k, v in (f.get("unions") or {}).items()}
    for union, members in unions.items():
        if not set(members) <= set(values):
            problems.add(f"{where}: union '{union}' names unknown values")
    noninformative = tuple(f.get("noninformative") or ())
    informative_values = tuple(v for v in values if v not in noninformative)
    informative = bool(f.get("informative", True))
    likelihoods: dict[str, Likelihood] = {}
    table = f.get("likelihood") or {}
    if informative:
        for cid in table:
            if cid != "default" and cid not in condition_ids:
                problems.add(f"{where}: likelihood for unknown condition '{cid}'")
        for cid in condition_ids:
            entry = table.get(cid) or table.get("default")
            if entry is None:
                problems.add(f"{where}: no likelihood for '{cid}' and no default")
                continue
            at = f"{where} given '{cid}'"
            probabilities = _distribution(at, entry.get("p"), ftype, informative_values, problems)
            likelihoods[cid] = Likelihood(
                probabilities,
                _provenance(at, entry, problems, prov.stated(probabilities)),
                is_default=cid not in table,
            )
    elif table:
        problems.add(f"{where}: non-informative finding must not carry likelihoods")
    value_range = tuple(f["range"]) if "range" in f else None
    return Finding(
        id=fid,
        group=str(f["group"]),
        label=str(f["label"]),
        question=str(f["question"]),
        type=ftype,
        values=values,
        unit=f.get("unit"),
        value_range=(float(value_range[0]), float(value_range[1])) if value_range else None,
        bins=bins,
        unions=unions,
        noninformative=noninformative,
        informative=informative,
        likelihoods=likelihoods,
        comment=f.get("comment"),
    )


def _distribution(
    where: str, p: Any, ftype: FindingType, values: tuple[str, ...], problems: _Problems
) -> dict[str, float]:
    if ftype is FindingType.BOOLEAN:
        if not isinstance(p, int | float) or not 0 < p < 1:
            problems.add(f"{where}: P(yes) must be a number strictly between 0 and 1, got {p!r}")
            return {"yes": 0.5, "no": 0.5}
        return {"yes": float(p), "no": 1.0 - float(p)}
    if not isinstance(p, Mapping) or set(map(str, p)) != set(values):
        problems.add(f"{where}: needs a probability for exactly {list(values)}")
        return {v: 1.0 / len(values) for v in values}
    dist = {str(k): float(v) for k, v in p.items()}
    if any(not 0 < v < 1 for v in dist.values()) or abs(sum(dist.values()) - 1) > TOLERANCE:
        problems.add(f"{where}: probabilities must lie in (0, 1) and sum to 1, got {dist}")
    return dist


def _setting(
    sid: str, s: Mapping[str, Any], condition_ids: tuple[str, ...], problems: _Problems
) -> Setting:
    priors: dict[str, float] = {}
    provenance: dict[str, Provenance] = {}
    for cid, entry in s["priors"].items():
        if cid not in condition_ids:
            problems.add(f"setting '{sid}': prior for unknown condition '{cid}'")
            continue
        priors[cid] = float(entry["p"])
        where = f"setting '{sid}' prior of '{cid}'"
        provenance[cid] = _provenance(where, entry, problems, {"p": priors[cid]})
    missing = set(condition_ids) - set(priors)
    if missing:
        problems.add(f"setting '{sid}': no prior for {sorted(missing)}")
    if any(not 0 < v < 1 for v in priors.values()) or abs(sum(priors.values()) - 1) > TOLERANCE:
        problems.add(f"setting '{sid}': priors must lie in (0, 1) and sum to 1")
    return Setting(sid, str(s["label"]), priors, provenance)


def _test(
    tid: str, t: Mapping[str, Any], findings: Mapping[str, Finding], problems: _Problems
) -> DiagnosticTest:
    where = f"test '{tid}'"
    reveals = list(t.get("reveals") or ())
    groups = set(t.get("reveals_groups") or ())
    reveals += [fid for fid, f in findings.items() if f.group in groups and f.informative]
    for fid in reveals:
        if fid not in findings:
            problems.add(f"{where}: reveals unknown finding '{fid}'")
    contraindicated = {str(k): str(v) for k, v in (t.get("contraindicated_if") or {}).items()}
    for fid, value in contraindicated.items():
        if fid not in findings or value not in findings[fid].values:
            problems.add(f"{where}: contraindication names unknown finding or value '{fid}'")
    for key in ("cost", "burden"):
        if t.get(key) not in (1, 2, 3, 4, 5):
            problems.add(f"{where}: {key} must be a tier from 1 to 5")
    return DiagnosticTest(
        id=tid,
        name=str(t["name"]),
        purpose=str(t["purpose"]),
        reveals=tuple(dict.fromkeys(reveals)),
        cost=int(t.get("cost", 1)),
        burden=int(t.get("burden", 1)),
        turnaround_days=int(t.get("turnaround_days", 0)),
        contraindicated_if=contraindicated,
        instead=t.get("instead"),
        sources=problems.cite(where, t.get("sources", ())),
        superseded_by=tuple(t.get("superseded_by") or ()),
        not_needed_if={str(k): str(v) for k, v in (t.get("not_needed_if") or {}).items()},
        asks_questions=bool(t.get("asks_questions", False)),
        fallback_only=bool(t.get("fallback_only", False)),
    )


def _log_table(finding: Finding, condition_ids: tuple[str, ...]) -> dict[str, NDArray[np.float64]]:
    zeros = np.zeros(len(condition_ids))
    if not finding.informative:
        return {v: zeros for v in finding.accepted_values}
    table = {
        v: np.log(np.array([finding.likelihoods[c].probabilities[v] for c in condition_ids]))
        for v in finding.values
        if v not in finding.noninformative
    }
    for v in finding.noninformative:
        table[v] = zeros
    for union, members in finding.unions.items():
        probs = sum(np.exp(table[m]) for m in members)
        table[union] = np.log(np.asarray(probs, dtype=np.float64))
    return table
