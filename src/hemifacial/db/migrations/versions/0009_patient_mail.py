"""the patient's side: separate video consent, merged duplicates, the e-mail outbox and
patients' requests (message, withdraw video consent, deletion)

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"  # relinked after merging main (0004 in the brief)
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("video_consent_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("to_addr", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("ics", sa.Text(), nullable=True),
        sa.Column("ics_method", sa.String(20), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_outbox_case_id", "outbox", ["case_id"])
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_table(
        "patient_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.Column("handled_by", sa.String(120), nullable=True),
    )
    op.create_index("ix_patient_requests_case_id", "patient_requests", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_patient_requests_case_id", "patient_requests")
    op.drop_table("patient_requests")
    op.drop_index("ix_outbox_status", "outbox")
    op.drop_index("ix_outbox_case_id", "outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("merged_into")
        batch.drop_column("video_consent_at")
