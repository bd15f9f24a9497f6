"""food_safety: the daily expiry check of each point, and each organisation's warning window

Revision ID: 0011_food_safety
Revises: 0010
Create Date: 2026-11-27 10:00:00

Food Safety Law Arts. 53–54: expired food never leaves the shelf to a person. The ledger
refuses it (charity.goods.services.stock_ledger); this migration adds what the rest needs:

- organization.expiry_warning_days (default 7): batches this close to their expiry date are
  flagged at hand-out and offered first. Added with its CHECK in one ALTER TABLE, which
  SQLite and PostgreSQL both accept (a batch copy of `organization`, referenced by almost
  every table, is not worth the risk for one column).
- expiry_check: the scheduler's daily check of a point's shelves, once per point and day.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0011_food_safety'
down_revision = '0014_disclosure_periods'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "ALTER TABLE organization ADD COLUMN expiry_warning_days INTEGER DEFAULT 7 NOT NULL "
        "CONSTRAINT ck_organization_expiry_warning_days_range "
        "CHECK (expiry_warning_days BETWEEN 0 AND 90)")
    op.create_table(
        'expiry_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('point_id', sa.Integer(), nullable=False),
        sa.Column('checked_on', sa.Date(), nullable=False),
        sa.Column('expired_batches', sa.Integer(), nullable=False),
        sa.Column('checked_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('expired_batches >= 0',
                           name=op.f('ck_expiry_check_batches_not_negative')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_expiry_check_organization_id_organization')),
        sa.ForeignKeyConstraint(['point_id'], ['charity_point.id'],
                                name=op.f('fk_expiry_check_point_id_charity_point')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_expiry_check')),
        sa.UniqueConstraint('point_id', 'checked_on',
                            name=op.f('uq_expiry_check_point_id_checked_on')),
    )
    with op.batch_alter_table('expiry_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expiry_check_organization_id'), ['organization_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('expiry_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expiry_check_organization_id'))
    op.drop_table('expiry_check')
    op.drop_column('organization', 'expiry_warning_days')
