"""boxes: labelled boxes of goods (issue 20 §3)

Revision ID: 0027_boxes
Revises: 0015_annual_report
Create Date: 2026-12-06 15:39:02

- box: a box at a point, its state, the transfer it travels in, the distribution that
  handed it out; `code` is what its QR label carries.
- box_line: item, batch and quantity in a box (a view onto the stock balance's batches).
- box_event: the box's life, stamped (who, when, where, which stock document).

New tables only: no existing table is altered or copied.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0027_boxes'
down_revision = '0028_annual_content'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('box',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('state', sa.Enum('on_shelf', 'in_transit', 'handed_out', 'lost', name='box_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.Column('distribution_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_box_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['distribution_id'], ['distribution.id'], name=op.f('fk_box_distribution_id_distribution')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_box_organization_id_organization')),
    sa.ForeignKeyConstraint(['point_id'], ['charity_point.id'], name=op.f('fk_box_point_id_charity_point')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfer.id'], name=op.f('fk_box_transfer_id_transfer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_box')),
    sa.UniqueConstraint('code', name=op.f('uq_box_code'))
    )
    op.create_index(op.f('ix_box_organization_id'), 'box', ['organization_id'], unique=False)
    op.create_index(op.f('ix_box_point_id'), 'box', ['point_id'], unique=False)
    op.create_index(op.f('ix_box_state'), 'box', ['state'], unique=False)
    op.create_index(op.f('ix_box_transfer_id'), 'box', ['transfer_id'], unique=False)

    op.create_table('box_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('packed', 'sent', 'received', 'handed_out', 'lost', 'counted', 'missing', name='box_event_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('document_type', sa.String(length=24), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_box_event_box_id_box')),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_box_event_by_id_user_account')),
    sa.ForeignKeyConstraint(['point_id'], ['charity_point.id'], name=op.f('fk_box_event_point_id_charity_point')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_box_event'))
    )
    op.create_index(op.f('ix_box_event_box_id'), 'box_event', ['box_id'], unique=False)

    op.create_table('box_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('item_type_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('quantity', charity.core.db.Qty(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_box_line_quantity_positive')),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_box_line_box_id_box')),
    sa.ForeignKeyConstraint(['item_type_id'], ['item_type.id'], name=op.f('fk_box_line_item_type_id_item_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_box_line')),
    sa.UniqueConstraint('box_id', 'item_type_id', 'batch', name=op.f('uq_box_line_box_id_item_type_id_batch'))
    )
    op.create_index(op.f('ix_box_line_box_id'), 'box_line', ['box_id'], unique=False)
    op.create_index(op.f('ix_box_line_item_type_id'), 'box_line', ['item_type_id'], unique=False)



def downgrade():
    op.drop_index(op.f('ix_box_line_item_type_id'), table_name='box_line')
    op.drop_index(op.f('ix_box_line_box_id'), table_name='box_line')

    op.drop_table('box_line')
    op.drop_index(op.f('ix_box_event_box_id'), table_name='box_event')

    op.drop_table('box_event')
    op.drop_index(op.f('ix_box_transfer_id'), table_name='box')
    op.drop_index(op.f('ix_box_state'), table_name='box')
    op.drop_index(op.f('ix_box_point_id'), table_name='box')
    op.drop_index(op.f('ix_box_organization_id'), table_name='box')

    op.drop_table('box')
