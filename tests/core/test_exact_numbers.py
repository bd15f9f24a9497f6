"""Money and quantities are exact on both engines (charity.core.db.Money / Qty).

SQLite has no exact decimal: its NUMERIC columns used to keep floats and sum() added floats.
Now money is stored as integer fen and quantities as integer thousandths there, SQL sums are
integer sums, and every value comes back as Decimal. Expected figures are written out here
(computed by hand), never taken from the code under test. The million-row sum is in
tests/scale/test_exact_sums.py.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import insert

from charity.core.db import Money, Qty
from charity.core.system import system_actor
from charity.funds.models import EntryKind, FundEntry
from charity.funds.services import ledger

D = Decimal
DAY = dt.date(2026, 3, 1)


def _donations(org_id: int, amount: Decimal, n: int, **extra):
    row = {"organization_id": org_id, "kind": EntryKind.DONATION, "entry_date": DAY,
           "amount": amount, **extra}
    return ({**row} for _ in range(n))


def _bulk(db, rows, chunk: int = 50_000) -> None:
    """Insert through the model's column types (what any ORM write does), in chunks."""
    rows = iter(rows)
    while batch := list(itertools.islice(rows, chunk)):
        db.execute(insert(FundEntry), batch)


# --- the ledger's own aggregate ----------------------------------------------------------------

def test_small_amounts_on_a_large_fund_do_not_drift(db, make_org):
    """Floats lose the fen here: 900,000,000,000.00 + 10,000 × 0.10 summed in doubles gives
    900,000,000,999.76."""
    org = make_org()
    _bulk(db, _donations(org.id, D("900000000000.00"), 1))
    _bulk(db, _donations(org.id, D("0.10"), 10_000))
    assert ledger.recompute_balances(db)[("org", org.id)]["donation_income"] == D(
        "900000001000.00")


# --- how the values are stored and read ----------------------------------------------------------

def test_posted_money_and_quantities_are_stored_exactly(db, backend, make_org, make_point,
                                                        make_item, stock):
    org = make_org()
    entry = ledger.post_donation(system_actor(), db, org, {
        "kind": "donation", "amount": D("0.10"), "entry_date": DAY, "channel": "cash",
        "counterparty": "李四"}, with_receipt=False)
    point = make_point(org)
    item = make_item(org, default_fair_value=D("33.34"), unit="千克", countable=False)
    stock(point, item, "2.5")
    db.flush()
    stored = db.execute(sa.text(
        "SELECT amount, typeof(amount) FROM fund_entry WHERE id = :i" if backend == "sqlite"
        else "SELECT amount, pg_typeof(amount)::text FROM fund_entry WHERE id = :i"),
        {"i": entry.id}).one()
    stock_row = db.execute(sa.text(
        "SELECT quantity, value FROM stock_balance WHERE point_id = :p"), {"p": point.id}).one()
    if backend == "sqlite":
        assert tuple(stored) == (10, "integer")
        assert tuple(stock_row) == (2500, 8335)  # thousandths, fen (2.5 × 33.34 = 83.35)
    else:
        assert tuple(stored) == (D("0.10"), "numeric")
        assert tuple(stock_row) == (D("2.500"), D("83.35"))
    db.expire_all()
    again = db.get(FundEntry, entry.id)
    assert again.amount == D("0.10") and str(again.amount) == "0.10"


