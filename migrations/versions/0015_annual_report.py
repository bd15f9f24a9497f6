"""annual_report: each organisation's registration date

Revision ID: 0015_annual_report
Revises: 0022_complaints_12345
Create Date: 2026-12-06 13:50:00

Order 81 / Charity Law Art. 13: the annual report is owed for every year from the
organisation's registration date (or its first ledger entry, if earlier). The date is a
registration fact (only administrators change it). A plain ADD COLUMN: no batch copy of
`organization`, which almost every table references.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_annual_report'
down_revision = '0022_complaints_12345'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('organization', sa.Column('registered_on', sa.Date(), nullable=True))


def downgrade():
    # SQLite ≥ 3.35 and PostgreSQL both drop a plain column in place.
    op.drop_column('organization', 'registered_on')
