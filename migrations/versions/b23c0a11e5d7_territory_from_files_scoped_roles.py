"""territory from official files (closed communes, department, EPCI, unknown population), rows
of an import outside the territory counted apart,
commune-scoped role grants, residents following a commune

Revision ID: b23c0a11e5d7
Revises: b19e0a7c3d52
Create Date: 2026-12-07 18:40:00

"""
from alembic import op
import sqlalchemy as sa

import civic.core.models


revision = 'b23c0a11e5d7'
down_revision = "b19e0a7c3d52"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('commune', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population_known', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('departement', sa.String(length=3), server_default='', nullable=False))
        batch_op.add_column(sa.Column('epci', sa.String(length=9), server_default='', nullable=False))
        batch_op.add_column(sa.Column('closed_at', civic.core.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('service_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outside', sa.Integer(), server_default='0', nullable=False))
    op.create_table('commune_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', civic.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_commune_follow_commune_id_commune'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_commune_follow_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_follow')),
    sa.UniqueConstraint('commune_id', 'user_id', name=op.f('uq_commune_follow_commune_id_user_id'))
    )
    with op.batch_alter_table('commune_follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_follow_user_id'), ['user_id'], unique=False)
    op.create_table('role_grant_commune',
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_role_grant_commune_commune_id_commune'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grant_id'], ['role_grant.id'], name=op.f('fk_role_grant_commune_grant_id_role_grant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('grant_id', 'commune_id', name=op.f('pk_role_grant_commune'))
    )


def downgrade():
    op.drop_table('role_grant_commune')
    with op.batch_alter_table('commune_follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_follow_user_id'))
    op.drop_table('commune_follow')
    with op.batch_alter_table('service_import', schema=None) as batch_op:
        batch_op.drop_column('outside')
    with op.batch_alter_table('commune', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('epci')
        batch_op.drop_column('departement')
        batch_op.drop_column('population_known')
