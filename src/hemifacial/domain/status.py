"""Where a case stands in the clinic's work-up: one enum, its labels, the submitted ones."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """A case's status; ``draft`` is a consultation request still being filled in."""

    DRAFT = "draft"
    NEW = "new"
    AWAITING_HISTORY = "awaiting_history"
    AWAITING_TESTS = "awaiting_tests"
    UNDER_TREATMENT = "under_treatment"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    CaseStatus.DRAFT: "Request not sent yet",
    CaseStatus.NEW: "New",
    CaseStatus.AWAITING_HISTORY: "Awaiting history",
    CaseStatus.AWAITING_TESTS: "Awaiting imaging/tests",
    CaseStatus.UNDER_TREATMENT: "Under treatment",
    CaseStatus.CLOSED: "Closed",
}
# The statuses a clinician can set (every one but draft), in work-up order.
SUBMITTED = tuple(s for s in CaseStatus if s is not CaseStatus.DRAFT)
# Status id to label, for forms and filters.
STATUS_LABELS = {s.value: s.label for s in SUBMITTED}
