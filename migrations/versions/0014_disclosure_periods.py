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


def upgrade():
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publish_failed_at',
                                      charity.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('publish_failure', sa.Text(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.alter_column('publish_failure', server_default=None)


def downgrade():
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_column('publish_failure')
        batch_op.drop_column('publish_failed_at')
