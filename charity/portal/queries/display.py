"""What the in-store screen (大屏) of a charity point shows, as plain data: the goods the
community gave and the goods handed out today and this month (in each item's own unit), the
money its organisation raised this month and this year, its running campaigns, what the point
needs now, its latest disclosures and its transparency grade.

Plain functions over a session (no Flask). Only counts and sums: no donor, household or
volunteer is read. Goods are counted from posted documents as everywhere on the public
pages (`charity.portal.queries.figures`): a reversed intake or hand-out counts for nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.clock import org_today
from charity.funds.models import DONATION_INCOME_KINDS, FundEntry
from charity.goods.models import (Distribution, DistributionLine, DocStatus, Intake, IntakeLine,
                                  ItemType, Sale, SaleLine)
from charity.goods.queries.stock import needs_list
from charity.orgs.models import CharityPoint
from charity.portal.queries.disclosures import DisclosureRow, latest_disclosures
from charity.portal.queries.figures import UnitQuantity
from charity.portal.queries.home import CampaignCard, active_campaign_cards
from charity.transparency.models import TransparencyScore

DISCLOSURES = 3
CAMPAIGNS = 3
NEEDS = 8


@dataclass(frozen=True)
class Need:
    name: str
    unit: str
    shortfall: Decimal


@dataclass(frozen=True)
class DisplayData:
    point_id: int
    point: str
    organization: str
    today: dt.date
    received_today: tuple[UnitQuantity, ...]
    received_month: tuple[UnitQuantity, ...]
    handed_today: tuple[UnitQuantity, ...]
    handed_month: tuple[UnitQuantity, ...]
    money_month: Decimal
    money_year: Decimal
    campaigns: tuple[CampaignCard, ...]
    needs: tuple[Need, ...]
    disclosures: tuple[DisclosureRow, ...]
    grade: str | None


def _units(rows) -> tuple[UnitQuantity, ...]:
    totals: dict[str, Decimal] = {}
    for unit, quantity in rows:
        totals[unit] = totals.get(unit, Decimal("0")) + Decimal(quantity or 0)
    return tuple(UnitQuantity(u, q) for u, q in sorted(totals.items()) if q)


def _received(session: Session, point_id: int, start: dt.date, end: dt.date):
    return _units(session.execute(
        sa.select(ItemType.unit, sa.func.sum(IntakeLine.quantity))
        .join(IntakeLine.intake).join(IntakeLine.item_type)
        .where(Intake.point_id == point_id, Intake.status == DocStatus.POSTED,
               Intake.received_on >= start, Intake.received_on <= end)
        .group_by(ItemType.unit)))


def _handed_out(session: Session, point_id: int, start: dt.date, end: dt.date):
    """Goods that left the shelf for people: given to households and sold in charity sales."""
    given = session.execute(
        sa.select(ItemType.unit, sa.func.sum(DistributionLine.quantity))
        .join(DistributionLine.distribution).join(DistributionLine.item_type)
        .where(Distribution.point_id == point_id, Distribution.status == DocStatus.POSTED,
               Distribution.distributed_on >= start, Distribution.distributed_on <= end)
        .group_by(ItemType.unit)).all()
    sold = session.execute(
        sa.select(ItemType.unit, sa.func.sum(SaleLine.quantity))
        .join(Sale, Sale.id == SaleLine.sale_id).join(ItemType, ItemType.id == SaleLine.item_type_id)
        .where(Sale.point_id == point_id, Sale.status == DocStatus.POSTED,
               Sale.sold_on >= start, Sale.sold_on <= end)
        .group_by(ItemType.unit)).all()
    return _units([*given, *sold])


def _donated(session: Session, organization_id: int, start: dt.date, end: dt.date) -> Decimal:
    """Donation income (reversals netted in the period they were posted, as in the ledger)."""
    return Decimal(session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(FundEntry.amount), 0))
        .where(FundEntry.organization_id == organization_id,
               FundEntry.kind.in_(DONATION_INCOME_KINDS),
               FundEntry.entry_date >= start, FundEntry.entry_date <= end)) or 0)


def _grade(session: Session, organization_id: int) -> str | None:
    return session.scalar(
        sa.select(TransparencyScore.grade)
        .where(TransparencyScore.organization_id == organization_id)
        .order_by(TransparencyScore.computed_on.desc()).limit(1))


def display_data(session: Session, point: CharityPoint) -> DisplayData:
    """Everything the screen of `point` shows, as of today in its organisation's calendar."""
    org = point.organization
    today = org_today(org)
    month, year = today.replace(day=1), today.replace(month=1, day=1)
    needs = sorted(needs_list(session, point.id, today), key=lambda r: -r.shortfall)
    campaigns = active_campaign_cards(session, CAMPAIGNS, organization_id=org.id)
    return DisplayData(
        point.id, point.name, org.name, today,
        _received(session, point.id, today, today), _received(session, point.id, month, today),
        _handed_out(session, point.id, today, today),
        _handed_out(session, point.id, month, today),
        _donated(session, org.id, month, today), _donated(session, org.id, year, today),
        campaigns,
        tuple(Need(r.item.name, r.item.unit, r.shortfall) for r in needs[:NEEDS]),
        latest_disclosures(session, DISCLOSURES, organization_id=org.id),
        _grade(session, org.id))
