"""A patient's deletion or anonymisation (the consent text promises deletion on request).

``delete_patient`` removes the case and everything of it: findings, assessments, notes,
visits, videos, jobs, analyses, private links, idempotency records, and once committed the
video files (unless another case holds the same file) and timeline plots.
``anonymise_patient`` keeps the clinical findings and assessments (for the clinic's
statistics) and removes what names or shows the patient: name, contact, birth year, the
answers as typed, notes, visit labels, videos and their files, links.

Both are audited with the case's number and counts only, so the audit trail — which is
kept, and stays verifiable, because it cannot be edited — holds nothing that identifies the
person (docs/security.md says what the law requires to keep).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from hemifacial.db import erasure as rows
from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.settings import Settings

from .database import UnitOfWork, on_commit
from .videos import blob_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erased:
    case_id: int
    findings: int
    videos: int
    files: int


def _remove_files(settings: Settings, files: rows.CaseFiles) -> None:
    paths = [blob_path(settings, sha) for sha in files.blobs]
    paths += [settings.plot_dir / Path(name).name for name in files.plots]
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:  # reported, never silent: the operator removes it by hand
            log.error("could not remove %s after an erasure: %s", path, type(exc).__name__)


def _erase(s: UnitOfWork, settings: Settings, case_id: int, actor: str, keep: bool) -> Erased:
    repo.get_case(s, case_id, lock=True)
    files = rows.files_of(s, case_id)
    findings = rows.count(s, t.Finding, case_id)
    if keep:
        rows.strip_identity(s, case_id)
    else:
        rows.delete_case(s, case_id)
    erased = Erased(case_id, findings, files.videos, len(files.blobs) + len(files.plots))
    action = "case.anonymise" if keep else "case.delete"
    repo.audit(
        s, actor, action, case_id, findings=findings, videos=files.videos, files=erased.files
    )
    on_commit(s, lambda: _remove_files(settings, files))
    return erased


def delete_patient(s: UnitOfWork, settings: Settings, case_id: int, actor: str) -> Erased:
    """Delete the case and all of its data and files (audited, without the patient's name)."""
    return _erase(s, settings, case_id, actor, keep=False)


def anonymise_patient(s: UnitOfWork, settings: Settings, case_id: int, actor: str) -> Erased:
    """Keep the clinical findings, remove everything that identifies the patient."""
    return _erase(s, settings, case_id, actor, keep=True)
