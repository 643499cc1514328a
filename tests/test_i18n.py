"""The catalogues: the committed ``.pot`` is what the code says today (a string added
without re-extracting fails here), every language of ``LANGUAGES`` has a catalogue, and
every catalogue translates every msgid — not empty, not fuzzy, with the placeholders,
HTML tags and plural forms of the English. How to fix a failure: docs/languages.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from hemifacial.services import i18n
from tests.catalogues import POT, catalogue, po_path

ROOT = Path(__file__).resolve().parents[1]
FOUND = sorted(p.parent.parent.name for p in i18n.LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
WANTED = sorted(code for code in i18n.LANGUAGES if code != i18n.DEFAULT)
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sd]|\{[A-Za-z_]\w*\}|</?[a-z][a-z0-9]*\b[^>]*>")


def _ids(path: Path) -> set[object]:
    with path.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def _marks(text: str) -> list[str]:
    """The placeholders and tags of ``text``, in a comparable form (attribute order kept)."""
    return sorted(PLACEHOLDER.findall(text))


def test_the_committed_pot_is_a_fresh_extraction(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "--add-comments=Translators:",
            "--no-location",
            "-o",
            str(fresh),
            str(ROOT / "src" / "hemifacial"),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    committed, extracted = _ids(POT), _ids(fresh)
    assert extracted, "the extraction found nothing: is babel.cfg right?"
    assert not extracted - committed, (
        f"{len(extracted - committed)} msgid(s) are not in messages.pot, e.g. "
        f"{sorted(map(str, extracted - committed))[:3]}; run the pybabel extract of babel.cfg"
    )
    assert not committed - extracted, (
        f"messages.pot holds {len(committed - extracted)} msgid(s) the code no longer has, "
        f"e.g. {sorted(map(str, committed - extracted))[:3]}; extract again"
    )


def test_the_extraction_covers_every_kind_of_patient_text() -> None:
    ids = {m if isinstance(m, str) else m[0] for m in _ids(POT)}
    for msgid in (
        "Request a consultation",  # a template
        "Hello %(name)s,",  # an e-mail
        "Which side of your face twitches?",  # patient_words.yaml (the YAML extractor)
        "Please enter your name.",  # a form error in patient_words.yaml
        "Your consultation is booked.",  # a Python message (N_)
        "Saved.",  # the scripts' words (web/js_strings.py)
    ):
        assert msgid in ids, msgid


def test_every_language_has_a_catalogue() -> None:
    """Fails until the es, ko and zh_Hans catalogues are in the repository."""
    assert FOUND == WANTED, f"catalogues {FOUND}, LANGUAGES without English {WANTED}"


def _pot() -> list[Message]:
    with POT.open("rb") as fh:
        return [m for m in read_po(fh) if m.id]


@pytest.mark.parametrize("lang", FOUND or ["(none)"])
def test_a_catalogue_translates_every_msgid_of_the_pot(lang: str) -> None:
    if lang == "(none)":
        pytest.fail("no catalogue at all in src/hemifacial/locale")
    cat = catalogue(lang)
    missing, fuzzy, empty = [], [], []
    for m in _pot():
        got = cat.get(m.id)
        if got is None:
            missing.append(m.id)
        elif got.fuzzy:
            fuzzy.append(m.id)
        elif not got.string or (
            isinstance(got.string, tuple | list) and not all(s for s in got.string)
        ):
            empty.append(m.id)
    assert not missing, f"{len(missing)} msgid(s) missing from {po_path(lang)}: {missing[:3]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {po_path(lang)}: {fuzzy[:3]}"
    assert not empty, f"{len(empty)} untranslated entries in {po_path(lang)}: {empty[:3]}"


@pytest.mark.parametrize("lang", FOUND or ["(none)"])
def test_a_translation_keeps_the_placeholders_tags_and_plural_forms(lang: str) -> None:
    if lang == "(none)":
        pytest.fail("no catalogue at all in src/hemifacial/locale")
    cat = catalogue(lang)
    wrong = []
    for m in _pot():
        got = cat.get(m.id)
        if got is None or not got.string:
            continue  # the test above names it
        if isinstance(m.id, tuple):  # plural: every form has the plural's placeholders
            forms = list(got.string) if isinstance(got.string, tuple | list) else [got.string]
            if len(forms) != cat.num_plurals:
                wrong.append(f"{m.id[0]!r}: {len(forms)} forms, {cat.num_plurals} wanted")
            needed = set(_marks(m.id[1])) - {"%(count)s"}
            for form in forms:
                if not needed <= set(_marks(form)):
                    wrong.append(f"{m.id[1]!r} → {form!r}")
            continue
        if _marks(m.id) != _marks(str(got.string)):
            wrong.append(f"{m.id!r} → {got.string!r}")
    assert not wrong, f"{len(wrong)} translation(s) in {po_path(lang)} change a placeholder: " + (
        "; ".join(wrong[:3])
    )


def test_the_placeholder_check_sees_a_lost_placeholder_or_tag() -> None:
    assert _marks("Hello %(name)s, <b>now</b> {size} MB") != _marks("Hola, <b>ahora</b> {size}")
    assert _marks('<a href="/privacy">x</a>') == _marks('<a href="/privacy">y</a>')
    assert _marks('<a href="/privacy">x</a>') != _marks('<a href="/evil">x</a>')


def test_a_fuzzy_or_empty_translation_is_not_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app falls back to English rather than show a guess (Babel's write_mo, no fuzzy)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    cat = Catalog(locale="es")
    cat.add("Saved.", "Guardado.", flags=["fuzzy"])
    cat.add("Copied", "Copiado")
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as fh:
        write_po(fh, cat)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with i18n.using("es"):
            assert i18n.gettext("Copied") == "Copiado"
            assert i18n.gettext("Saved.") == "Saved."
    finally:
        i18n.translations.cache_clear()


def test_the_catalogues_and_words_ship_in_the_package() -> None:
    """pyproject's package-data globs cover the .pot, every .po, the YAML wordings and the
    mail templates (an installed app without them would show English only, or fail)."""
    import tomllib

    package = ROOT / "src" / "hemifacial"
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = data["tool"]["setuptools"]["package-data"]["hemifacial"]
    shipped = {p for g in globs for p in package.glob(g) if p.is_file()}
    needed = [
        POT,
        *i18n.LOCALE_DIR.glob("*/LC_MESSAGES/*.po"),
        package / "services" / "patient_words.yaml",
        *(package / "services" / "mail_templates").glob("*.txt"),
    ]
    assert [p for p in needed if p not in shipped] == []
