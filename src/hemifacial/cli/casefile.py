"""Read a case file (YAML or JSON) into raw findings, with clear errors.

A case file is a mapping with ``findings`` (finding id → value) and optionally ``setting``,
``title``, ``id`` and ``notes``; case vignettes add ``expected``, ``source`` and
``difficulty``. Anything else is an error naming the nearest allowed key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hemifacial.errors import CaseFileError, UnknownKeyError

TOP_LEVEL_KEYS = ("findings", "setting", "title", "id", "notes", "expected", "source", "difficulty")


@dataclass(frozen=True)
class CaseFile:
    findings: dict[str, Any]
    setting: str | None = None
    title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_case_document(data: Any, origin: str = "case") -> CaseFile:
    """Validate an already-parsed document."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CaseFileError(
            f"{origin}: expected a mapping with 'findings', got {type(data).__name__}"
        )
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise UnknownKeyError("case-file key", str(key), TOP_LEVEL_KEYS)
    findings = data.get("findings") or {}
    if not isinstance(findings, dict):
        raise CaseFileError(f"{origin}: 'findings' must be a mapping of finding to value")
    setting = data.get("setting")
    extra = {k: v for k, v in data.items() if k not in ("findings", "setting", "title")}
    return CaseFile({str(k): v for k, v in findings.items()}, setting, data.get("title"), extra)


def load_case_file(path: str | Path) -> CaseFile:
    """Read and validate a ``.yaml``/``.yml``/``.json`` case file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseFileError(f"case file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(f"cannot read case file {path}: {exc}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise CaseFileError(
            f"{path} is not valid {path.suffix.lstrip('.').upper() or 'YAML'}: {exc}"
        ) from None
    return parse_case_document(data, str(path))


def example_path(name: str = "typical_left_hfs") -> Path:
    """Path of a packaged example case."""
    return Path(str(resources.files("hemifacial.examples").joinpath(f"{name}.yaml")))
