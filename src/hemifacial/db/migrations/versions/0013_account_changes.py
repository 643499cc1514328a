"""notify every web process when an account or a login session changes (PostgreSQL)

Each web process keeps the login sessions it has looked up (``services.accounts``'s
session cache) while nothing about accounts has changed. A statement-level trigger on
``users`` and on ``sessions`` sends ``NOTIFY hemifacial_accounts`` from the transaction
that changes them, whatever made the change (the app, the command line, plain SQL), and
PostgreSQL delivers it to every listening process when, and only if, that transaction
commits. A new session (INSERT) and the idle-timeout stamp (``last_seen``) notify nobody:
a new token is never in a cache, and the cache re-reads a session seen more than a
minute ago. SQLite has no NOTIFY: there the sessions are always read afresh.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"  # migrations are chained in the order they were merged
branch_labels = None
depends_on = None

UP = [
    """CREATE OR REPLACE FUNCTION hemifacial_accounts_changed() RETURNS trigger
       LANGUAGE plpgsql AS $$ BEGIN
         PERFORM pg_notify('hemifacial_accounts', '');
         RETURN NULL;
       END $$""",
    "DROP TRIGGER IF EXISTS users_changed ON users",
    """CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
       FOR EACH STATEMENT EXECUTE FUNCTION hemifacial_accounts_changed()""",
    "DROP TRIGGER IF EXISTS sessions_changed ON sessions",
    """CREATE TRIGGER sessions_changed
       AFTER UPDATE OF token_hash, user_id, csrf_token, created_at, stage OR DELETE OR TRUNCATE
       ON sessions FOR EACH STATEMENT EXECUTE FUNCTION hemifacial_accounts_changed()""",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in UP:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS users_changed ON users")
        op.execute("DROP TRIGGER IF EXISTS sessions_changed ON sessions")
        op.execute("DROP FUNCTION IF EXISTS hemifacial_accounts_changed()")
