"""pgcache: the scheduler's obligation changes leave a mark the page cache can see

Revision ID: 0032_pgcache
Revises: 0026_units
Create Date: 2026-12-06 18:40:00

Issue 21 §3: the public page cache's change marker now includes the newest
`obligation.refreshed_at` (stamped on every row the scheduler inserts or updates), so
the scheduler's changes, which write no audit entry, are seen like any posting and
computed page data no longer has to be recomputed every minute "just in case".
ix_obligation_refreshed_at makes that max() an index lookup.

Plain CREATE INDEX on both engines: no table is copied.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0032_pgcache'
down_revision = '0026_units'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_obligation_refreshed_at', 'obligation', ['refreshed_at'])


def downgrade():
    op.drop_index('ix_obligation_refreshed_at', table_name='obligation')
