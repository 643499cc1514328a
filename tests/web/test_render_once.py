"""What the pages render once per process and reuse: each piece equals what the template
rendered on every page before, and depends only on what it is kept by (the language, the
evidence base), never on a case or a viewer."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from markupsafe import Markup

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.services import i18n
from hemifacial.web.case_pieces import _cite
from hemifacial.web.render import make_templates

KB = load_knowledge_base()


def test_the_scripts_words_are_those_of_the_current_language() -> None:
    templates = make_templates()
    attr = templates.env.globals["js_strings_attr"]
    before = templates.env.from_string("{{ js_strings() | tojson | forceescape }}")
    seen = set()
    for lang in i18n.LANGUAGES:
        with i18n.using(lang):
            assert attr() == before.render() == attr()  # the kept value, and the same again
            seen.add(str(attr()))
    assert len(seen) == len(i18n.LANGUAGES)  # one per language, none shown in another


def test_a_citation_is_the_macros_link_for_each_reference() -> None:
    templates = make_templates()
    ctx: Any = SimpleNamespace(templates=templates, kb=KB, cache={})
    macro = templates.env.from_string(
        '{% from "clinic/_cite.html" import cite with context %}{{ cite(s) }}'
    )
    cite = _cite(ctx)
    assert _cite(ctx) is cite  # once per process
    for ref in [*KB.references, "not-a-reference"]:
        assert isinstance(cite(ref), Markup)
        assert cite(ref) == macro.render(s=ref, kb=KB)
    assert cite('<b onclick="x">') == macro.render(s='<b onclick="x">', kb=KB)
    assert "<b" not in cite('<b onclick="x">')  # escaped as before


def test_an_inline_if_without_else_renders_empty_without_an_exception() -> None:
    """Autoescaping takes the missing value through its ``__html__`` (Jinja's own Undefined
    raised inside the attribute lookup on every such expression)."""
    env = make_templates().env
    missing = env.undefined()
    assert missing.__html__() == ""  # found directly, not through a failing __getattr__
    tpl = env.from_string(
        '{% autoescape true %}a{{ ", " if not last }}b{{ nothing }}c{% endautoescape %}'
    )
    assert tpl.render(last=True) == "abc"
