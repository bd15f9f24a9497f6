"""exact numbers on SQLite: money as integer fen, quantities as integer thousandths

Revision ID: 0013_exact_numbers
Revises: 0010
Create Date: 2026-11-27 10:00:00

SQLite has no exact decimal type: its NUMERIC(14, 2) columns kept floats (typeof() 'real')
and SQL sum() added floats. From here on charity.core.db.Money stores integer fen and
charity.core.db.Qty integer thousandths on SQLite (PostgreSQL keeps NUMERIC(14, 2) and
NUMERIC(14, 3): nothing changes there).

Each money or quantity column of SQLite is converted in place, rounding to the nearest unit
(a float is within a hair of the decimal it was written as: 14 significant digits fit a
double, so the conversion loses nothing), then declared BIGINT by a table rebuild. The rebuild
follows SQLite's own procedure (https://sqlite.org/lang_altertable.html#otheralter): foreign
keys off outside a transaction, rebuild, `PRAGMA foreign_key_check`, commit, foreign keys on.
The ledger's amount bound (below a trillion yuan either way) is restated in fen.

The list of columns is frozen here on purpose (whatever the models become later).
"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_exact_numbers'
down_revision = '0012_sessions_and_registration'
branch_labels = None
depends_on = None

MONEY, QTY = 2, 3  # decimal places
COLUMNS = {  # table → [(column, places, nullable)]
    'campaign': [('cost_budget', MONEY, True), ('target_amount', MONEY, True)],
    'project': [('budget', MONEY, True)],
    'fund_balance': [(c, MONEY, False) for c in (
        'donation_income', 'commercial_income', 'spent_projects', 'spent_other',
        'fundraising_costs', 'transfers_in', 'transfers_out')],
    'receipt': [('total', MONEY, False)],
    'receipt_line': [('quantity', QTY, False), ('unit_value', MONEY, True),
                     ('amount', MONEY, False)],
    'fund_entry': [('amount', MONEY, False)],
    'noncash_gift': [('value', MONEY, True)],
    'item_type': [('default_fair_value', MONEY, True), ('sale_price', MONEY, True),
                  ('monthly_limit', QTY, True)],
    'stock_balance': [('quantity', QTY, False), ('value', MONEY, False)],
    'stock_movement': [('quantity', QTY, False), ('unit_value', MONEY, False)],
    'stock_target': [('wanted', QTY, False)],
    'intake': [('total_value', MONEY, False)],
    'intake_line': [('quantity', QTY, False), ('unit_value', MONEY, False)],
    'transfer_line': [('unit_value', MONEY, False), ('quantity_sent', QTY, False),
                      ('quantity_received', QTY, True)],
    'stocktake_line': [('counted', QTY, False), ('expected', QTY, True)],
    'distribution_line': [('quantity', QTY, False), ('unit_value', MONEY, False)],
    'write_off': [('quantity', QTY, False)],
    'sale': [('total', MONEY, False)],
    'sale_line': [('quantity', QTY, False), ('unit_price', MONEY, False),
                  ('amount', MONEY, False)],
}
BOUND = {  # the ledger's amount bound, in the column's unit
    'yuan': "amount < 1000000000000 AND amount > -1000000000000",
    'fen': "amount < 100000000000000 AND amount > -100000000000000",
}


@contextmanager
def _rebuilding_tables():
    """SQLite: foreign keys off while tables are rebuilt (a DROP TABLE of a referenced table
    would otherwise fail), in one transaction checked with foreign_key_check."""
    raw = op.get_bind().connection.dbapi_connection
    was_on = raw.execute("PRAGMA foreign_keys").fetchone()[0]
    if raw.in_transaction:
        raw.commit()  # the migrations before this one (and their version) are kept
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("BEGIN IMMEDIATE")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
        raw.commit()
    finally:
        if raw.in_transaction:
            raw.rollback()
        raw.execute(f"PRAGMA foreign_keys = {'ON' if was_on else 'OFF'}")
        raw.execute("BEGIN IMMEDIATE")  # alembic records the version in a transaction


def _convert(to_integer: bool):
    # The values first, with CHECK constraints paused (the old bound, in yuan, would refuse
    # the same amount in fen); the rebuild then copies every row into tables declaring the
    # new type and bound, so every CHECK constraint is checked again on the new values.
    op.execute("PRAGMA ignore_check_constraints = ON")
    for table, columns in COLUMNS.items():
        for column, places, _nullable in columns:
            value = (f"CAST(ROUND({column} * {10 ** places}) AS INTEGER)" if to_integer
                     else f"{column} / {10.0 ** places}")
            op.execute(f"UPDATE {table} SET {column} = {value} WHERE {column} IS NOT NULL")
    op.execute("PRAGMA ignore_check_constraints = OFF")
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, recreate='always') as batch_op:
            for column, places, nullable in columns:
                numeric = sa.Numeric(precision=14, scale=places)
                batch_op.alter_column(
                    column, existing_nullable=nullable,
                    existing_type=numeric if to_integer else sa.BigInteger(),
                    type_=sa.BigInteger() if to_integer else numeric)
            if table == 'fund_entry':
                batch_op.drop_constraint(batch_op.f('ck_fund_entry_amount_bounded'),
                                         type_='check')
                batch_op.create_check_constraint(
                    batch_op.f('ck_fund_entry_amount_bounded'),
                    sa.text(BOUND['fen' if to_integer else 'yuan']))


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return  # PostgreSQL's NUMERIC is exact already
    with _rebuilding_tables():
        _convert(to_integer=True)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    with _rebuilding_tables():
        _convert(to_integer=False)
