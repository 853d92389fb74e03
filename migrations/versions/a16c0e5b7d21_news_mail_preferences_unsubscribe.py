"""core: e-mail news grouped at each person's rhythm (pending items, preferences per kind),
one-click unsubscribe address of an e-mail; the per-follow digest date goes (the items carry it);
moderation: a case claimed by one moderator; consultations: the postal address a resident
gave on paper to receive the answer by post

Revision ID: a16c0e5b7d21
Revises: e7a19c0b5d21
Create Date: 2026-12-07 19:00:00

"""

import sqlalchemy as sa
from alembic import op

import civic.core.models

revision = "a16c0e5b7d21"
down_revision = "e7a19c0b5d21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_mail_preference_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_preference")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_mail_preference_user_id_kind")),
    )
    op.create_index(op.f("ix_mail_preference_user_id"), "mail_preference", ["user_id"])
    op.create_table(
        "mail_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("topic_title", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("about_kind", sa.String(length=20), nullable=True),
        sa.Column("about_id", sa.Integer(), nullable=True),
        sa.Column("mailed_at", civic.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outbox_email_id", sa.Integer(), nullable=True),
        sa.Column("created_at", civic.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_mail_item_user_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["outbox_email_id"],
            ["outbox_email.id"],
            name=op.f("fk_mail_item_outbox_email_id_outbox_email"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_item")),
    )
    op.create_index("ix_mail_item_waiting", "mail_item", ["user_id", "mailed_at"])
    op.create_index(op.f("ix_mail_item_outbox_email_id"), "mail_item", ["outbox_email_id"])
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.add_column(
            sa.Column("unsubscribe_url", sa.String(length=500), nullable=False, server_default="")
        )
    with op.batch_alter_table("follow") as batch_op:
        batch_op.drop_column("last_digest_at")
    op.create_table(
        "postal_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=True),
        sa.Column("created_at", civic.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["commune.id"],
            name=op.f("fk_postal_contact_commune_id_commune"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_postal_contact_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_contact")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_postal_contact_proposal_id")),
    )
    with op.batch_alter_table("moderation_case") as batch_op:
        batch_op.add_column(sa.Column("claimed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_at", civic.core.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_case_claimed_by_id_user"),
            "user",
            ["claimed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    op.drop_table("postal_contact")
    with op.batch_alter_table("moderation_case") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_moderation_case_claimed_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by_id")
    with op.batch_alter_table("follow") as batch_op:
        batch_op.add_column(
            sa.Column("last_digest_at", civic.core.models.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.drop_column("unsubscribe_url")
    op.drop_index("ix_mail_item_waiting", table_name="mail_item")
    op.drop_table("mail_item")
    op.drop_index(op.f("ix_mail_preference_user_id"), table_name="mail_preference")
    op.drop_table("mail_preference")
