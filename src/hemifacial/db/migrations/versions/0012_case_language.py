"""the patient's language, stored with the request: the e-mails staff trigger (news about
the request, appointments, reminders) are written in it

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-03 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"  # the chain's head when this was written
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        # a code of services.i18n.LANGUAGES ("en", "es", "ko", "zh_Hans"); NULL: not known
        # (requests made before this migration, or by the front desk)
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("language")
