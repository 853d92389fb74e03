"""analysis: stored sentence vectors of contributions; themes of two-level analyses

Revision ID: b14e7c0a5d21
Revises: f15a0c5d7e21
Create Date: 2026-12-07 16:00:00

"""

import sqlalchemy as sa
from alembic import op

import civic.core.models

revision = "b14e7c0a5d21"
down_revision = "f15a0c5d7e21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "analysis_vector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", civic.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_vector")),
        sa.UniqueConstraint("kind", "item_id", name=op.f("uq_analysis_vector_kind_item_id")),
    )
    with op.batch_alter_table("analysis_run") as batch:
        batch.add_column(sa.Column("themes", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("analysis_cluster") as batch:
        batch.add_column(sa.Column("theme", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("analysis_cluster") as batch:
        batch.drop_column("theme")
    with op.batch_alter_table("analysis_run") as batch:
        batch.drop_column("themes")
    op.drop_table("analysis_vector")
