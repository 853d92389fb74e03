"""consultations: what the proposal listings sort and filter on, indexed

- ix_proposal_listing also holds the id: PostgreSQL counts the list and computes its shuffled
  order from the index alone;
- proposal.debate_score, computed by the database from the counters, and indexed: "most
  debated first" reads the first rows of an index instead of scoring and sorting them all;
- ix_proposal_theme: the theme filter, and the list of themes.

Revision ID: 3c9e1f4b7a20
Revises: 72d134e9a7cf
Create Date: 2026-11-26 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3c9e1f4b7a20"
# Written to follow a1b2c3d4e5f6; it follows the workshops migration, which follows that one
# too, so that the history keeps a single head.
down_revision = "72d134e9a7cf"
branch_labels = None
depends_on = None

# As civic.consultations.models.DEBATE_SCORE.
DEBATE_SCORE = (
    "coalesce((agree_count + disagree_count) * "
    "(CAST(CASE WHEN agree_count < disagree_count THEN agree_count ELSE disagree_count END "
    "AS FLOAT) / "
    "nullif(CASE WHEN agree_count < disagree_count THEN disagree_count ELSE agree_count END, 0)"
    "), 0)"
)


def upgrade():
    # SQLite can add a generated column to an existing table only as a virtual one (computed
    # when read, stored in the index); PostgreSQL stores it.
    stored = op.get_bind().dialect.name != "sqlite"
    op.add_column(
        "proposal",
        sa.Column("debate_score", sa.Float(), sa.Computed(DEBATE_SCORE, persisted=stored)),
    )
    op.drop_index("ix_proposal_listing", table_name="proposal")
    op.create_index(
        "ix_proposal_listing",
        "proposal",
        ["consultation_id", "status", "agree_count", "id"],
        unique=False,
    )
    op.create_index(
        "ix_proposal_debated",
        "proposal",
        ["consultation_id", "status", "debate_score"],
        unique=False,
    )
    op.create_index(
        "ix_proposal_theme", "proposal", ["consultation_id", "theme", "status"], unique=False
    )


def downgrade():
    op.drop_index("ix_proposal_theme", table_name="proposal")
    op.drop_index("ix_proposal_debated", table_name="proposal")
    op.drop_index("ix_proposal_listing", table_name="proposal")
    op.create_index(
        "ix_proposal_listing",
        "proposal",
        ["consultation_id", "status", "agree_count"],
        unique=False,
    )
    # A plain ALTER TABLE on SQLite too: a batch would rebuild the table without its
    # full-text search triggers.
    op.drop_column("proposal", "debate_score")
