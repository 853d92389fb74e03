"""answers: remembered signatures, templates, second-person validation, held campaign copies,
archived synthesis PDFs

Revision ID: f15a0c5d7e21
Revises: b16c0de5a1e1
Create Date: 2026-12-07 16:00:00

"""

import sqlalchemy as sa
from alembic import op

import civic.core.models

revision = "f15a0c5d7e21"
down_revision = "b16c0de5a1e1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "answer_signature",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("signed_as", sa.String(length=120), nullable=False),
        sa.Column("updated_at", civic.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_answer_signature_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_answer_signature")),
    )
    op.create_table(
        "answer_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", civic.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_answer_template_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_answer_template_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_template")),
    )
    op.create_index(
        op.f("ix_answer_template_consultation_id"), "answer_template", ["consultation_id"]
    )
    op.create_table(
        "answer_policy",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("second_validation", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_answer_policy_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_answer_policy")),
    )
    op.create_table(
        "answer_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("signed_as", sa.String(length=120), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", civic.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", civic.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_answer_draft_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_answer_draft_author_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_draft")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_answer_draft_proposal_id")),
    )
    op.create_table(
        "analysis_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", civic.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analysis_run.id"],
            name=op.f("fk_analysis_report_run_id_analysis_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_report")),
        sa.UniqueConstraint("run_id", name=op.f("uq_analysis_report_run_id")),
    )
    with op.batch_alter_table("analysis_member") as batch:
        batch.add_column(
            sa.Column("held", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("analysis_member") as batch:
        batch.drop_column("held")
    op.drop_table("analysis_report")
    op.drop_table("answer_draft")
    op.drop_table("answer_policy")
    op.drop_index(op.f("ix_answer_template_consultation_id"), table_name="answer_template")
    op.drop_table("answer_template")
    op.drop_table("answer_signature")
