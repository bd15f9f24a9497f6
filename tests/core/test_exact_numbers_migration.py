"""Migration 0013: an existing SQLite database whose money and quantities are floats is
converted to integer fen / thousandths without losing a fen, its foreign keys and CHECK
constraints intact; on PostgreSQL nothing changes. Down and up again round-trips."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity import create_app
from charity.core.extensions import db as _db
from charity.orgs import uscc

D = Decimal
BEFORE = "0010"
_names = itertools.count(1)
# What the old code wrote, as it wrote it (SQLite got floats; PostgreSQL NUMERIC decimals).
AMOUNTS = ["987654321098.76", "0.10", "1234.50", "33.33", "-33.33"]
ORG_INCOME = "987654322333.36"  # their sum, by hand


@pytest.fixture
def old_app(backend, request, tmp_path):
    """An app on a database migrated to the revision before 0013."""
    from flask_migrate import upgrade

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database(f"charity_x{next(_names)}")
    application = create_app({"DATABASE_URL": url, "SECRET_KEY": "k", "TESTING": True,
                              "INSTANCE_PATH": str(tmp_path / "instance")})
    with application.app_context():
        upgrade(revision=BEFORE)
        _db.engine.dispose()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _old_rows(app, backend):
    """Rows as the code before 0013 stored them, written with raw SQL (around the new types)."""
    number = float if backend == "sqlite" else D
    now = dt.datetime(2026, 3, 1, 2, tzinfo=dt.timezone.utc)
    with app.app_context(), _db.engine.begin() as conn:
        def put(table, **values):
            names = ", ".join(values)
            conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES "
                                 f"({', '.join(':' + k for k in values)})"), values)

        put("organization", id=1, name="旧慈善会", uscc=uscc.make("51620100000000001"),
            registering_authority="民政局", can_fundraise_publicly=False,
            fundraising_cert_no="", contact_person="", phone="", email="", address="",
            website="", timezone="Asia/Shanghai", active=True, created_at=now)
        for n, amount in enumerate(AMOUNTS, start=1):
            put("fund_entry", id=n, organization_id=1, kind="donation",
                entry_date=dt.date(2026, 3, 1), amount=number(amount), counterparty="",
                purpose="", voucher_no="", reference="", restricted=False, note="",
                correction_reason="", posted_at=now,
                reverses_id=4 if amount.startswith("-") else None)
        for scope in ("org", "general"):
            put("fund_balance", organization_id=1, scope=scope, scope_id=1,
                donation_income=number(ORG_INCOME), commercial_income=number("0"),
                spent_projects=number("0"), spent_other=number("0"),
                fundraising_costs=number("0"), transfers_in=number("0"),
                transfers_out=number("0"), entry_count=5)
        category = conn.execute(sa.text("SELECT min(id) FROM item_category")).scalar()
        put("item_type", id=1, organization_id=1, category_id=category, name="大米",
            unit="千克", countable=False, point_price=1, perishable=False, active=True,
            default_fair_value=number("33.34"), monthly_limit=number("2.5"))
        put("charity_point", id=1, organization_id=1, kind="supermarket", name="站点",
            address="", district="", community="", opening_hours="", phone="", active=True,
            created_at=now)
        for n, qty in enumerate(["2.5", "0.001"], start=1):
            put("stock_movement", id=n, organization_id=1, point_id=1, item_type_id=1,
                batch="", kind="donation_in", quantity=number(qty),
                unit_value=number("33.34"), movement_date=dt.date(2026, 3, 1),
                document_type="intake", document_id=n, reason="", posted_at=now)
        put("stock_balance", point_id=1, item_type_id=1, batch="", quantity=number("2.501"),
            value=number("83.38"))


def _stored(app, backend):
    """The raw stored values (and, on SQLite, their storage classes)."""
    kind = "typeof" if backend == "sqlite" else "pg_typeof"
    with app.app_context(), _db.engine.connect() as conn:
        amounts = conn.execute(sa.text(
            f"SELECT amount, {kind}(amount) FROM fund_entry ORDER BY id")).all()
        stock = conn.execute(sa.text(
            f"SELECT quantity, {kind}(quantity), value FROM stock_balance")).one()
        limit = conn.execute(sa.text("SELECT monthly_limit FROM item_type")).scalar()
        income = conn.execute(sa.text(
            "SELECT donation_income FROM fund_balance WHERE scope = 'org'")).scalar()
    return [tuple(r) for r in amounts], tuple(stock), limit, income


def _migrate(app, revision, down=False):
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        (downgrade if down else upgrade)(revision=revision)
        _db.engine.dispose()


def test_existing_data_is_converted_exactly(old_app, backend):
    from charity.funds.models import FundBalance, FundEntry
    from charity.goods.models import ItemType, StockBalance
    from charity.ops.verify import run_checks

    _old_rows(old_app, backend)
    old = _stored(old_app, backend)
    if backend == "sqlite":
        assert [t for _v, t in old[0]] == ["real"] * 5  # what the issue found
    _migrate(old_app, "head")
    amounts, stock, limit, income = _stored(old_app, backend)
    if backend == "sqlite":
        assert amounts == [(98765432109876, "integer"), (10, "integer"), (123450, "integer"),
                           (3333, "integer"), (-3333, "integer")]
        assert stock == (2501, "integer", 8338) and limit == 2500
        assert income == 98765432233336
    else:
        assert (amounts, stock, limit, income) == old  # PostgreSQL: nothing to do
    with old_app.app_context():
        s = _db.session
        assert [e.amount for e in s.scalars(sa.select(FundEntry).order_by(FundEntry.id))] == [
            D(a) for a in AMOUNTS]
        assert s.get(FundEntry, 5).reverses.id == 4
        assert s.scalar(sa.select(sa.func.sum(FundEntry.amount))) == D(ORG_INCOME)
        org = s.scalar(sa.select(FundBalance).where(FundBalance.scope == "org"))
        assert org.donation_income == D(ORG_INCOME)
        balance = s.scalar(sa.select(StockBalance))
        assert (balance.quantity, balance.value) == (D("2.501"), D("83.38"))
        assert s.get(ItemType, 1).monthly_limit == D("2.500")
        problems = run_checks(s)
        assert problems["exact numbers"] == [] and problems["fund balances"] == []
        assert problems["stock balances"] == []
        if backend == "sqlite":
            assert s.execute(sa.text("PRAGMA foreign_key_check")).all() == []
            assert s.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
            assert s.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1  # back on
            ddl = s.execute(sa.text(
                "SELECT sql FROM sqlite_master WHERE name = 'fund_entry'")).scalar()
            assert "amount < 100000000000000 AND amount > -100000000000000" in ddl
            assert "amount <> 0" in ddl and "REFERENCES fund_entry" in ddl
        s.remove()


def test_down_and_up_again(old_app, backend):
    _old_rows(old_app, backend)
    old = _stored(old_app, backend)
    _migrate(old_app, "head")
    converted = _stored(old_app, backend)
    _migrate(old_app, BEFORE, down=True)
    assert _stored(old_app, backend) == old  # the same floats (SQLite) or decimals
    _migrate(old_app, "head")
    assert _stored(old_app, backend) == converted
