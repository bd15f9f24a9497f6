"""wishes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 11:50:00

"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wish',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=True),
    sa.Column('what', sa.String(length=100), nullable=False),
    sa.Column('tag', sa.String(length=50), nullable=False),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'claimed', 'fulfilled', 'cancelled', name='wish_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('claim_ref', sa.String(length=16), nullable=True),
    sa.Column('claimant_name', sa.String(length=100), nullable=False),
    sa.Column('claimant_phone', sa.String(length=50), nullable=False),
    sa.Column('claimed_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('release_reason', sa.String(length=500), nullable=False),
    sa.Column('fulfilled_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fulfilled_by_id', sa.Integer(), nullable=True),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_wish_quantity_positive')),
    sa.CheckConstraint('age IS NULL OR (age >= 0 AND age <= 120)', name=op.f('ck_wish_age_range')),
    sa.CheckConstraint("status <> 'fulfilled' OR intake_id IS NOT NULL", name=op.f('ck_wish_fulfilled_has_intake')),
    sa.CheckConstraint("status <> 'claimed' OR claimed_at IS NOT NULL", name=op.f('ck_wish_claimed_has_time')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_wish_beneficiary_id_beneficiary')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user_account.id'], name=op.f('fk_wish_cancelled_by_id_user_account')),
    sa.ForeignKeyConstraint(['category_id'], ['item_category.id'], name=op.f('fk_wish_category_id_item_category')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_wish_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['fulfilled_by_id'], ['user_account.id'], name=op.f('fk_wish_fulfilled_by_id_user_account')),
    sa.ForeignKeyConstraint(['intake_id'], ['intake.id'], name=op.f('fk_wish_intake_id_intake')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_wish_organization_id_organization')),
    sa.ForeignKeyConstraint(['point_id'], ['charity_point.id'], name=op.f('fk_wish_point_id_charity_point')),
    sa.ForeignKeyConstraint(['released_by_id'], ['user_account.id'], name=op.f('fk_wish_released_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wish')),
    sa.UniqueConstraint('claim_ref', name=op.f('uq_wish_claim_ref'))
    )
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wish_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wish_fulfilled_at'), ['fulfilled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wish_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wish_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wish_point_id'), ['point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wish_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wish_status'))
        batch_op.drop_index(batch_op.f('ix_wish_point_id'))
        batch_op.drop_index(batch_op.f('ix_wish_organization_id'))
        batch_op.drop_index(batch_op.f('ix_wish_intake_id'))
        batch_op.drop_index(batch_op.f('ix_wish_fulfilled_at'))
        batch_op.drop_index(batch_op.f('ix_wish_beneficiary_id'))

    op.drop_table('wish')
