"""analysis: the opinion map of each consultation ("Où vous situez-vous ?")

Revision ID: b21c0a7e5d14
Revises: 9d4b6e2f1c3a
Create Date: 2026-12-07 16:00:00

"""

import sqlalchemy as sa
from alembic import op

import civic.core.models

revision = "b21c0a7e5d14"
down_revision = "9d4b6e2f1c3a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opinion_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("computed_at", civic.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("requested_at", civic.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_opinion_map_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinion_map")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_opinion_map_consultation_id")),
    )


def downgrade():
    op.drop_table("opinion_map")
