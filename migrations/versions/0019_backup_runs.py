"""backup_runs: the scheduler's backups and restore drills; database-counted rate limits

Revision ID: 0019_backup_runs
Revises: 0011_food_safety
Create Date: 2026-12-06 13:00:00

Issue 16 items 5 and 6, two new tables (no existing table is touched):

- backup_run: one row per nightly backup and per weekly restore drill (kind, started,
  finished, ok, archive, size, message); the administrator's home reads the newest ones.
- rate_hit: one row per counted use of a limited public action (wish claims, drop-off
  pre-registrations, pre-registration lookups), so limits hold across worker processes.
  Addresses are stored as a keyed hash only.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0019_backup_runs'
down_revision = '0011_food_safety'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'backup_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('started_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('archive', sa.String(length=1000), nullable=True),
        sa.Column('size_bytes', sa.BigInteger(), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('backup', 'drill')", name=op.f('ck_backup_run_kind_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_backup_run')),
    )
    op.create_index(op.f('ix_backup_run_started_at'), 'backup_run', ['started_at'],
                    unique=False)
    op.create_table(
        'rate_hit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bucket', sa.String(length=32), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_hit')),
    )
    op.create_index('ix_rate_hit_bucket_address_at', 'rate_hit',
                    ['bucket', 'address_hash', 'at'], unique=False)
    op.create_index(op.f('ix_rate_hit_at'), 'rate_hit', ['at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_rate_hit_at'), table_name='rate_hit')
    op.drop_index('ix_rate_hit_bucket_address_at', table_name='rate_hit')
    op.drop_table('rate_hit')
    op.drop_index(op.f('ix_backup_run_started_at'), table_name='backup_run')
    op.drop_table('backup_run')
