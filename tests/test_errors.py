"""One home for the error classes: every exception of the package is defined in errors.py,
and the tree drawn in its docstring is the real hierarchy."""

from __future__ import annotations

import ast
import builtins
import importlib
import re
from pathlib import Path

import pytest

from hemifacial import errors

SRC = Path(errors.__file__).resolve().parent
BUILTIN_EXCEPTIONS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def _classes(path: Path) -> list[ast.ClassDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.add(base.id)
        elif isinstance(base, ast.Attribute):  # e.g. errors.InputError, click.ClickException
            names.add(base.attr)
    return names


def exception_classes_outside_errors(root: Path = SRC) -> list[str]:
    """``module:Class`` of every class deriving (by name, transitively) from an exception."""
    known = BUILTIN_EXCEPTIONS | {c.name for c in _classes(root / "errors.py")}
    known |= {"ClickException", "HTTPException", "SQLAlchemyError", "ValidationError"}
    found: dict[str, str] = {}
    defs = [(p, c) for p in sorted(root.rglob("*.py")) for c in _classes(p)]
    changed = True
    while changed:  # a class deriving from one found in the round before
        changed = False
        for path, node in defs:
            key = f"{path.relative_to(root)}:{node.name}"
            if key not in found and _base_names(node) & known:
                found[key] = node.name
                known.add(node.name)
                changed = True
    return sorted(k for k in found if not k.startswith("errors.py:"))


def test_every_exception_class_is_defined_in_errors_py() -> None:
    assert exception_classes_outside_errors() == []


def test_the_check_finds_exceptions_defined_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "errors.py").write_text((SRC / "errors.py").read_text(encoding="utf-8"))
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "forms.py").write_text(
        "from hemifacial import errors\n\n\n"
        "class Stray(errors.InputError):\n    pass\n\n\n"
        "class Stray2(Stray):\n    pass\n\n\n"
        "class Plain:\n    pass\n"
    )
    (tmp_path / "other.py").write_text("class Oops(ValueError):\n    pass\n")
    assert exception_classes_outside_errors(tmp_path) == [
        "other.py:Oops",
        "web/forms.py:Stray",
        "web/forms.py:Stray2",
    ]


def _drawn_tree() -> dict[str, str | None]:
    """Each class named in the docstring's tree, mapped to the class drawn above it."""
    doc = errors.__doc__ or ""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in doc.splitlines():
        m = re.match(r"^(\s*(?:[│├└─ ]*\s)?)([A-Z][A-Za-z]+Error)\b", line)
        if not m:
            continue
        depth = len(m.group(1))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[m.group(2)] = stack[-1][1] if stack else None
        stack.append((depth, m.group(2)))
    return parents


def test_the_drawn_tree_is_the_real_hierarchy() -> None:
    real = {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.HemifacialError)
    }
    drawn = _drawn_tree()
    assert set(drawn) == set(real)
    for name, parent in drawn.items():
        expected = real[name].__bases__[0]
        assert parent == (None if expected is Exception else expected.__name__), name


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("hemifacial.services.accounts", "LoginRequiredError"),
        ("hemifacial.services.videos", "UploadTooLargeError"),
        ("hemifacial.services.cases", "FormError"),
        ("hemifacial.web.csrf", "CsrfError"),
    ],
)
def test_the_old_import_paths_still_work(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is getattr(errors, name)


def test_moved_errors_keep_their_status_and_fields() -> None:
    assert errors.LoginRequiredError("x").http_status == 401
    assert errors.UploadTooLargeError("x").http_status == 413
    assert issubclass(errors.CsrfError, errors.PermissionDeniedError)
    form = errors.FormError({"year": "must be a number", "sex": "required"})
    assert form.fields["sex"] == "required"
    assert str(form) == "year: must be a number; sex: required"
