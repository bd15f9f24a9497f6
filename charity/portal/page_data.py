"""What the public home, campaign and project pages show, as plain data.

The views cache these values in the process (`charity.portal.stats.PageCache`), so they hold
no ORM objects: only numbers, dates and texts copied out of the rows. A handful of aggregate
queries per page, none per row. Nothing about a household or a non-consenting donor is read.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.disclosure.models import Obligation, Publication
from charity.funds.models import (Campaign, CampaignStatus, EntryKind, FundBalance, FundEntry,
                                  Project, ProjectStatus, project_campaign)
from charity.goods.models import (Distribution, DistributionLine, DocStatus, Intake, IntakeLine,
                                  ItemCategory, ItemType, StockBalance, StockTarget)
from charity.orgs.models import CharityPoint, Organization
from charity.portal import stats
from charity.portal.charts import percent

ZERO = Decimal("0")
OPEN_STATUSES = ("upcoming", "due", "overdue")


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
class DisclosureRow:
    id: int
    title: str
    organization: str
    kind: str
    published_on: dt.date
    late: bool


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
    totals: stats.YearTotals
    campaigns: tuple[CampaignCard, ...]
    disclosures: tuple[DisclosureRow, ...]
    points: tuple[PointCard, ...]
    points_total: int
    wanted: tuple[WantedItem, ...]
    months: tuple[stats.YearMonth, ...] = ()


def _raised(scope: str, id_column):
    return sa.and_(FundBalance.scope == scope, FundBalance.scope_id == id_column)


def active_campaign_cards(session: Session, limit: int = 6) -> tuple[CampaignCard, ...]:
    """Running campaigns of active organisations, ending soonest first, with the donation
    income kept in their fund balance (the ledger keeps it in the posting's transaction)."""
    rows = session.execute(
        sa.select(Campaign.id, Campaign.name, Organization.name, Campaign.target_amount,
                  Campaign.planned_end, Campaign.actual_end,
                  sa.func.coalesce(FundBalance.donation_income, 0))
        .join(Organization, Organization.id == Campaign.organization_id)
        .outerjoin(FundBalance, _raised("campaign", Campaign.id))
        .where(Campaign.status == CampaignStatus.ACTIVE, Organization.active.is_(True))
        .order_by(Campaign.planned_end, Campaign.id).limit(limit))
    return tuple(CampaignCard(i, n, o, Decimal(r), t, percent(Decimal(r), t), a or e)
                 for i, n, o, t, e, a, r in rows)


def latest_disclosures(session: Session, limit: int = 5, **subject) -> tuple[DisclosureRow, ...]:
    stmt = (sa.select(Publication.id, Publication.title, Organization.name, Publication.kind,
                      Publication.published_on, Publication.late)
            .join(Organization, Organization.id == Publication.organization_id))
    if subject:
        stmt = stmt.where(Publication.subject_type == subject["subject_type"],
                          Publication.subject_id == subject["subject_id"])
    rows = session.execute(stmt.order_by(Publication.published_on.desc(),
                                         Publication.chain_seq.desc()).limit(limit))
    return tuple(DisclosureRow(*row) for row in rows)


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


def wanted_items(session: Session, limit: int = 10) -> tuple[WantedItem, ...]:
    """The needs lists of all open points in one query (the rule of
    `charity.goods.dashboard.needs_list`: an active item below the point's wanted level),
    merged by item name and unit: total shortfall and the points that ask for it. Items
    wanted by the most points come first, then the largest shortfall."""
    on_hand = (sa.select(StockBalance.point_id, StockBalance.item_type_id,
                         sa.func.sum(StockBalance.quantity).label("q"))
               .group_by(StockBalance.point_id, StockBalance.item_type_id).subquery())
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
    return HomeData(totals=stats.year_totals(session, today.year),
                    campaigns=active_campaign_cards(session),
                    disclosures=latest_disclosures(session), points=points, points_total=total,
                    wanted=wanted_items(session),
                    months=tuple(stats.year_months(session, today.year, today)))


# --- campaign and project pages ---------------------------------------------------------------

@dataclass(frozen=True)
class Amount:
    label: str
    amount: Decimal
    id: int | None = None


@dataclass(frozen=True)
class GoodsRow:
    category: str
    unit: str
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class Deadline:
    kind: str
    seq: int
    due: dt.date
    status: str


@dataclass(frozen=True)
class Link:
    id: int
    name: str
    status: str


@dataclass(frozen=True)
class SubjectPage:
    """A campaign's or project's public page. `info` holds the public plan fields."""

    kind: str  # campaign | project
    info: dict
    balance: dict
    series: tuple
    use: tuple[Amount, ...]
    funded_by: tuple[Amount, ...]
    goods: tuple[GoodsRow, ...]
    households: int
    disclosures: tuple[DisclosureRow, ...]
    deadlines: tuple[Deadline, ...]
    links: tuple[Link, ...]
    extra: dict = field(default_factory=dict)


def public_status(status) -> str:
    """active or ended (never shown: planned, i.e. a draft)."""
    value = getattr(status, "value", status)
    return {"active": "active", "ended": "ended", "closed": "ended"}.get(value, "planned")


def _balance(session, scope: str, scope_id: int) -> dict:
    row = session.scalar(sa.select(FundBalance).where(FundBalance.scope == scope,
                                                      FundBalance.scope_id == scope_id))
    names = ("donation_income", "commercial_income", "spent_projects", "spent_other",
             "fundraising_costs", "transfers_in", "transfers_out")
    out = {n: Decimal(getattr(row, n)) if row is not None else ZERO for n in names}
    out["used"] = out["spent_projects"] + out["spent_other"] + out["fundraising_costs"]
    out["remaining"] = row.remaining if row is not None else ZERO
    return out


def _deadlines(session, subject_type, subject_id) -> tuple[Deadline, ...]:
    rows = session.execute(
        sa.select(Obligation.kind, Obligation.seq, Obligation.due, Obligation.status)
        .where(Obligation.subject_type == subject_type, Obligation.subject_id == subject_id,
               Obligation.status.in_(OPEN_STATUSES))
        .order_by(Obligation.due).limit(6))
    return tuple(Deadline(*row) for row in rows)


def _goods(session, stmt) -> tuple[GoodsRow, ...]:
    return tuple(GoodsRow(c, u, Decimal(q or 0), Decimal(v or 0)) for c, u, q, v in
                 session.execute(stmt.join(ItemType.category)
                                 .group_by(ItemCategory.name, ItemCategory.sort, ItemType.unit)
                                 .order_by(ItemCategory.sort, ItemType.unit)))


def campaign_page(session: Session, campaign: Campaign, today: dt.date) -> SubjectPage:
    org = session.get(Organization, campaign.organization_id)
    info = {c: getattr(campaign, c) for c in (
        "id", "name", "purpose", "region", "donation_methods", "bank_account", "beneficiaries",
        "intended_use", "cost_budget", "leftover_plan", "filing_no", "filing_date",
        "planned_start", "planned_end", "actual_end", "target_amount", "goods_wanted",
        "emergency")}
    info.update(status=public_status(campaign.status), organization=org.name,
                organization_id=org.id, fundraising_cert_no=org.fundraising_cert_no)
    balance = _balance(session, "campaign", campaign.id)
    info["percent"] = percent(balance["donation_income"], campaign.target_amount)
    spent = [FundEntry.campaign_id == campaign.id]
    use = [Amount(name, Decimal(a), pid) for pid, name, a in session.execute(
        sa.select(Project.id, Project.name, sa.func.sum(FundEntry.amount))
        .join(Project, Project.id == FundEntry.project_id)
        .where(*spent, FundEntry.kind == EntryKind.PROJECT_SPENDING)
        .group_by(Project.id, Project.name).order_by(Project.name)) if a]
    use += [Amount(purpose or "", Decimal(a)) for purpose, a in session.execute(
        sa.select(FundEntry.purpose, sa.func.sum(FundEntry.amount))
        .where(*spent, FundEntry.kind == EntryKind.OTHER_SPENDING)
        .group_by(FundEntry.purpose).order_by(FundEntry.purpose)) if a]
    goods = _goods(session, sa.select(ItemCategory.name, ItemType.unit,
                                      sa.func.sum(IntakeLine.quantity),
                                      sa.func.sum(IntakeLine.quantity * IntakeLine.unit_value))
                   .join(IntakeLine.intake).join(IntakeLine.item_type)
                   .where(Intake.campaign_id == campaign.id, Intake.status == DocStatus.POSTED))
    links = tuple(Link(i, n, public_status(s)) for i, n, s in session.execute(
        sa.select(Project.id, Project.name, Project.status)
        .join(project_campaign, project_campaign.c.project_id == Project.id)
        .where(project_campaign.c.campaign_id == campaign.id,
               Project.status != ProjectStatus.PLANNED).order_by(Project.name)))
    return SubjectPage(
        kind="campaign", info=info, balance=balance,
        series=tuple(stats.campaign_series(session, campaign, today)), use=tuple(use),
        funded_by=(), goods=goods, households=0,
        disclosures=latest_disclosures(session, 50, subject_type="campaign",
                                       subject_id=campaign.id),
        deadlines=_deadlines(session, "campaign", campaign.id), links=links)


def project_page(session: Session, project: Project, today: dt.date) -> SubjectPage:
    org = session.get(Organization, project.organization_id)
    info = {c: getattr(project, c) for c in (
        "id", "name", "content", "area", "beneficiary_groups", "planned_start", "planned_end",
        "actual_end", "budget", "leftover_property", "leftover_handling")}
    info.update(status=public_status(project.status), organization=org.name,
                organization_id=org.id)
    spending = [FundEntry.project_id == project.id, FundEntry.kind == EntryKind.PROJECT_SPENDING]
    use = tuple(Amount(p or "", Decimal(a)) for p, a in session.execute(
        sa.select(FundEntry.purpose, sa.func.sum(FundEntry.amount)).where(*spending)
        .group_by(FundEntry.purpose).order_by(FundEntry.purpose)) if a)
    funded_by = tuple(Amount(n or "", Decimal(a), cid) for cid, n, a in session.execute(
        sa.select(Campaign.id, Campaign.name, sa.func.sum(FundEntry.amount))
        .outerjoin(Campaign, Campaign.id == FundEntry.campaign_id).where(*spending)
        .group_by(Campaign.id, Campaign.name).order_by(Campaign.name)) if a)
    given = [Distribution.project_id == project.id, Distribution.status == DocStatus.POSTED]
    goods = _goods(session, sa.select(ItemCategory.name, ItemType.unit,
                                      sa.func.sum(DistributionLine.quantity),
                                      sa.func.sum(DistributionLine.quantity
                                                  * DistributionLine.unit_value))
                   .join(DistributionLine.distribution).join(DistributionLine.item_type)
                   .where(*given))
    households = session.scalar(sa.select(sa.func.count(sa.distinct(
        Distribution.beneficiary_id))).where(*given))
    links = tuple(Link(i, n, public_status(s)) for i, n, s in session.execute(
        sa.select(Campaign.id, Campaign.name, Campaign.status)
        .join(project_campaign, project_campaign.c.campaign_id == Campaign.id)
        .where(project_campaign.c.project_id == project.id,
               Campaign.status != CampaignStatus.PLANNED).order_by(Campaign.name)))
    balance = _balance(session, "project", project.id)
    info["percent"] = percent(balance["spent_projects"], project.budget)
    return SubjectPage(
        kind="project", info=info, balance=balance,
        series=tuple(stats.project_series(session, project, today)), use=use,
        funded_by=funded_by, goods=goods, households=int(households or 0),
        disclosures=latest_disclosures(session, 50, subject_type="project",
                                       subject_id=project.id),
        deadlines=_deadlines(session, "project", project.id), links=links)
