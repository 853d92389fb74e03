"""territory: each commune's postcode (an address shows it, not the INSEE code)

Revision ID: b16c0de5a1e1
Revises: 9d4b6e2f1c3a
Create Date: 2026-12-07 16:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b16c0de5a1e1"
down_revision = "9d4b6e2f1c3a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("commune") as batch:
        batch.add_column(sa.Column("postcode", sa.String(5), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("commune") as batch:
        batch.drop_column("postcode")
