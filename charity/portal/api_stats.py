"""The statistics answer of the open data API: `charity.portal.stats.year_totals` as JSON.

Totals for the whole installation and for each organisation (counts and sums only: no
household, donor or person is ever named). Decimal money is text with two decimals;
quantities are text too, exact, without trailing zeros.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.orgs.models import Organization
from charity.portal.opendata import money
from charity.portal.stats import YearTotals, empty_totals, year_totals_by_org

MONEY_FIELDS = {"money_donated"}
QUANTITY_FIELDS = {"goods_received_quantity", "goods_distributed_quantity"}
UNIT_FIELDS = {"goods_received_by_unit", "goods_distributed_by_unit"}
COUNT_FIELDS = ("donation_count", "goods_intake_count", "households_helped",
                "active_campaigns", "active_projects")


def quantity(value: Decimal) -> str:
    """Exact text of a quantity: 12 → "12", 2.500 → "2.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def totals_data(t: YearTotals) -> dict:
    return {
        "organization_id": t.organization_id,
        "money_donated": money(t.money_donated),
        **{name: getattr(t, name) for name in COUNT_FIELDS},
        "goods_received_quantity": quantity(t.goods_received_quantity),
        "goods_received_by_unit": [{"unit": u.unit, "quantity": quantity(u.quantity)}
                                   for u in t.goods_received_by_unit],
        "goods_distributed_quantity": quantity(t.goods_distributed_quantity),
        "goods_distributed_by_unit": [{"unit": u.unit, "quantity": quantity(u.quantity)}
                                      for u in t.goods_distributed_by_unit],
    }


def payload(session: Session, year: int, organization_id: int | None = None) -> dict | None:
    """The year's totals for the installation and per organisation (all active ones, or the
    one asked for); None if that organisation does not exist."""
    stmt = sa.select(Organization.id, Organization.name).order_by(Organization.id)
    if organization_id is not None:
        stmt = stmt.where(Organization.id == organization_id)
    else:
        stmt = stmt.where(Organization.active.is_(True))
    orgs = session.execute(stmt).all()
    if organization_id is not None and not orgs:
        return None
    totals = year_totals_by_org(session, year)  # grouped queries, not one set per organisation
    per_org = [{"name": name, **totals_data(totals.get(oid) or empty_totals(year, oid))}
               for oid, name in orgs]
    return {"data": {"year": year, "installation": totals_data(totals[None]),
                     "organizations": per_org},
            "meta": {"year": year, "organization": organization_id}}
