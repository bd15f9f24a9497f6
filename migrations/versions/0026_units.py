"""units: packaging units of catalogue items (1 箱 = 24 瓶; 1 斤 = 0.5 kg)

Revision ID: 0026_units
Revises: 0015_annual_report
Create Date: 2026-12-06 15:40:00

Issue 20 §2. An item's existing `item_type.unit` stays what it was and is now read as its
base unit: the ledger was always kept in it, so no row changes. The new table only holds
the packaging units and their exact conversion (docs/decisions/0024-units.md).
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0026_units'
down_revision = '0023_time_bank'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'item_unit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_type_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=16), nullable=False),
        sa.Column('factor', charity.core.db.Qty(), nullable=False),
        sa.Column('shown', sa.Boolean(), nullable=False),
        sa.CheckConstraint('factor > 0', name=op.f('ck_item_unit_factor_positive')),
        sa.ForeignKeyConstraint(['item_type_id'], ['item_type.id'],
                                name=op.f('fk_item_unit_item_type_id_item_type')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_item_unit')),
        sa.UniqueConstraint('item_type_id', 'name', name=op.f('uq_item_unit_item_type_id_name')),
    )
    op.create_index(op.f('ix_item_unit_item_type_id'), 'item_unit', ['item_type_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_item_unit_item_type_id'), table_name='item_unit')
    op.drop_table('item_unit')
