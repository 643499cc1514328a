"""the clinician's side: video reviews (events judged, side confirmed or overridden) and
dated test results (report, attachment, who entered it) with their findings

Revision ID: 0007
Revises: 0011
Create Date: 2026-12-02 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0011"  # migrations are chained in the order they were merged
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "test_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("test_id", sa.String(80), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("attachment_sha256", sa.String(64), nullable=True),
        sa.Column("attachment_name", sa.String(200), nullable=True),
        sa.Column("attachment_type", sa.String(40), nullable=True),
        sa.Column("attachment_size", sa.Integer(), nullable=True),
        sa.Column("entered_by", sa.String(120), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_test_results_case_id", "test_results", ["case_id"])
    op.create_table(
        "video_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "video_id",
            sa.Integer(),
            sa.ForeignKey("videos.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_index", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("reviewed_by", sa.String(120), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_video_reviews_case_id", "video_reviews", ["case_id"])
    op.create_index("ix_video_reviews_video_id", "video_reviews", ["video_id"])
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("result_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_findings_result_id", "test_results", ["result_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_findings_result_id", ["result_id"])


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_index("ix_findings_result_id")
        batch.drop_constraint("fk_findings_result_id", type_="foreignkey")
        batch.drop_column("result_id")
    op.drop_table("video_reviews")
    op.drop_table("test_results")
