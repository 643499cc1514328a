"""clinicians, consultation slots, booking offers and bookings (no double booking)

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"  # migrations are chained in the order they were merged
branch_labels = None
depends_on = None

LIVE = sa.text("status = 'booked'")


def upgrade() -> None:
    op.create_table(
        "clinicians",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("specialty", sa.String(120), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("locations", sa.JSON(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "slots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "clinician_id",
            sa.Integer(),
            sa.ForeignKey("clinicians.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("series", sa.String(32), nullable=True),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("clinician_id", "starts_at", name="uq_slots_clinician_start"),
    )
    op.create_index("ix_slots_starts_at", "slots", ["starts_at"])
    op.create_table(
        "booking_offers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "clinician_id",
            sa.Integer(),
            sa.ForeignKey("clinicians.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("offered_by", sa.String(120), nullable=False),
        sa.Column("offered_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "slot_id", sa.Integer(), sa.ForeignKey("slots.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("uid", sa.String(120), nullable=False, unique=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_bookings_case_id", "bookings", ["case_id"])
    op.create_index("ix_bookings_slot_id", "bookings", ["slot_id"])
    for name, column in (
        ("uq_bookings_live_slot", "slot_id"),
        ("uq_bookings_live_case", "case_id"),
    ):
        op.create_index(
            name,
            "bookings",
            [column],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )


def downgrade() -> None:
    op.drop_table("bookings")
    op.drop_table("booking_offers")
    op.drop_index("ix_slots_starts_at", "slots")
    op.drop_table("slots")
    op.drop_table("clinicians")
