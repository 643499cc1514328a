"""worklist: sex, side, findings count, video status and assignee on cases; who saw what

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"  # migrations are chained in the order they were merged
branch_labels = None
depends_on = None

SORTED = (
    "submitted_at",
    "birth_year",
    "sex",
    "side",
    "top_condition",
    "top_probability",
    "video_status",
    "assigned_to",
    "patient_name",
)
_RANK = "CASE f.source WHEN 'test' THEN 3 WHEN 'clinician' THEN 2 WHEN 'video' THEN 1 ELSE 0 END"


def _latest(finding: str) -> str:
    """The value of ``finding`` from its best source (as the services merge them)."""
    return (
        f"(SELECT f.value FROM findings f WHERE f.case_id = cases.id AND f.finding_id = "
        f"'{finding}' AND f.value <> 'unknown' ORDER BY {_RANK} DESC, f.id DESC LIMIT 1)"
    )


_VIDEO = """(SELECT CASE MAX(CASE j.status WHEN 'running' THEN 4 WHEN 'queued' THEN 3
    WHEN 'failed' THEN 2 WHEN 'done' THEN 1 ELSE 0 END)
    WHEN 4 THEN 'running' WHEN 3 THEN 'queued' WHEN 2 THEN 'failed' WHEN 1 THEN 'done'
    ELSE 'none' END
    FROM jobs j JOIN videos v ON v.id = j.video_id WHERE v.case_id = cases.id)"""


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("sex", sa.String(10), nullable=True))
        batch.add_column(sa.Column("side", sa.String(10), nullable=True))
        batch.add_column(sa.Column("findings_count", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("video_status", sa.String(12), nullable=False, server_default="none")
        )
        batch.add_column(sa.Column("assigned_to", sa.String(80), nullable=True))
    op.create_table(
        "case_seen",
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("username", "case_id"),
    )
    # existing cases: the same values the services now keep current
    op.execute(f"UPDATE cases SET video_status = COALESCE({_VIDEO}, 'none')")
    op.execute(
        f"UPDATE cases SET sex = {_latest('sex')}, side = {_latest('side')}, "
        "findings_count = (SELECT COUNT(DISTINCT f.finding_id) FROM findings f "
        "WHERE f.case_id = cases.id AND f.value <> 'unknown') "
        "WHERE EXISTS (SELECT 1 FROM assessments a WHERE a.case_id = cases.id)"
    )
    for column in SORTED:
        op.create_index(f"ix_cases_by_{column}", "cases", [column, "id"])
    op.create_index("ix_cases_email", "cases", [sa.text("lower(email)")])
    op.create_index("ix_cases_phone", "cases", ["phone"])


def downgrade() -> None:
    op.drop_index("ix_cases_phone", "cases")
    op.drop_index("ix_cases_email", "cases")
    for column in SORTED:
        op.drop_index(f"ix_cases_by_{column}", "cases")
    op.drop_table("case_seen")
    with op.batch_alter_table("cases") as batch:
        for column in ("assigned_to", "video_status", "findings_count", "side", "sex"):
            batch.drop_column(column)
