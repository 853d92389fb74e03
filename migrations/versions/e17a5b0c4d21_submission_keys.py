"""core: one-time submission keys of the create forms (idempotent submissions); the item a
notification or an e-mail quotes (one visibility rule for every channel)

Revision ID: e17a5b0c4d21
Revises: b21c0a7e5d14
Create Date: 2026-12-07 16:00:00

"""

import sqlalchemy as sa
from alembic import op

import civic.core.models

revision = "e17a5b0c4d21"
down_revision = "b21c0a7e5d14"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", civic.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("digest", name=op.f("uq_submission_digest")),
    )
    op.create_index(op.f("ix_submission_created_at"), "submission", ["created_at"])
    for table in ("notification", "outbox_email"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("about_kind", sa.String(length=20), nullable=True))
            batch_op.add_column(sa.Column("about_id", sa.Integer(), nullable=True))


def downgrade():
    for table in ("notification", "outbox_email"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("about_id")
            batch_op.drop_column("about_kind")
    op.drop_index(op.f("ix_submission_created_at"), table_name="submission")
    op.drop_table("submission")
