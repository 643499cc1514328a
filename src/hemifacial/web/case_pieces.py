"""What the case page derives from the case's view and the evidence base alone, for every
viewer alike (kept by revision in the read-model cache, web/pages/clinic.py): the glance,
the assessment's HTML and the result forms' fields with the case's values. Nothing here
holds a form's token or anything of the viewer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from hemifacial.domain.knowledge.model import Finding, FindingType
from hemifacial.services import glance, views

from .deps import Ctx

EXAM_GROUPS = ("spasm", "associated", "history", "demographics")


def finding_groups(ctx: Ctx) -> dict[str, list[Finding]]:
    """The findings of the two result forms: test results, and the clinician's exam."""
    groups: dict[str, list[Finding]] | None = ctx.cache.get("finding_groups")
    if groups is None:
        groups = {
            "test": [f for f in ctx.kb.findings.values() if f.group == "tests"],
            "clinician": [f for f in ctx.kb.findings.values() if f.group in EXAM_GROUPS],
        }
        ctx.cache["finding_groups"] = groups
    return groups


def _grid_pieces(ctx: Ctx) -> dict[str, list[tuple[Finding, Markup]]]:
    """Each result form's fields, blank (the same for every case), rendered once per
    process; a case's current values re-render only their own fields."""
    cached: dict[str, list[tuple[Finding, Markup]]] | None = ctx.cache.get("grid_pieces")
    if cached is None:
        cached = {
            name: [(f, _field(ctx, f, name, None)) for f in findings]
            for name, findings in finding_groups(ctx).items()
        }
        ctx.cache["grid_pieces"] = cached
    return cached


def warm(ctx: Ctx) -> None:
    """Build the pieces every case page shares (blank form fields, citations) before the
    first request, instead of in each of the first concurrent views at once."""
    _grid_pieces(ctx)
    _cite(ctx)


def _field(ctx: Ctx, f: Finding, formname: str, current: str | None) -> Markup:
    template = ctx.templates.env.get_template("clinic/_finding_input.html")
    return Markup(
        template.render(
            f=f,
            form=None,
            formname=formname,
            errors={},
            submitted=None,
            current={f.id: current} if current else None,
            numeric=FindingType.NUMERIC,
        )
    )


def _grids(ctx: Ctx, view: views.CaseView) -> dict[str, Markup]:
    """The result forms showing the values each form's source has given."""
    out: dict[str, Markup] = {}
    for name, pieces in _grid_pieces(ctx).items():
        current = {f.finding_id: f.value for f in view.findings if f.source == name}
        out[name] = Markup("").join(
            _field(ctx, f, name, current[f.id]) if f.id in current else blank for f, blank in pieces
        )
    return out


def _assessment_html(ctx: Ctx, view: views.CaseView, g: views.Glance) -> Markup:
    """The red flags, the ranked causes with their explanations and the next tests: a
    function of the case's view and the evidence base alone (no form, nothing of the
    viewer), the larger part of the page's rendering."""
    template = ctx.templates.env.get_template("clinic/_assessment.html")
    return Markup(
        template.render(
            cite=_cite(ctx),
            v=view,
            stored=view.assessment,
            a=view.assessment.result if view.assessment else None,
            g=g,
            kb=ctx.kb,
            set_aside=set_aside(view),
        )
    )


def set_aside(view: views.CaseView) -> list[str]:
    """Answers set aside for contradicting other findings (a difference on the same finding
    is a conflict of its own in the banner)."""
    return [m for m in view.assessment.conflicts if " set aside: " in m] if view.assessment else []


@dataclass(frozen=True)
class Pieces:
    """What the case page derives from the case's view alone (kept by revision)."""

    g: views.Glance
    assessment_html: Markup
    grids: dict[str, Markup]


def pieces(ctx: Ctx, view: views.CaseView) -> Pieces:
    g = glance.glance(view, ctx.kb)
    return Pieces(g, _assessment_html(ctx, view, g), _grids(ctx, view))


def _cite(ctx: Ctx) -> Callable[[str], Markup]:
    """``cite(reference_id)``: the macro of clinic/_cite.html, whose link depends on the
    evidence base alone, rendered once per reference of the evidence base in this process
    (an id the evidence base lacks is rendered each time)."""
    cite: Callable[[str], Markup] | None = ctx.cache.get("cite")
    if cite is None:
        module = ctx.templates.env.get_template("clinic/_cite.html").make_module({"kb": ctx.kb})
        macro: Callable[[str], str] = getattr(module, "cite")  # noqa: B009  (a template's name)
        known = {ref: Markup(macro(ref)) for ref in ctx.kb.references}

        def cite(ref: str) -> Markup:
            return known.get(ref) or Markup(macro(ref))

        ctx.cache["cite"] = cite
    return cite
