"""time_bank: the points ledger, dated rates, hours review and counter redemptions

Revision ID: 0023_time_bank
Revises: 0015_annual_report
Create Date: 2026-12-06 15:45:00

The volunteer time bank (issue 19 part 1; docs/decisions/0021-points-ledger.md):

- points_account: one per volunteer or household, its balance kept at posting time
  (CHECK balance >= 0).
- points_ledger: the append-only entries (earn, spend, give, expire, adjust).
- points_rate: the organisation's points per hour and expiry months from a day on.
- hours_review: a manager's approval or rejection of a signed-out shift.
- points_redemption(+_line): goods a volunteer takes at the counter for points.

New tables only: nothing existing is copied or altered.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0023_time_bank'
down_revision = '0027_boxes'
branch_labels = None
depends_on = None

UTC = charity.core.db.UTCDateTime(timezone=True)


def _enum(name, values):
    return sa.Enum(*values, native_enum=False, length=24, create_constraint=True, name=name)


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'))


def _index(table, *columns):
    for column in columns:
        op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)


def upgrade():
    op.create_table(
        'points_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=True),
        sa.Column('beneficiary_id', sa.Integer(), nullable=True),
        sa.Column('balance', sa.Integer(), nullable=False),
        sa.Column('publish_name', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.CheckConstraint('balance >= 0', name=op.f('ck_points_account_balance_not_negative')),
        sa.CheckConstraint('(volunteer_id IS NULL) <> (beneficiary_id IS NULL)',
                           name=op.f('ck_points_account_one_holder')),
        _fk('points_account', 'organization_id', 'organization'),
        _fk('points_account', 'volunteer_id', 'volunteer'),
        _fk('points_account', 'beneficiary_id', 'beneficiary'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_account')),
        sa.UniqueConstraint('volunteer_id', name=op.f('uq_points_account_volunteer_id')),
        sa.UniqueConstraint('beneficiary_id', name=op.f('uq_points_account_beneficiary_id')),
    )
    _index('points_account', 'organization_id')
    op.create_table(
        'points_ledger',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('kind', _enum('points_entry_kind',
                                ('earn', 'spend', 'give', 'expire', 'adjust')), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('balance_after', sa.Integer(), nullable=False),
        sa.Column('entry_date', sa.Date(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('document_type', sa.String(length=32), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('other_account_id', sa.Integer(), nullable=True),
        sa.Column('posted_by_id', sa.Integer(), nullable=True),
        sa.Column('posted_at', UTC, nullable=False),
        sa.CheckConstraint('balance_after >= 0',
                           name=op.f('ck_points_ledger_balance_after_not_negative')),
        sa.CheckConstraint('amount <> 0', name=op.f('ck_points_ledger_amount_not_zero')),
        sa.CheckConstraint('(amount > 0) = (expires_on IS NOT NULL)',
                           name=op.f('ck_points_ledger_credits_expire')),
        _fk('points_ledger', 'account_id', 'points_account'),
        _fk('points_ledger', 'other_account_id', 'points_account'),
        _fk('points_ledger', 'posted_by_id', 'user_account'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_ledger')),
    )
    _index('points_ledger', 'account_id', 'entry_date', 'other_account_id')
    op.create_table(
        'points_rate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('points_per_hour', sa.Integer(), nullable=False),
        sa.Column('expiry_months', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('set_at', UTC, nullable=False),
        sa.CheckConstraint('points_per_hour BETWEEN 0 AND 1000',
                           name=op.f('ck_points_rate_rate_range')),
        sa.CheckConstraint('expiry_months BETWEEN 1 AND 120',
                           name=op.f('ck_points_rate_expiry_range')),
        _fk('points_rate', 'organization_id', 'organization'),
        _fk('points_rate', 'set_by_id', 'user_account'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_rate')),
        sa.UniqueConstraint('organization_id', 'effective_from',
                            name=op.f('uq_points_rate_organization_id_effective_from')),
    )
    _index('points_rate', 'organization_id')
    op.create_table(
        'hours_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shift_id', sa.Integer(), nullable=False),
        sa.Column('status', _enum('review_status', ('approved', 'rejected')), nullable=False),
        sa.Column('hours', charity.core.db.Qty(), nullable=False),
        sa.Column('points_per_hour', sa.Integer(), nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', UTC, nullable=False),
        sa.CheckConstraint('points >= 0', name=op.f('ck_hours_review_points_not_negative')),
        _fk('hours_review', 'shift_id', 'shift'),
        _fk('hours_review', 'reviewed_by_id', 'user_account'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_review')),
        sa.UniqueConstraint('shift_id', name=op.f('uq_hours_review_shift_id')),
    )
    op.create_table(
        'points_redemption',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('point_id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('redeemed_on', sa.Date(), nullable=False),
        sa.Column('points_total', sa.Integer(), nullable=False),
        sa.Column('posted_by_id', sa.Integer(), nullable=True),
        sa.Column('posted_at', UTC, nullable=False),
        _fk('points_redemption', 'organization_id', 'organization'),
        _fk('points_redemption', 'point_id', 'charity_point'),
        _fk('points_redemption', 'volunteer_id', 'volunteer'),
        _fk('points_redemption', 'posted_by_id', 'user_account'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_redemption')),
    )
    _index('points_redemption', 'organization_id', 'point_id', 'volunteer_id', 'redeemed_on')
    op.create_table(
        'points_redemption_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('redemption_id', sa.Integer(), nullable=False),
        sa.Column('item_type_id', sa.Integer(), nullable=False),
        sa.Column('batch', sa.String(length=64), nullable=False),
        sa.Column('quantity', charity.core.db.Qty(), nullable=False),
        sa.Column('unit_value', charity.core.db.Money(), nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.CheckConstraint('quantity > 0',
                           name=op.f('ck_points_redemption_line_quantity_positive')),
        _fk('points_redemption_line', 'redemption_id', 'points_redemption'),
        _fk('points_redemption_line', 'item_type_id', 'item_type'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_redemption_line')),
    )
    _index('points_redemption_line', 'redemption_id', 'item_type_id')


def downgrade():
    for table in ('points_redemption_line', 'points_redemption', 'hours_review',
                  'points_rate', 'points_ledger', 'points_account'):
        op.drop_table(table)
