"""A million dimes through the ledger's own aggregate make exactly ¥100,000.00, on SQLite
(integer fen, summed as integers) and on PostgreSQL (NUMERIC). Slow-ish (a million ledger
rows with their indexes and foreign keys), hence here with the other scale tests."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from charity.funds.models import EntryKind, FundEntry
from charity.funds.services import ledger

D = Decimal
DAY = dt.date(2026, 3, 1)


def _post_many(db, org_id: int, amount: Decimal, n: int) -> None:
    """`n` donations of `amount`, generated inside the database (a recursive count) so a
    million rows take seconds, not minutes of Python; every value is a parameter bound
    through the model's column type (so the amount is 10 fen on SQLite, 0.10 on PostgreSQL)."""
    table = FundEntry.__table__
    count = sa.select(sa.literal(1).label("i")).cte("count", recursive=True)
    count = count.union_all(sa.select(count.c.i + 1).where(count.c.i < n))
    values = {"organization_id": org_id, "kind": EntryKind.DONATION, "entry_date": DAY,
              "amount": amount, "counterparty": "", "purpose": "", "voucher_no": "",
              "reference": "", "restricted": False, "note": "", "correction_reason": "",
              "posted_at": dt.datetime(2026, 3, 1, 2, tzinfo=dt.timezone.utc)}
    db.execute(table.insert().from_select(
        list(values), sa.select(*[sa.literal(v, table.c[k].type) for k, v in values.items()])
        .select_from(count)))


def test_a_million_dimes_make_exactly_100000_yuan(db, make_org, backend):
    org = make_org()
    _post_many(db, org.id, D("0.10"), 1_000_000)
    totals = ledger.recompute_balances(db)  # what `charity verify` and the balances use
    income = totals[("org", org.id)]["donation_income"]
    assert isinstance(income, Decimal)
    assert income == D("100000.00") and str(income) == "100000.00"
    assert totals[("org", org.id)]["entry_count"] == 1_000_000
    assert totals[("general", org.id)]["donation_income"] == D("100000.00")
    raw = db.execute(sa.text(
        "SELECT sum(amount) FROM fund_entry WHERE organization_id = :o"), {"o": org.id}).scalar()
    if backend == "sqlite":
        assert raw == 10_000_000 and isinstance(raw, int)  # fen, summed as integers
    else:
        assert raw == D("100000.00")


