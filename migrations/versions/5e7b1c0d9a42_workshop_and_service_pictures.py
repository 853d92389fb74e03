"""workshops and public services: a picture each, with its text alternative

Revision ID: 5e7b1c0d9a42
Revises: c16f2a9d4e31
Create Date: 2026-12-07 21:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5e7b1c0d9a42"
down_revision = "c16f2a9d4e31"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshop") as batch_op:
        batch_op.add_column(sa.Column("cover_filename", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("cover_alt", sa.String(length=300), nullable=False, server_default="")
        )
    with op.batch_alter_table("public_service") as batch_op:
        batch_op.add_column(sa.Column("picture_filename", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("picture_alt", sa.String(length=300), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("public_service") as batch_op:
        batch_op.drop_column("picture_alt")
        batch_op.drop_column("picture_filename")
    with op.batch_alter_table("workshop") as batch_op:
        batch_op.drop_column("cover_alt")
        batch_op.drop_column("cover_filename")
