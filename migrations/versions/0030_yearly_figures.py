"""yearly_figures: the public figures kept at posting time, back-filled from the ledgers

Revision ID: 0030_yearly_figures
Revises: 0032_pgcache
Create Date: 2026-12-06 18:45:00

Issue 21 §2: the public home page summed a year of the whole installation's ledgers when
its cache was cold (0.74 s at province scale). Three small tables, kept in the posting's
transaction by `charity.figures.services` and checked by `charity verify`:

- month_figures (organization, year, month): donation income, money donations neither
  reversing nor reversed, spending, posted intakes;
- month_goods (organization, year, month, base unit): goods received and handed out;
- household_year (year, organization, household): posted distributions of the year (a
  household counts once per year).

New tables only (nothing is copied); they are filled here from the existing ledgers with
grouped queries portable to SQLite and PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)
from charity.core.db import Money, Qty


# revision identifiers, used by Alembic.
revision = '0030_yearly_figures'
down_revision = '0032_pgcache'
branch_labels = None
depends_on = None

INCOME = ('donation', 'activity_income')
SPENDING = ('project_spending', 'other_spending', 'fundraising_cost', 'management_cost')


def upgrade():
    month_figures = op.create_table(
        'month_figures',
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('donated', Money(), nullable=False),
        sa.Column('donations', sa.Integer(), nullable=False),
        sa.Column('spent', Money(), nullable=False),
        sa.Column('intakes', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_month_figures_organization_id_organization')),
        sa.PrimaryKeyConstraint('organization_id', 'year', 'month',
                                name=op.f('pk_month_figures')),
    )
    op.create_index('ix_month_figures_year', 'month_figures', ['year', 'month'])
    month_goods = op.create_table(
        'month_goods',
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('received', Qty(), nullable=False),
        sa.Column('distributed', Qty(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_month_goods_organization_id_organization')),
        sa.PrimaryKeyConstraint('organization_id', 'year', 'month', 'unit',
                                name=op.f('pk_month_goods')),
    )
    op.create_index('ix_month_goods_year', 'month_goods', ['year', 'month'])
    household_year = op.create_table(
        'household_year',
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('distributions', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'],
                                name=op.f('fk_household_year_beneficiary_id_beneficiary')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_household_year_organization_id_organization')),
        sa.PrimaryKeyConstraint('year', 'organization_id', 'beneficiary_id',
                                name=op.f('pk_household_year')),
    )
    op.create_index('ix_household_year_beneficiary', 'household_year',
                    ['year', 'beneficiary_id'])
    _backfill(op.get_bind(), month_figures, month_goods, household_year)


def _ledgers():
    """The ledger columns the back-fill reads, as they are at this revision."""
    entry = sa.table('fund_entry', sa.column('id', sa.Integer), sa.column('organization_id'),
                     sa.column('kind'), sa.column('entry_date', sa.Date),
                     sa.column('amount', Money()), sa.column('reverses_id'))
    docs = {
        'intake': sa.table('intake', sa.column('id'), sa.column('organization_id'),
                           sa.column('status'), sa.column('received_on', sa.Date)),
        'distribution': sa.table('distribution', sa.column('id'), sa.column('organization_id'),
                                 sa.column('status'), sa.column('beneficiary_id'),
                                 sa.column('distributed_on', sa.Date)),
    }
    lines = {
        'intake': sa.table('intake_line', sa.column('intake_id'), sa.column('item_type_id'),
                           sa.column('quantity', Qty())),
        'distribution': sa.table('distribution_line', sa.column('distribution_id'),
                                 sa.column('item_type_id'), sa.column('quantity', Qty())),
    }
    item = sa.table('item_type', sa.column('id'), sa.column('unit'))
    return entry, docs, lines, item


def _backfill(conn, month_figures, month_goods, household_year):
    entry, docs, lines, item = _ledgers()
    months, goods = {}, {}

    def month(oid, y, m):
        return months.setdefault((oid, int(y), int(m)), {
            'organization_id': oid, 'year': int(y), 'month': int(m), 'donated': 0,
            'donations': 0, 'spent': 0, 'intakes': 0})

    rev = entry.alias('rev')
    y, m = sa.extract('year', entry.c.entry_date), sa.extract('month', entry.c.entry_date)
    income = entry.c.kind.in_(INCOME)
    counted = sa.and_(income, entry.c.reverses_id.is_(None), rev.c.id.is_(None))
    for oid, yy, mm, donated, n, spent in conn.execute(
            sa.select(entry.c.organization_id, y, m,
                      sa.func.sum(sa.case((income, entry.c.amount), else_=0)),
                      sa.func.count(sa.case((counted, entry.c.id))),
                      sa.func.sum(sa.case((entry.c.kind.in_(SPENDING), entry.c.amount),
                                          else_=0)))
            .select_from(entry.outerjoin(rev, rev.c.reverses_id == entry.c.id))
            .where(entry.c.kind.in_(INCOME + SPENDING))
            .group_by(entry.c.organization_id, y, m)):
        month(oid, yy, mm).update(donated=donated or 0, donations=n, spent=spent or 0)
    for name, date_column, figure in (('intake', 'received_on', 'received'),
                                      ('distribution', 'distributed_on', 'distributed')):
        doc, line = docs[name], lines[name]
        y, m = sa.extract('year', doc.c[date_column]), sa.extract('month', doc.c[date_column])
        posted = doc.c.status == 'posted'
        if name == 'intake':
            for oid, yy, mm, n in conn.execute(
                    sa.select(doc.c.organization_id, y, m, sa.func.count()).where(posted)
                    .group_by(doc.c.organization_id, y, m)):
                month(oid, yy, mm)['intakes'] = n
        else:
            _insert(household_year, [
                {'year': int(yy), 'organization_id': oid, 'beneficiary_id': who,
                 'distributions': n} for yy, oid, who, n in conn.execute(
                    sa.select(y, doc.c.organization_id, doc.c.beneficiary_id, sa.func.count())
                    .where(posted).group_by(y, doc.c.organization_id, doc.c.beneficiary_id))])
        for oid, yy, mm, unit, q in conn.execute(
                sa.select(doc.c.organization_id, y, m, item.c.unit, sa.func.sum(line.c.quantity))
                .select_from(line.join(doc, doc.c.id == line.c[f'{name}_id'])
                             .join(item, item.c.id == line.c.item_type_id))
                .where(posted).group_by(doc.c.organization_id, y, m, item.c.unit)):
            goods.setdefault((oid, int(yy), int(mm), unit), {
                'organization_id': oid, 'year': int(yy), 'month': int(mm), 'unit': unit,
                'received': 0, 'distributed': 0})[figure] = q
    _insert(month_figures, list(months.values()))
    _insert(month_goods, list(goods.values()))


def _insert(table, rows):
    if rows:  # an empty bulk insert would write one row of defaults
        op.bulk_insert(table, rows)


def downgrade():
    op.drop_table('household_year')
    op.drop_table('month_goods')
    op.drop_table('month_figures')
