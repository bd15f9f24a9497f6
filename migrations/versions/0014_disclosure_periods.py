"""disclosure_periods: the scheduler's last failed attempt to publish an obligation

Revision ID: 0014_disclosure_periods
Revises: 0010
Create Date: 2026-11-27 10:00:00

A publication that fails (a renderer crash, a period that can no longer be published) used to
leave its reason in the server log only. The obligation now keeps when the last attempt
failed and why, so the staff compliance screen and the subject's page can show it; both are
cleared when the obligation is published.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0014_disclosure_periods'
down_revision = '0013_exact_numbers'
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, no batch copy of the table: on SQLite a batch rebuild drops and
# recreates `obligation`, which publications reference, and SQLite refuses that with its
# foreign keys on. (SQLite has had DROP COLUMN since 3.35.)

def upgrade():
    op.add_column('obligation', sa.Column('publish_failed_at',
                                          charity.core.db.UTCDateTime(timezone=True),
                                          nullable=True))
    op.add_column('obligation', sa.Column('publish_failure', sa.Text(), nullable=False,
                                          server_default=''))


def downgrade():
    for column in ('publish_failure', 'publish_failed_at'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE obligation DROP COLUMN {column}')
        else:
            op.drop_column('obligation', column)
