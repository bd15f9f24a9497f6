"""The annual report is owed for every year from the registration date or the first ledger
entry, whichever is earlier, each due 31 May of the next year (DOMAIN.md: annual report;
MCA Order 81)."""
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from charity.core.system import system_actor
from charity.disclosure.models import Obligation
from charity.disclosure.obligations import refresh_all
from charity.funds.services import ledger

TODAY = dt.date(2026, 12, 6)


def _annual(db, org):
    return {o.seq: o for o in db.scalars(sa.select(Obligation).where(
        Obligation.organization_id == org.id, Obligation.kind == "annual"))}


def _expected(first_year):
    return {y: (dt.date(y, 1, 1), dt.date(y, 12, 31), dt.date(y + 1, 5, 31))
            for y in range(first_year, TODAY.year)}


def _shape(rows):
    return {y: (o.period_start, o.period_end, o.due) for y, o in rows.items()}


def test_annual_reports_are_owed_from_the_registration_year(db, make_org):
    org = make_org(registered_on=dt.date(2022, 3, 1))
    refresh_all(db, TODAY)
    rows = _annual(db, org)
    assert _shape(rows) == _expected(2022)
    # 2022–2024 are past their 31 May deadline unpublished; 2025 is due 2026-05-31, also past.
    assert {o.status for o in rows.values()} == {"overdue"}


def test_an_earlier_first_ledger_entry_brings_the_first_year_forward(db, make_org):
    org = make_org(registered_on=dt.date(2025, 6, 1))
    ledger.post_donation(system_actor(), db, org,
                         {"kind": "donation", "amount": Decimal("50.00"),
                          "entry_date": dt.date(2024, 2, 10), "channel": "cash",
                          "counterparty": "张三"},
                         with_receipt=False, today=dt.date(2024, 2, 10))
    refresh_all(db, TODAY)
    assert _shape(_annual(db, org)) == _expected(2024)


def test_a_later_first_entry_does_not_move_the_registration_year(db, make_org):
    org = make_org(registered_on=dt.date(2023, 12, 31))
    ledger.post_donation(system_actor(), db, org,
                         {"kind": "donation", "amount": Decimal("10.00"),
                          "entry_date": dt.date(2025, 4, 1), "channel": "cash",
                          "counterparty": "李四"},
                         with_receipt=False, today=dt.date(2025, 4, 1))
    refresh_all(db, TODAY)
    assert _shape(_annual(db, org)) == _expected(2023)


def test_an_organisation_registered_this_year_owes_nothing_yet(db, make_org):
    org = make_org(registered_on=dt.date(2026, 2, 1))
    refresh_all(db, TODAY)
    assert _annual(db, org) == {}
