"""keyset_more: an index for the receipt list's keyset order

Revision ID: 0033_keyset_more
Revises: 0030_yearly_figures
Create Date: 2026-12-06 19:50:00

The receipt list pages by seeking (year, id) descending (issue 21 §1, decision 0028): without
an index on those columns both engines sorted every receipt of the province for each page
(SQLite: 34 ms of temporary B-tree over 56,774 receipts). A new index, no table rebuilt.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0033_keyset_more'
down_revision = '0030_yearly_figures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_receipt_year_id', 'receipt', ['year', 'id'])


def downgrade():
    op.drop_index('ix_receipt_year_id', table_name='receipt')
