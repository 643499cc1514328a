"""hash-chained, append-only audit trail (with client address and user agent); the chain
head; idempotency keys of submissions

Existing audit rows are numbered in id order and chained, so ``hemifacial audit verify``
covers the history from before this revision too.

Revision ID: 0006
Revises: 0010 (written on 0004; relinked after main's 0010 when merging main)
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hemifacial.db import audit as chain

revision = "0006"
down_revision = "0010"  # migrations are chained in the order they were merged
branch_labels = None
depends_on = None


def _backfill(conn: sa.Connection) -> tuple[int, str]:
    rows = conn.execute(
        sa.text("SELECT id, at, actor, action, case_id, detail FROM audit ORDER BY id").columns(
            sa.column("id", sa.Integer),
            sa.column("at", sa.DateTime),
            sa.column("actor", sa.String),
            sa.column("action", sa.String),
            sa.column("case_id", sa.Integer),
            sa.column("detail", sa.JSON),
        )
    ).all()
    prev = chain.GENESIS
    for seq, r in enumerate(rows, start=1):
        content = chain.row_content(seq, r.at, r.actor, r.action, r.case_id, r.detail, "", "")
        digest = chain.row_hash(prev, content)
        conn.execute(
            sa.text("UPDATE audit SET seq = :seq, prev_hash = :prev, hash = :h WHERE id = :id"),
            {"seq": seq, "prev": prev, "h": digest, "id": r.id},
        )
        prev = digest
    return len(rows), prev


def upgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("ip", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("user_agent", sa.String(300), nullable=False, server_default=""))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    conn = op.get_bind()
    seq, last = _backfill(conn)
    with op.batch_alter_table("audit") as batch:
        batch.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
        batch.create_index("ix_audit_seq", ["seq"], unique=True)
        batch.create_index("ix_audit_at", ["at"])
        batch.create_index("ix_audit_actor", ["actor"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    conn.execute(
        sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :seq, :h)"),
        {"seq": seq, "h": last},
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.create_index("ix_idempotency_keys_case_id", "idempotency_keys", ["case_id"])
    for statement in chain.guard_sql(conn.dialect.name):
        conn.execute(sa.text(statement))


def downgrade() -> None:
    conn = op.get_bind()
    for statement in chain.unguard_sql(conn.dialect.name):
        conn.execute(sa.text(statement))
    op.drop_index("ix_idempotency_keys_case_id", table_name="idempotency_keys")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit") as batch:
        batch.drop_index("ix_audit_actor")
        batch.drop_index("ix_audit_at")
        batch.drop_index("ix_audit_seq")
        for name in ("hash", "prev_hash", "user_agent", "ip", "seq"):
            batch.drop_column(name)
