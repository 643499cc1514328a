"""change counters for the page caches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "cases", sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False)
    )
    table = op.create_table(
        "clinic_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("clinic_revision")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("revision")
