"""The public figures kept at posting time (issue 21 §2) equal the ledger sums.

Every expected figure here is computed by the test from the ledger rows themselves (money
entries, posted intakes and distributions with their lines), never read back from the code
under test: postings across a year boundary, a reversal of last December's donation posted
in January (with a replacement), reversed intakes and distributions, a household helped
twice in a year and once more the next year.
"""
import datetime as dt
import importlib.util
from collections import defaultdict
from decimal import Decimal as D
from pathlib import Path

import pytest
import sqlalchemy as sa

from charity.core.system import system_actor
from charity.figures import services as kept
from charity.figures.models import HouseholdYear, MonthFigures, MonthGoods
from charity.funds.models import DONATION_INCOME_KINDS, SPENDING_KINDS, FundEntry
from charity.funds.services import ledger
from charity.goods.models import (Distribution, DistributionLine, DocStatus, Intake, IntakeLine,
                                  ItemType)
from charity.goods.services.distributions import post_distribution, reverse_distribution
from charity.goods.services.intake import post_intake, reverse_intake
from charity.portal.queries.figures import year_months, year_totals

TODAY = dt.date(2026, 1, 10)
DEC, JAN = dt.date(2025, 12, 30), dt.date(2026, 1, 3)


def _money(db, org, kind, amount, day, **extra):
    data = {"kind": kind, "amount": D(amount), "entry_date": day, "channel": "wechat",
            "counterparty": "李四", "purpose": "冬衣", **extra}
    return ledger.post_entry(system_actor(), db, org, data, today=TODAY)


@pytest.fixture
def world(db, make_point, make_item, make_household):
    """Two organisations' year end and new year, posted through the services."""
    actor = system_actor()
    ledgers = {}
    for name in ("a", "b"):
        point = make_point()
        org = point.organization
        coat, rice = make_item(org, point_price=0), make_item(org, unit="kg", point_price=0,
                                                               countable=False)
        h1, h2 = make_household(org), make_household(org)

        def intake(day, *lines):
            return post_intake(actor, db, point, {"received_on": day, "lines": [
                {"item_type_id": i.id, "quantity": q, "condition": "good"} for i, q in lines]},
                today=TODAY)

        def give(day, household, *lines):
            return post_distribution(actor, db, point, {
                "beneficiary_id": household.id, "distributed_on": day,
                "lines": [{"item_type_id": i.id, "quantity": q} for i, q in lines]}, today=TODAY)

        gift = _money(db, org, "donation", "100.00", dt.date(2025, 12, 20))
        _money(db, org, "donation", "50.00", DEC)
        _money(db, org, "other_spending", "30.00", DEC)
        _money(db, org, "activity_income", "20.00", JAN, activity="charity_sale")
        intake(DEC, (coat, "10"), (rice, "5.5"))
        late = intake(JAN, (coat, "4"))
        dec = give(dt.date(2025, 12, 31), h1, (coat, "2"))
        give(dt.date(2025, 12, 31), h2, (rice, "1.25"))
        give(JAN, h1, (coat, "1"))
        give(dt.date(2026, 1, 5), h1, (coat, "1"), (rice, "0.5"))
        # Corrections in January of what was posted in December (and of a January intake).
        ledger.reverse_entry(actor, db, gift, "金额错误", today=TODAY, replacement={
            "kind": "donation", "amount": D("80.00"), "entry_date": TODAY, "channel": "cash",
            "counterparty": "李四"})
        reverse_distribution(actor, db, dec, "发错了", today=TODAY)
        reverse_intake(actor, db, late, "重复登记", today=TODAY)
        ledgers[name] = (org, h1, h2)
    db.flush()
    return ledgers


def _from_ledgers(db) -> dict:
    """The figures, summed by this test from the ledger rows."""
    months = defaultdict(lambda: {"donated": D(0), "donations": 0, "spent": D(0), "intakes": 0})
    goods = defaultdict(lambda: {"received": D(0), "distributed": D(0)})
    households = defaultdict(int)
    entries = db.scalars(sa.select(FundEntry)).all()
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    for e in entries:
        row = months[(e.organization_id, e.entry_date.year, e.entry_date.month)]
        if e.kind in DONATION_INCOME_KINDS:
            row["donated"] += e.amount
            row["donations"] += e.reverses_id is None and e.id not in reversed_ids
        elif e.kind in SPENDING_KINDS:
            row["spent"] += e.amount
    unit = dict(db.execute(sa.select(ItemType.id, ItemType.unit)).all())
    for doc, line, day, figure in ((Intake, IntakeLine, "received_on", "received"),
                                   (Distribution, DistributionLine, "distributed_on",
                                    "distributed")):
        for d in db.scalars(sa.select(doc).where(doc.status == DocStatus.POSTED)):
            on = getattr(d, day)
            key = (d.organization_id, on.year, on.month)
            if doc is Intake:
                months[key]["intakes"] += 1
            else:
                households[(on.year, d.organization_id, d.beneficiary_id)] += 1
            for ln in d.lines:
                goods[(*key, unit[ln.item_type_id])][figure] += ln.quantity
    return {"month": months, "goods": goods, "household": households}


