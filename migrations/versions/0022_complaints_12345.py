"""complaints_12345: working-day calendar, per-category time limits, extensions, call-back

Revision ID: 0022_complaints_12345
Revises: 0016_receipt_allocation
Create Date: 2026-12-06 13:30:00

The 12345 hotline practice (issue 19 part 3):

- calendar_entry: the installation's holidays and make-up working days (调休上班).
- complaint_category.accept_days / answer_days (1 / 15 working days by default).
- complaint.rating / rated_at / reopen_count: the latest call-back and the one reopening.
- complaint_event: extensions (old → new deadline, who, why), call-backs, reopening.

Columns are added with plain ALTER TABLE (with their CHECK where they have one), which
SQLite and PostgreSQL both accept: `complaint` is referenced by foreign keys and is not
copied.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0022_complaints_12345'
down_revision = '0016_receipt_allocation'
branch_labels = None
depends_on = None


def _enum(name, values):
    return sa.Enum(*values, native_enum=False, length=24, create_constraint=True, name=name)


SATISFACTION = ('satisfied', 'fairly', 'dissatisfied')


def upgrade():
    op.create_table(
        'calendar_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', _enum('calendar_kind', ('holiday', 'workday')), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('first_day <= last_day',
                           name=op.f('ck_calendar_entry_range_in_order')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_entry')),
    )
    op.create_index(op.f('ix_calendar_entry_first_day'), 'calendar_entry', ['first_day'],
                    unique=False)
    op.execute(
        "ALTER TABLE complaint_category ADD COLUMN accept_days INTEGER DEFAULT 1 NOT NULL "
        "CONSTRAINT ck_complaint_category_accept_days_range CHECK (accept_days BETWEEN 1 AND 5)")
    op.execute(
        "ALTER TABLE complaint_category ADD COLUMN answer_days INTEGER DEFAULT 15 NOT NULL "
        "CONSTRAINT ck_complaint_category_answer_days_range "
        "CHECK (answer_days BETWEEN 1 AND 60)")
    op.execute(
        "ALTER TABLE complaint ADD COLUMN rating VARCHAR(24) "
        "CONSTRAINT ck_complaint_satisfaction CHECK (rating IN ('satisfied', 'fairly', 'dissatisfied'))")
    op.add_column('complaint', sa.Column(
        'rated_at', charity.core.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column('complaint', sa.Column('reopen_count', sa.Integer(), server_default='0',
                                         nullable=False))
    op.create_table(
        'complaint_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('kind', _enum('complaint_event_kind', ('extension', 'callback', 'reopen')),
                  nullable=False),
        sa.Column('at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('old_due', sa.Date(), nullable=True),
        sa.Column('new_due', sa.Date(), nullable=True),
        sa.Column('rating', _enum('event_rating', SATISFACTION), nullable=True),
        sa.ForeignKeyConstraint(['by_id'], ['user_account.id'],
                                name=op.f('fk_complaint_event_by_id_user_account')),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'],
                                name=op.f('fk_complaint_event_complaint_id_complaint')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_event')),
    )
    op.create_index(op.f('ix_complaint_event_complaint_id'), 'complaint_event',
                    ['complaint_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_complaint_event_complaint_id'), table_name='complaint_event')
    op.drop_table('complaint_event')
    for column in ('reopen_count', 'rated_at', 'rating'):
        op.drop_column('complaint', column)
    for column in ('answer_days', 'accept_days'):
        op.drop_column('complaint_category', column)
    op.drop_index(op.f('ix_calendar_entry_first_day'), table_name='calendar_entry')
    op.drop_table('calendar_entry')
