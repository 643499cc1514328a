"""The layering rules, checked on the real import statements of every module.

* ``domain/`` and ``analysis/`` stay pure: the standard library, numpy, scipy, yaml and other
  pure hemifacial modules, never web, database, video decoding, job queues or settings.
* ``web/`` (pages and API alike) reaches data only through ``services/``: it imports
  nothing from ``hemifacial.db``.
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


WEB_FORBIDDEN = ("hemifacial.db",)


def imported_modules(path: Path, package: str | None = None) -> list[str]:
    """Every module an ``import`` or ``from ... import`` in ``path`` names (absolute form);
    ``package`` is the module's package (by default, from where it lies under src/)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
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


def web_modules() -> list[Path]:
    return sorted((SRC / "web").rglob("*.py"))


def offending(
    path: Path, forbidden: tuple[str, ...] = FORBIDDEN_PREFIXES, package: str | None = None
) -> list[str]:
    return [
        name
        for name in imported_modules(path, package)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_layers_import_no_adapters(path: Path) -> None:
    assert offending(path) == []


@pytest.mark.parametrize("path", web_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_web_reaches_data_only_through_services(path: Path) -> None:
    assert offending(path, WEB_FORBIDDEN) == []


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text("from hemifacial.db import tables\nimport sqlalchemy.orm\n", encoding="utf-8")
    assert offending(bad, package="hemifacial.domain") == ["hemifacial.db", "sqlalchemy.orm"]


def test_the_checker_catches_a_route_that_imports_the_database(tmp_path: Path) -> None:
    route = tmp_path / "route.py"
    route.write_text(
        "from ...db import repositories as repo\nfrom hemifacial.services import reads\n",
        encoding="utf-8",
    )
    assert offending(route, WEB_FORBIDDEN, package="hemifacial.web.pages") == ["hemifacial.db"]


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from ..video import decode\nfrom . import signals\n", encoding="utf-8")
    assert imported_modules(probe, "hemifacial.analysis") == [
        "hemifacial.video",
        "hemifacial.analysis",
    ]
    assert offending(probe, package="hemifacial.analysis") == ["hemifacial.video"]
