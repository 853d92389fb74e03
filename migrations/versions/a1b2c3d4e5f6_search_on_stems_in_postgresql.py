"""search: PostgreSQL index on the accent-free stems too

Revision ID: a1b2c3d4e5f6
Revises: e5374eeed2f5
Create Date: 2026-11-25 20:25:00

"""
from alembic import op

import civic.core.models  # noqa: F401

revision = "a1b2c3d4e5f6"
down_revision = "e5374eeed2f5"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_proposal_fts_stems ON proposal "
                   "USING gin (to_tsvector('simple', proposal.search_stems))")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_proposal_fts_stems")
