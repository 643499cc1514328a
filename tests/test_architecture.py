"""The one layering rule: domain/ and analysis/ stay pure.

They may import the standard library, numpy, scipy, yaml and other pure hemifacial modules,
never web, database, video decoding, job queues or settings. The test walks the real import
statements of every module in those packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "hemifacial"
PURE_PACKAGES = ("domain", "analysis")
FORBIDDEN_PREFIXES = (
    "hemifacial.web",
    "hemifacial.db",
    "hemifacial.video",
    "hemifacial.jobs",
    "hemifacial.services",
    "hemifacial.settings",
    "hemifacial.cli",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "celery",
    "redis",
    "av",
    "cv2",
    "mediapipe",
    "matplotlib",
    "uvicorn",
    "jinja2",
    "requests",
    "httpx",
    "click",
)


def imported_modules(path: Path) -> list[str]:
    """Every module an ``import`` or ``from ... import`` in ``path`` names (absolute form)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names.append(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.append(node.module)
    return names


def pure_modules() -> list[Path]:
    return sorted(p for pkg in PURE_PACKAGES for p in (SRC / pkg).rglob("*.py"))


def offending(path: Path) -> list[str]:
    return [
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_PREFIXES)
    ]


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_layers_import_no_adapters(path: Path) -> None:
    assert offending(path) == []


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = SRC / "domain" / "_probe_forbidden.py"
    bad.write_text("from hemifacial.db import tables\nimport sqlalchemy.orm\n", encoding="utf-8")
    try:
        assert offending(bad) == ["hemifacial.db", "sqlalchemy.orm"]
    finally:
        bad.unlink()


def test_relative_imports_are_resolved() -> None:
    probe = SRC / "analysis" / "_probe_relative.py"
    probe.write_text("from ..video import decode\nfrom . import signals\n", encoding="utf-8")
    try:
        assert imported_modules(probe) == ["hemifacial.video", "hemifacial.analysis"]
        assert offending(probe) == ["hemifacial.video"]
    finally:
        probe.unlink()
