"""Test results as clinicians record them: the test, the day it was done, the report's
text, an optional attachment (PDF or image) and who entered it, with the findings read
from it (source "test", linked to the result). Edit and delete are audited; deleting a
result removes its findings and re-ranks.

Attachments are probed (a PDF or a PNG/JPEG image that Pillow can read, whatever the
name says), limited in size, stored once by content hash under the data directory with
owner-only permissions, and served only as a download.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from hemifacial.db import records
from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import FormError, NotFoundError, UploadTooLargeError
from hemifacial.settings import Settings

from .cases import reassess, record_findings
from .database import on_commit
from .dates import parse_day
from .videos import safe_name
from .views import StoredAssessment

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_REPORT_CHARS = 20_000
KINDS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


@dataclass(frozen=True)
class Attachment:
    sha256: str
    size: int
    content_type: str
    name: str


def attachment_dir(settings: Settings) -> Path:
    return settings.data_dir / "attachments"


def _attachment_path(settings: Settings, sha256: str) -> Path:
    return attachment_dir(settings) / sha256[:2] / sha256


def probe(data: bytes) -> str | None:
    """The content type of a PDF or a readable PNG/JPEG image; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return {"PNG": "image/png", "JPEG": "image/jpeg"}.get(kind or "")


def store_attachment(settings: Settings, chunks: Iterable[bytes], filename: str) -> Attachment:
    """Stream an attachment to disk (size limit, probed); one owner-only file per hash."""
    folder = attachment_dir(settings)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    limit = min(MAX_ATTACHMENT_BYTES, settings.max_upload_bytes)
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise UploadTooLargeError(
                        f"the attachment is larger than the {limit // (1024 * 1024)} MB limit"
                    )
                digest.update(chunk)
                out.write(chunk)
        data = tmp.read_bytes()
        kind = probe(data) if data else None
        if kind is None:
            raise FormError(
                {"attachment": f"'{safe_name(filename)}' is not a PDF or a PNG/JPEG image"}
            )
        sha = digest.hexdigest()
        final = _attachment_path(settings, sha)
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if final.exists():
            tmp.unlink()
        else:
            os.replace(tmp, final)
            final.chmod(0o600)
        stem = Path(safe_name(filename)).stem or "attachment"
        return Attachment(sha, size, kind, stem + KINDS[kind])
    finally:
        if tmp.exists():
            tmp.unlink()


def _check(kb: KnowledgeBase, test_id: str, report: str) -> tuple[str, str]:
    test_id, report = test_id.strip(), report.strip()
    if test_id and test_id not in kb.tests:
        raise FormError({"test_id": f"unknown test {test_id!r}; choose one from the list"})
    if len(report) > MAX_REPORT_CHARS:
        raise FormError({"report": f"the report is longer than {MAX_REPORT_CHARS:,} characters"})
    return test_id, report


def add_result(
    s: Session,
    kb: KnowledgeBase,
    case_id: int,
    *,
    test_id: str,
    performed_on: str,
    report: str,
    findings: Mapping[str, Any],
    attachment: Attachment | None,
    actor: str,
) -> StoredAssessment | None:
    """Store a dated result with its findings and re-rank (None when it has no findings:
    a report or attachment alone changes no ranking)."""
    case = repo.get_case(s, case_id)
    day = parse_day(performed_on, "performed_on", case.birth_year)
    test_id, report = _check(kb, test_id, report)
    if not findings and not report and attachment is None:
        raise FormError({"_form": "nothing to save: give a finding, the report or a file"})
    row = t.TestResult(
        case_id=case_id,
        test_id=test_id,
        performed_on=day,
        report=report,
        entered_by=actor,
        attachment_sha256=attachment.sha256 if attachment else None,
        attachment_name=attachment.name if attachment else None,
        attachment_type=attachment.content_type if attachment else None,
        attachment_size=attachment.size if attachment else None,
    )
    s.add(row)
    s.flush()
    repo.audit(s, actor, "result.add", case_id, result_id=row.id, test=test_id, day=day.isoformat())
    if not findings:
        return None
    return record_findings(s, kb, case_id, findings, source="test", actor=actor, result_id=row.id)


def edit_result(
    s: Session,
    kb: KnowledgeBase,
    result_id: int,
    *,
    test_id: str,
    performed_on: str,
    report: str,
    actor: str,
) -> int:
    """Correct a result's test, day or report; returns its case."""
    row = records.get_result(s, result_id)
    case = repo.get_case(s, row.case_id)
    day = parse_day(performed_on, "performed_on", case.birth_year)
    test_id, report = _check(kb, test_id, report)
    old = {"test": row.test_id, "day": row.performed_on.isoformat(), "report": row.report}
    row.test_id, row.performed_on, row.report = test_id, day, report
    row.updated_at = t.utcnow()
    new = {"test": test_id, "day": day.isoformat(), "report": report}
    changed = sorted(k for k in old if old[k] != new[k])
    repo.audit(
        s,
        actor,
        "result.edit",
        row.case_id,
        result_id=row.id,
        changed=changed,
        old={k: old[k] for k in changed if k != "report"},
        new={k: new[k] for k in changed if k != "report"},
    )
    s.flush()
    return row.case_id


def delete_result(
    s: Session, kb: KnowledgeBase, result_id: int, actor: str, settings: Settings | None = None
) -> int:
    """Remove a result and the findings read from it, and re-rank; returns its case. With
    ``settings``, its attachment's file goes too once committed (if no other result has it)."""
    row = records.get_result(s, result_id)
    case_id, sha = row.case_id, row.attachment_sha256
    removed = records.delete_result_findings(s, result_id)
    s.delete(row)
    repo.audit(s, actor, "result.delete", case_id, result_id=result_id, findings=removed)
    s.flush()
    if settings is not None and sha and not records.attachment_in_use(s, sha):
        path = _attachment_path(settings, sha)
        on_commit(s, lambda: path.unlink(missing_ok=True))
    reassess(s, kb, repo.get_case(s, case_id), f"test result {result_id} deleted")
    return case_id


@dataclass(frozen=True)
class AttachmentFile:
    path: Path
    name: str
    content_type: str
    case_id: int


def attachment_file(s: Session, settings: Settings, result_id: int) -> AttachmentFile:
    """The stored attachment of a result (NotFoundError when it has none)."""
    row = records.get_result(s, result_id)
    if not row.attachment_sha256:
        raise NotFoundError(f"test result {result_id} has no attachment")
    path = _attachment_path(settings, row.attachment_sha256)
    if not path.is_file():
        raise NotFoundError(f"the attachment of test result {result_id} is missing")
    return AttachmentFile(
        path, row.attachment_name or "attachment", row.attachment_type or "", row.case_id
    )


def case_of_result(s: Session, result_id: int) -> int:
    return records.get_result(s, result_id).case_id


def latest_assessment_id(s: Session, case_id: int) -> int | None:
    """The case's latest assessment (what a save's confirmation compares against)."""
    row = repo.latest_assessment(s, case_id)
    return row.id if row else None
