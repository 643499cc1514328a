"""The one mapper from stored JSON back to the typed domain values.

Assessments and video analyses are stored as the JSON their ``to_dict()`` gives; pages and
the API read them back as the frozen :class:`~hemifacial.domain.reasoning.assess.Assessment`
and :class:`~hemifacial.analysis.types.VideoAnalysis`, never as loose dicts. The mapping is
driven by the dataclasses' own type hints, so a field added to a domain type needs no change
here; keys the type does not know (a display sentence, the schema version) are ignored and
fields missing from older rows take their defaults.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Hashable
from typing import Any, TypeVar, cast

from hemifacial.analysis.types import VideoAnalysis
from hemifacial.db import tables as t
from hemifacial.db.repositories import AssessmentRow
from hemifacial.domain.reasoning.assess import Assessment
from hemifacial.domain.status import CaseStatus
from hemifacial.errors import KnowledgeBaseError

from .views import AnalysisView, CaseHeader, JobView, NoteView, StoredAssessment, VisitView

T = TypeVar("T")


def case_header(c: t.Case) -> CaseHeader:
    return CaseHeader(
        c.id,
        CaseStatus(c.status),
        c.patient_name,
        c.email,
        c.phone,
        c.birth_year,
        c.setting,
        c.submitted_at,
        c.updated_at,
        c.revision,
        dict(c.extras or {}),
        dict(c.draft or {}),
        c.assigned_to,
        c.language,
    )


def visit_view(v: t.Visit) -> VisitView:
    return VisitView(v.id, v.visited_on, v.label, v.treatment)


def stored_assessment(row: t.Assessment | AssessmentRow) -> StoredAssessment:
    data = row.result
    if data is None:  # a history row read without its result (not the latest)
        raise ValueError(f"assessment {row.id} was read without its result")
    return StoredAssessment(
        row.id,
        row.created_at,
        row.trigger,
        row.kb_version,
        row.kb_hash,
        rebuild(Assessment, data),
        dict(data.get("sources", {})),
        tuple(data.get("conflicts", ())),
        dict(data.get("conditions", {})),
    )


def job_view(j: t.Job) -> JobView:
    return JobView(j.id, j.video_id, j.status, j.progress, j.attempts, j.error)


def analysis_view(a: t.Analysis) -> AnalysisView:
    return AnalysisView(a.video_id, rebuild(VideoAnalysis, a.result), a.plot_file)


def rebuild(cls: type[T], data: Any) -> T:
    """``cls`` (a frozen dataclass) rebuilt from its JSON form ``data``."""
    value: T = _converter(cast(Hashable, cls))(data)
    return value


Convert = typing.Callable[[Any], Any]


def _same(data: Any) -> Any:
    return data


def _float(data: Any) -> float:
    return math.nan if data is None else float(data)


@functools.cache
def _converter(tp: Any) -> Convert:
    """A function turning JSON into ``tp``, built once per type (pages read many rows)."""
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis and args[0] is float:
        return lambda data: tuple(math.nan if v is None else float(v) for v in data)  # traces
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _converter(args[0])
        return lambda data: tuple(item(v) for v in data)
    if origin is tuple:
        items = [_converter(a) for a in args]
        return lambda data: tuple(f(v) for f, v in zip(items, data, strict=True))
    if origin in (list, frozenset):
        item, kind = _converter(args[0]), origin
        return lambda data: kind(item(v) for v in data)
    if origin is dict and args:
        key, val = _converter(args[0]), _converter(args[1])
        return lambda data: {key(k): val(v) for k, v in data.items()}
    if origin in (typing.Union, types.UnionType):
        return _union(args)
    if tp is float:
        return _float
    if tp in (Any, object, dict) or origin is typing.Literal or not isinstance(tp, type):
        return _same
    return tp  # int, str, bool, enums: built from their stored value


def _union(args: tuple[Any, ...]) -> Convert:
    options = [_converter(a) for a in args if a is not type(None)]
    nullable = type(None) in args

    def convert(data: Any) -> Any:
        if data is None and nullable:
            return None
        for option in options:
            try:
                return option(data)
            except (TypeError, ValueError, KeyError):
                continue
        raise ValueError(f"{data!r} fits none of {args}")

    return convert


def _dataclass(cls: type) -> Convert:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls) if f.init]

    def convert(data: Any) -> Any:
        if not isinstance(data, dict):
            raise TypeError(f"{cls.__name__} needs a mapping, got {type(data).__name__}")
        try:
            return cls(**{name: f(data[name]) for name, f in fields if name in data})
        except TypeError as exc:  # a required field missing: the row is not of this type
            raise KnowledgeBaseError(f"stored {cls.__name__} cannot be read back: {exc}") from None

    return convert


def note_view(n: t.Note) -> NoteView:
    return NoteView(n.id, n.author, n.text, n.created_at)
