"""transparency: the daily history of each organisation's transparency score

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 13:10:00

"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'transparency_score',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('computed_on', sa.Date(), nullable=False),
        sa.Column('computed_at', charity.core.db.UTCDateTime(), nullable=False),
        sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column('grade', sa.String(length=2), nullable=False),
        sa.Column('groups', sa.JSON(), nullable=False),
        sa.Column('indicators', sa.JSON(), nullable=False),
        sa.Column('gap_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_transparency_score_organization_id_organization')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transparency_score')),
        sa.UniqueConstraint('organization_id', 'computed_on',
                            name=op.f('uq_transparency_score_organization_id_computed_on')),
    )
    with op.batch_alter_table('transparency_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transparency_score_computed_on'), ['computed_on'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_transparency_score_organization_id'),
                              ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('transparency_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transparency_score_organization_id'))
        batch_op.drop_index(batch_op.f('ix_transparency_score_computed_on'))
    op.drop_table('transparency_score')
