"""home_delivery: delivery needs, delivery orders and their reserved lines

Revision ID: 0024_home_delivery
Revises: 0015_annual_report
Create Date: 2026-12-06 15:25:41

Home delivery (issue 19 part 2):

- delivery_need: a household's reason for delivery and its (private) address.
- delivery / delivery_line: the order, its steps' stamps, and the batches reserved for it.
- stock_balance.reserved: what open deliveries hold on the shelf. Added with a plain
  ALTER TABLE: `stock_balance` is not copied.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0024_home_delivery'
down_revision = '0025_imports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('delivery_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('elderly_alone', 'disability', 'illness', 'other', name='delivery_need_reason', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_delivery_need_beneficiary_id_beneficiary')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_delivery_need_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_delivery_need_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_need')),
    sa.UniqueConstraint('beneficiary_id', name=op.f('uq_delivery_need_beneficiary_id'))
    )
    with op.batch_alter_table('delivery_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_need_organization_id'), ['organization_id'], unique=False)

    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('community', sa.String(length=100), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('confirm_code', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('reserved', 'packed', 'out', 'delivered', 'failed', name='delivery_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('packed_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('packed_by_id', sa.Integer(), nullable=True),
    sa.Column('out_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('out_by_id', sa.Integer(), nullable=True),
    sa.Column('delivered_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_by_id', sa.Integer(), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('distribution_id', sa.Integer(), nullable=True),
    sa.Column('failed_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_by_id', sa.Integer(), nullable=True),
    sa.Column('fail_reason', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'delivered' OR distribution_id IS NOT NULL", name=op.f('ck_delivery_delivered_has_distribution')),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user_account.id'], name=op.f('fk_delivery_assigned_to_id_user_account')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_delivery_beneficiary_id_beneficiary')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_delivery_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['delivered_by_id'], ['user_account.id'], name=op.f('fk_delivery_delivered_by_id_user_account')),
    sa.ForeignKeyConstraint(['distribution_id'], ['distribution.id'], name=op.f('fk_delivery_distribution_id_distribution')),
    sa.ForeignKeyConstraint(['failed_by_id'], ['user_account.id'], name=op.f('fk_delivery_failed_by_id_user_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_delivery_organization_id_organization')),
    sa.ForeignKeyConstraint(['out_by_id'], ['user_account.id'], name=op.f('fk_delivery_out_by_id_user_account')),
    sa.ForeignKeyConstraint(['packed_by_id'], ['user_account.id'], name=op.f('fk_delivery_packed_by_id_user_account')),
    sa.ForeignKeyConstraint(['point_id'], ['charity_point.id'], name=op.f('fk_delivery_point_id_charity_point')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery'))
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_delivered_on'), ['delivered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_planned_on'), ['planned_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_point_id'), ['point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_status'), ['status'], unique=False)

    op.create_table('delivery_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('item_type_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('quantity', charity.core.db.Qty(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_delivery_line_quantity_positive')),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], name=op.f('fk_delivery_line_delivery_id_delivery')),
    sa.ForeignKeyConstraint(['item_type_id'], ['item_type.id'], name=op.f('fk_delivery_line_item_type_id_item_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_line'))
    )
    with op.batch_alter_table('delivery_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_line_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_line_item_type_id'), ['item_type_id'], unique=False)

    op.add_column('stock_balance', sa.Column('reserved', charity.core.db.Qty(),
                                             server_default='0', nullable=False))



def downgrade():
    op.drop_column('stock_balance', 'reserved')

    with op.batch_alter_table('delivery_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_line_item_type_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_line_delivery_id'))

    op.drop_table('delivery_line')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_status'))
        batch_op.drop_index(batch_op.f('ix_delivery_point_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_planned_on'))
        batch_op.drop_index(batch_op.f('ix_delivery_organization_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_delivered_on'))
        batch_op.drop_index(batch_op.f('ix_delivery_beneficiary_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_assigned_to_id'))

    op.drop_table('delivery')
    with op.batch_alter_table('delivery_need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_need_organization_id'))

    op.drop_table('delivery_need')
