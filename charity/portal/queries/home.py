"""What the public home page shows, as plain data: this year's figures, running campaigns,
the latest disclosures, open points and the goods they want.

The view caches these values in the process (`charity.web.page_cache`), so they hold no ORM
objects: only numbers, dates and texts copied out of the rows. A handful of aggregate
queries per page, none per row. Nothing about a household or a non-consenting donor is read.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.funds.models import Campaign, CampaignStatus, FundBalance
from charity.goods.expiry import not_expired
from charity.goods.models import ItemType, StockBalance, StockTarget
from charity.orgs.models import CharityPoint, Organization
from charity.portal.charts import percent
from charity.points import queries as timebank
from charity.portal.queries import figures
from charity.portal.queries.disclosures import DisclosureRow, latest_disclosures

ZERO = Decimal("0")


@dataclass(frozen=True)
class CampaignCard:
    id: int
    name: str
    organization: str
    raised: Decimal
    target: Decimal | None
    percent: Decimal | None
    end: dt.date


@dataclass(frozen=True)
class PointCard:
    id: int
    name: str
    kind: str
    district: str
    community: str
    address: str
    opening_hours: str
    phone: str
    organization: str


@dataclass(frozen=True)
class WantedItem:
    name: str
    unit: str
    shortfall: Decimal
    points: tuple[str, ...]


@dataclass(frozen=True)
class HomeData:
    totals: figures.YearTotals
    campaigns: tuple[CampaignCard, ...]
    disclosures: tuple[DisclosureRow, ...]
    points: tuple[PointCard, ...]
    points_total: int
    wanted: tuple[WantedItem, ...]
    months: tuple[figures.YearMonth, ...] = ()
    timebank: tuple = ()  # charity.points.queries.MonthFigures, this year
    thanked: tuple[str, ...] = ()  # volunteers who agreed to be named


def _raised(scope: str, id_column):
    return sa.and_(FundBalance.scope == scope, FundBalance.scope_id == id_column)


def active_campaign_cards(session: Session, limit: int = 6, organization_id: int | None = None
                          ) -> tuple[CampaignCard, ...]:
    """Running campaigns of active organisations (or of one), ending soonest first, with the
    donation income kept in their fund balance (the ledger keeps it in the posting's
    transaction)."""
    only = [] if organization_id is None else [Campaign.organization_id == organization_id]
    rows = session.execute(
        sa.select(Campaign.id, Campaign.name, Organization.name, Campaign.target_amount,
                  Campaign.planned_end, Campaign.actual_end,
                  sa.func.coalesce(FundBalance.donation_income, 0))
        .join(Organization, Organization.id == Campaign.organization_id)
        .outerjoin(FundBalance, _raised("campaign", Campaign.id))
        .where(Campaign.status == CampaignStatus.ACTIVE, Organization.active.is_(True), *only)
        .order_by(Campaign.planned_end, Campaign.id).limit(limit))
    return tuple(CampaignCard(i, n, o, Decimal(r), t, percent(Decimal(r), t), a or e)
                 for i, n, o, t, e, a, r in rows)


def open_points(session: Session, limit: int = 6) -> tuple[tuple[PointCard, ...], int]:
    """Active points of active organisations (the first `limit`) and how many there are."""
    where = [CharityPoint.active.is_(True), Organization.active.is_(True)]
    rows = session.execute(
        sa.select(CharityPoint.id, CharityPoint.name, CharityPoint.kind, CharityPoint.district,
                  CharityPoint.community, CharityPoint.address, CharityPoint.opening_hours,
                  CharityPoint.phone, Organization.name)
        .join(Organization, Organization.id == CharityPoint.organization_id).where(*where)
        .order_by(CharityPoint.district, CharityPoint.name, CharityPoint.id).limit(limit))
    cards = tuple(PointCard(i, n, getattr(k, "value", k), d, c, a, h, p, o)
                  for i, n, k, d, c, a, h, p, o in rows)
    total = session.scalar(sa.select(sa.func.count()).select_from(CharityPoint)
                           .join(Organization, Organization.id == CharityPoint.organization_id)
                           .where(*where))
    return cards, int(total or 0)


def wanted_items(session: Session, limit: int = 10, today: dt.date | None = None
                 ) -> tuple[WantedItem, ...]:
    """The needs lists of all open points in one query (the rule of
    `charity.goods.dashboard.needs_list`: an active item below the point's wanted level),
    merged by item name and unit: total shortfall and the points that ask for it. Items
    wanted by the most points come first, then the largest shortfall. With `today`, food
    past its expiry date that day does not count as on hand (it is written off)."""
    on_hand = sa.select(StockBalance.point_id, StockBalance.item_type_id,
                        sa.func.sum(StockBalance.quantity).label("q"))
    if today is not None:
        on_hand = on_hand.where(not_expired(today))
    on_hand = on_hand.group_by(StockBalance.point_id, StockBalance.item_type_id).subquery()
    have = sa.func.coalesce(on_hand.c.q, 0)
    rows = session.execute(
        sa.select(ItemType.name, ItemType.unit, CharityPoint.name, StockTarget.wanted, have)
        .join(ItemType, ItemType.id == StockTarget.item_type_id)
        .join(CharityPoint, CharityPoint.id == StockTarget.point_id)
        .join(Organization, Organization.id == CharityPoint.organization_id)
        .outerjoin(on_hand, sa.and_(on_hand.c.point_id == StockTarget.point_id,
                                    on_hand.c.item_type_id == StockTarget.item_type_id))
        .where(CharityPoint.active.is_(True), Organization.active.is_(True),
               ItemType.active.is_(True), have < StockTarget.wanted))
    merged: dict[tuple[str, str], list] = {}
    for name, unit, point, wanted, q in rows:
        entry = merged.setdefault((name, unit), [ZERO, set()])
        entry[0] += Decimal(wanted) - Decimal(q or 0)
        entry[1].add(point)
    items = [WantedItem(n, u, short, tuple(sorted(points)))
             for (n, u), (short, points) in merged.items()]
    items.sort(key=lambda w: (-len(w.points), -w.shortfall, w.name, w.unit))
    return tuple(items[:limit])


def home_data(session: Session, today: dt.date) -> HomeData:
    points, total = open_points(session)
    return HomeData(totals=figures.year_totals(session, today.year),
                    campaigns=active_campaign_cards(session),
                    disclosures=latest_disclosures(session), points=points, points_total=total,
                    wanted=wanted_items(session, today=today),
                    months=tuple(figures.year_months(session, today.year, today)),
                    timebank=tuple(timebank.public_months(session, today.replace(month=1, day=1),
                                                          today)),
                    thanked=tuple(timebank.thanked_volunteers(session)))
