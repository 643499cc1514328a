"""accounts: disabled flag, TOTP second factor, recovery codes, session stage

Existing users keep their role (``admin`` or ``clinician``); any other value becomes
``clinician``. Admins and clinicians set up their second factor at their next login.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("totp_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("recovery_codes", sa.JSON(), nullable=True))
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("stage", sa.String(10), nullable=False, server_default="full"))
    op.execute(
        "UPDATE users SET role = 'clinician' WHERE role NOT IN "
        "('admin', 'clinician', 'front_desk', 'auditor')"
    )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("stage")
    with op.batch_alter_table("users") as batch:
        for name in ("recovery_codes", "totp_last_step", "totp_confirmed", "totp_secret"):
            batch.drop_column(name)
        batch.drop_column("disabled")
