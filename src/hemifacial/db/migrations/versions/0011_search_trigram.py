"""trigram index for the dashboard search (PostgreSQL)

The search matches a fragment anywhere in the name, e-mail or phone (``LIKE '%…%'``), which
a b-tree cannot serve: at 10,000 cases each search read the whole table (10 ms). A GIN
trigram index (``pg_trgm``, shipped with PostgreSQL and trusted, so the database owner may
create it) serves it in a fraction of that. Without the privilege to add the extension the
search still works, only slower; SQLite has no such index.

Revision ID: 0011
Revises: 0005
Create Date: 2026-12-02 16:20:00
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0005"
branch_labels = None
depends_on = None
log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        log.warning("no trigram index for the case search (pg_trgm: %s)", exc.orig)
        return
    op.create_index(
        "ix_cases_search_trgm",
        "cases",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cases_search_trgm")
