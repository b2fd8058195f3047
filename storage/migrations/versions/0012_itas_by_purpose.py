"""Stay-permit codes up to 24 characters: ITAS by purpose (ITAS_KELUARGA, ITAS_PENELITIAN, …)

ITAS is not one permit but one per purpose (domain-facts: work, investment, family, study,
research, retirement, remote work); the vocabulary now stores the purpose in the code, and the
longest code is 15 characters. SQLite does not enforce VARCHAR lengths: nothing to do there.
On PostgreSQL widening a VARCHAR rewrites nothing (a catalogue change only).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:10:00
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("presence", "presence_daily")


def _width(n: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN permit_type TYPE VARCHAR({n}) COLLATE "C"')


def upgrade() -> None:
    _width(24)


def downgrade() -> None:
    _width(12)
