"""events: cover image and documents per event, paper contributions of a meeting, calendar revisions of workshops and phases, recurring events and their occurrences

Revision ID: b19e0a7c3d52
Revises: a16c0e5b7d21
Create Date: 2026-12-07 18:50:00

"""
from alembic import op
import sqlalchemy as sa

import civic.core.models


# revision identifiers, used by Alembic.
revision = 'b19e0a7c3d52'
down_revision = "a16c0e5b7d21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_filename', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('cover_alt', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('recurrence', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('recurrence_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('exceptions', sa.JSON(), nullable=False, server_default='[]'))
    op.create_table('event_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('suffix', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', civic.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_document_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_event_document_stored_name'))
    )
    with op.batch_alter_table('event_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_document_event_id'), ['event_id'], unique=False)
    op.create_table('event_contribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_contribution_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_event_contribution_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_contribution')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_event_contribution_proposal_id'))
    )
    with op.batch_alter_table('event_contribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_contribution_event_id'), ['event_id'], unique=False)
    op.create_table('agenda_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('updated_at', civic.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_revision')),
    sa.UniqueConstraint('source', 'item_id', name=op.f('uq_agenda_revision_source_item_id'))
    )
    op.create_table('event_occurrence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', civic.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', civic.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_occurrence_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_occurrence'))
    )
    with op.batch_alter_table('event_occurrence', schema=None) as batch_op:
        batch_op.create_index('ix_event_occurrence_event_id_starts_at', ['event_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_occurrence_starts_at'), ['starts_at'], unique=False)


def downgrade():
    with op.batch_alter_table('event_occurrence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_occurrence_starts_at'))
        batch_op.drop_index('ix_event_occurrence_event_id_starts_at')
    op.drop_table('event_occurrence')
    op.drop_table('agenda_revision')
    with op.batch_alter_table('event_contribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_contribution_event_id'))
    op.drop_table('event_contribution')
    with op.batch_alter_table('event_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_document_event_id'))
    op.drop_table('event_document')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('exceptions')
        batch_op.drop_column('recurrence_until')
        batch_op.drop_column('recurrence')
        batch_op.drop_column('cover_alt')
        batch_op.drop_column('cover_filename')
