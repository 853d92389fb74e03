"""consultations: a consultation event keeps its catalogue message, so that each follower
reads it in their own language

Revision ID: c16f2a9d4e31
Revises: 87015562e915
Create Date: 2026-12-07 19:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c16f2a9d4e31"
down_revision = "87015562e915"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultation_event") as batch_op:
        batch_op.add_column(sa.Column("message", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("consultation_event") as batch_op:
        batch_op.drop_column("message")