def _stored(db) -> dict:
    """The kept rows, zero rows left out (a reversal may leave one)."""
    out = {}
    for name, model, figures in (("month", MonthFigures, kept.FIGURES["month"]),
                                 ("goods", MonthGoods, kept.FIGURES["goods"]),
                                 ("household", HouseholdYear, kept.FIGURES["household"])):
        keys = [c.name for c in model.__table__.primary_key.columns]
        out[name] = {tuple(r[k] for k in keys): {f: r[f] for f in figures}
                     for r in db.execute(sa.select(model.__table__)).mappings()
                     if any(r[f] for f in figures)}
    out["household"] = {k: v["distributions"] for k, v in out["household"].items()}
    return out


def _nonzero(want: dict) -> dict:
    return {name: {k: (dict(v) if isinstance(v, dict) else v) for k, v in rows.items()
                   if (any(v.values()) if isinstance(v, dict) else v)}
            for name, rows in want.items()}


def test_kept_figures_equal_the_ledger_sums(db, world):
    want = _nonzero(_from_ledgers(db))
    assert _stored(db) == want
    assert kept.verify_figures(db) == []
    org, h1, h2 = (x.id for x in world["a"])
    # The cross-year reversal: December keeps its income, January nets the reversal, and the
    # reversed donation no longer counts in December.
    assert want["month"][(org, 2025, 12)] == {"donated": D("150.00"), "donations": 1,
                                              "spent": D("30.00"), "intakes": 1}
    assert want["month"][(org, 2026, 1)] == {"donated": D("0.00"), "donations": 2,
                                             "spent": D("0"), "intakes": 0}
    # h1's only December distribution was reversed: helped in 2026 (twice), not in 2025.
    assert {k: n for k, n in want["household"].items() if k[1] == org} == {
        (2025, org, h2): 1, (2026, org, h1): 2}
    assert want["goods"][(org, 2025, 12, "kg")] == {"received": D("5.5"),
                                                     "distributed": D("1.25")}


def test_public_totals_read_the_same_figures(db, world):
    want = _from_ledgers(db)
    for year in (2025, 2026):
        t = year_totals(db, year)
        months = [v for k, v in want["month"].items() if k[1] == year]
        assert t.money_donated == sum((m["donated"] for m in months), D(0))
        assert t.donation_count == sum(m["donations"] for m in months)
        assert t.goods_intake_count == sum(m["intakes"] for m in months)
        units = defaultdict(D)
        for (_o, y, _m, unit), v in want["goods"].items():
            if y == year:
                units[unit] += v["distributed"]
        assert {u.unit: u.quantity for u in t.goods_distributed_by_unit} == \
            {u: q for u, q in units.items() if q}
        assert t.households_helped == len({b for (y, _o, b), n in want["household"].items()
                                           if y == year and n})
    jan = year_months(db, 2026, TODAY)[0]
    assert jan.donated == sum((v["donated"] for k, v in want["month"].items()
                               if k[1:] == (2026, 1)), D(0))


def test_verify_names_a_drifted_figure_and_rebuild_repairs_it(db, world):
    org = world["b"][0].id
    db.execute(sa.update(MonthFigures).where(MonthFigures.organization_id == org,
                                             MonthFigures.year == 2025)
               .values(donated=MonthFigures.donated + D("0.01")))
    problems = kept.verify_figures(db)
    assert len(problems) == 1 and "month_figures" in problems[0] and "donated" in problems[0]
    kept.rebuild(db)
    assert kept.verify_figures(db) == [] and _stored(db) == _nonzero(_from_ledgers(db))


def test_the_migration_backfills_what_the_postings_kept(db, world):
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    path = Path(__file__).parents[2] / "migrations" / "versions" / "0030_yearly_figures.py"
    spec = importlib.util.spec_from_file_location("m0030", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    want = _stored(db)
    tables = [MonthFigures.__table__, MonthGoods.__table__, HouseholdYear.__table__]
    for table in tables:
        db.execute(table.delete())
    conn = db.connection()
    with Operations.context(MigrationContext.configure(conn)):
        migration._backfill(conn, *tables)
    assert _stored(db) == want
