"""the phone's key (its last nine digits), indexed, for possible duplicates

The case page and the worklist look for other requests with the same phone. The page
matched a fragment of the number anywhere (``phone LIKE '%5678%'``, then the last nine
digits compared in Python), which no index serves: with a phone given, every first view
of a case page read the whole table (3.3 ms at 10,000 cases on PostgreSQL, against 0.3 ms
for the e-mail's indexed lookup). The worklist compared the phones as typed, so
"020 7946 0123" and "+44 20 7946 0123" were one patient on the page and two on the
worklist. Both now compare ``phone_key`` (``tables.phone_key``), set with the phone.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hemifacial.db.tables import PHONE_KEY_DIGITS, phone_key

revision = "0014"
down_revision = "0013"  # migrations are chained in the order they were merged
branch_labels = None
depends_on = None

_cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("phone", sa.String),
    sa.column("phone_key", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("phone_key", sa.String(PHONE_KEY_DIGITS), nullable=False, server_default="")
        )
    bind = op.get_bind()
    # the key in Python, as the app computes it (SQLite has no regexp_replace); only the
    # rows with a phone, a fraction of a clinic's requests
    rows = bind.execute(sa.select(_cases.c.id, _cases.c.phone).where(_cases.c.phone != ""))
    keys = [{"key_id": i, "key": phone_key(p)} for i, p in rows]
    if keys:
        bind.execute(
            _cases.update()
            .where(_cases.c.id == sa.bindparam("key_id"))
            .values(phone_key=sa.bindparam("key")),
            keys,
        )
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_phone")
        batch.create_index("ix_cases_phone_key", ["phone_key"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_phone_key")
        batch.create_index("ix_cases_phone", ["phone"])
        batch.drop_column("phone_key")
