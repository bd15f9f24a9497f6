"""staff_speed: indexes for the staff lists at province scale

Revision ID: 0029_staff_speed
Revises: 0015_annual_report
Create Date: 2026-12-06 15:45:00

Issue 21 (measured on a copy of the province dataset with 1 M stock movements and 200,000
money entries in one organisation, SQLite):

- ix_fund_entry_org_kind_project (organization_id, kind, project_id, amount): the money
  ledger's totals by kind and project are read from the index alone (240 → 25–35 ms).
- ix_stock_movement_org_date (organization_id, movement_date, id): an organisation's
  movements newest first without sorting, on any page (page 2,000: 52 → 2 ms; the last
  page of a million: 640 → 80 ms).

Plain CREATE INDEX on both engines: no table is copied.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0029_staff_speed'
down_revision = '0024_home_delivery'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_fund_entry_org_kind_project', 'fund_entry',
                    ['organization_id', 'kind', 'project_id', 'amount'])
    op.create_index('ix_stock_movement_org_date', 'stock_movement',
                    ['organization_id', 'movement_date', 'id'])


def downgrade():
    op.drop_index('ix_stock_movement_org_date', table_name='stock_movement')
    op.drop_index('ix_fund_entry_org_kind_project', table_name='fund_entry')