def test_sql_expressions_keep_the_scale(db, make_org, make_point, make_item, stock):
    from charity.goods.models import IntakeLine, StockBalance

    org = make_org()
    _bulk(db, _donations(org.id, D("0.10"), 3))
    _bulk(db, _donations(org.id, D("12.35"), 1))
    amount, mine = FundEntry.amount, FundEntry.organization_id == org.id

    def one(expr, *where):
        return db.scalar(sa.select(expr).where(mine, *where))

    assert one(sa.func.coalesce(sa.func.sum(amount), 0), amount > D("100")) == D("0.00")
    assert one(sa.func.sum(amount), amount > D("0.10")) == D("12.35")
    assert one(sa.func.count(), amount == D("0.10")) == 3
    assert one(sa.func.max(amount)) == D("12.35") and one(sa.func.min(amount)) == D("0.10")
    assert one(sa.func.sum(amount * 3)) == D("37.95")  # (0.30 + 12.35) × 3
    assert one(sa.func.sum(amount + D("1.01")), amount < 1) == D("3.33")
    point = make_point(org)
    item = make_item(org, default_fair_value=D("19.99"), unit="千克", countable=False)
    stock(point, item, "2.125")
    value = db.scalar(sa.select(sa.func.sum(IntakeLine.quantity * IntakeLine.unit_value))
                      .where(IntakeLine.item_type_id == item.id))
    assert value == D("42.47875")  # 2.125 × 19.99, every place kept
    assert db.scalar(sa.select(StockBalance.quantity).where(
        StockBalance.item_type_id == item.id, StockBalance.quantity >= D("2.125"))) == D("2.125")
    with pytest.raises(TypeError):
        amount / 2  # noqa: B018 - SQLite would divide integers
    with pytest.raises(TypeError):
        amount + IntakeLine.quantity  # noqa: B018 - fen plus thousandths


def test_floats_and_out_of_range_values_are_refused(db, make_org):
    org = make_org()
    with pytest.raises(sa.exc.StatementError):
        _bulk(db, _donations(org.id, 0.1, 1))
    db.rollback()
    with pytest.raises(sa.exc.StatementError):  # NUMERIC(14, 2) holds less than 10^12
        _bulk(db, _donations(org.id, D("1000000000000.00"), 1))
    db.rollback()


def test_types_round_half_away_from_zero_like_postgresql():
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    assert Money().process_bind_param(D("0.125"), dialect) == 13
    assert Money().process_bind_param(D("-0.125"), dialect) == -13
    assert Qty().process_bind_param("2.0005", dialect) == 2001
    assert Money().process_result_value(-1234, dialect) == D("-12.34")
    assert str(Qty().process_result_value(2500, dialect)) == "2.500"


def test_the_ledger_bound_is_a_trillion_yuan_on_both_engines(db, make_org, backend):
    """The CHECK constraint compares the stored number: fen on SQLite, yuan on PostgreSQL."""
    org = make_org()
    _bulk(db, _donations(org.id, D("999999999999.99"), 1))  # the largest amount allowed
    entry_id = db.scalar(sa.select(FundEntry.id).where(FundEntry.organization_id == org.id))
    assert db.get(FundEntry, entry_id).amount == D("999999999999.99")
    too_big = 100_000_000_000_000 if backend == "sqlite" else D("1000000000000")
    with pytest.raises(sa.exc.DBAPIError), db.begin_nested():
        db.execute(sa.text("UPDATE fund_entry SET amount = :a WHERE id = :i"),
                   {"a": too_big, "i": entry_id})


# --- charity verify ----------------------------------------------------------------------------

def test_verify_names_a_float_stored_around_the_column_type(db, runner, make_org, backend):
    from charity.ops.verify import run_checks

    org = make_org()
    _bulk(db, _donations(org.id, D("5.00"), 1))
    db.commit()
    assert run_checks(db)["exact numbers"] == []
    result = runner.invoke(args=["verify"])
    assert "ok   exact numbers" in result.output
    if backend != "sqlite":
        return  # PostgreSQL's NUMERIC cannot hold anything else
    db.execute(sa.text("UPDATE stock_target SET wanted = wanted"))  # (no rows: harmless)
    db.execute(sa.text("UPDATE fund_entry SET amount = 5.5 WHERE organization_id = :o"),
               {"o": org.id})
    db.commit()
    problems = run_checks(db)["exact numbers"]
    assert len(problems) == 1 and problems[0].startswith("fund_entry.amount: 1 value(s)")
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 1 and "FAIL exact numbers" in result.output
