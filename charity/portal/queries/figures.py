"""Public figures: a year's totals (installation and per organisation) and the monthly
series of the installation, a campaign or a project — the home page, the campaign and project
pages and the open-data API's statistics all read them here.

Plain functions over a session (no Flask). A year's totals and months are read from the
figures kept at posting time (`charity.figures`: a few rows per organisation and month, so
the home page costs the same cold at any ledger size); a campaign's or project's series is
an aggregate query over its own ledger rows. Beneficiaries appear only as counts.

Conventions shared with the disclosures (`charity.disclosure.content`):
- money "donated" is donation income (捐赠收入: donations and charity-activity proceeds,
  `DONATION_INCOME_KINDS`), never commercial (sales) income; reversals are netted in the
  period in which they were posted, as in the ledger;
- goods are counted from posted documents (a reversed intake or distribution counts for
  nothing), which equals the stock movements of kind donation_in / distribution net of
  their reversals. Quantities are in each item's base unit (件, 瓶, kg …) and kept per unit
  (`Units`): kilograms are never added to pieces (issue 20 §2). The *_quantity sums of
  `YearTotals` stay for the open-data API's compatibility; no page shows them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.clock import today_in
from charity.disclosure.queries import of_project
from charity.figures.models import HouseholdYear, MonthFigures, MonthGoods
from charity.funds.models import (DONATION_INCOME_KINDS, SPENDING_KINDS, Campaign,
                                  CampaignStatus, FundEntry, Project, ProjectStatus)
from charity.goods.models import (Distribution, DistributionLine, DocStatus, Intake, IntakeLine,
                                  ItemType)

# The page cache that keeps these figures has its own module (charity.web.page_cache); it
# stays importable here, beside the figures it keeps.
from charity.web.page_cache import PageCache, app_cache, change_marker  # noqa: F401

ZERO = Decimal("0")


@dataclass(frozen=True)
class UnitQuantity:
    unit: str
    quantity: Decimal


class Units(tuple):
    """Goods quantities per base unit: `UnitQuantity` rows by unit. Adding two adds unit by
    unit, never across units; 0 (the start of `sum`) adds nothing."""

    @classmethod
    def of(cls, totals: dict) -> Units:
        return cls(UnitQuantity(u, Decimal(q)) for u, q in sorted(totals.items()) if q)

    def __add__(self, other):
        if not isinstance(other, Units):
            return self if other == 0 else NotImplemented
        totals: dict[str, Decimal] = {}
        for row in (*self, *other):
            totals[row.unit] = totals.get(row.unit, ZERO) + row.quantity
        return Units.of(totals)

    __radd__ = __add__

    def get(self, unit: str) -> Decimal:
        return next((row.quantity for row in self if row.unit == unit), ZERO)


EMPTY = Units()


def leading_unit(values) -> str | None:
    """The unit with the most goods over `values` (Units): the one a chart draws."""
    total = sum(values, EMPTY)
    return max(total, key=lambda row: row.quantity).unit if total else None


@dataclass(frozen=True)
class YearTotals:
    """One calendar year's public figures (dates are the organisations' calendar days).

    money_donated: donation income in CNY, reversals netted (Decimal);
    donation_count: money donations posted that year and not reversed;
    goods_intake_count: goods donations received (posted intakes);
    goods_received_quantity / goods_distributed_quantity: sums over all units (mixed units,
    "件/份" as counted) — see the *_by_unit breakdowns for exact figures;
    households_helped: distinct households that received a distribution (a count only);
    active_campaigns / active_projects: running now (not a yearly figure).
    """

    year: int
    organization_id: int | None
    money_donated: Decimal
    donation_count: int
    goods_intake_count: int
    goods_received_quantity: Decimal
    goods_received_by_unit: tuple[UnitQuantity, ...]
    goods_distributed_quantity: Decimal
    goods_distributed_by_unit: tuple[UnitQuantity, ...]
    households_helped: int
    active_campaigns: int
    active_projects: int


def _by_unit(rows) -> tuple[UnitQuantity, ...]:
    return tuple(UnitQuantity(unit, Decimal(q or 0)) for unit, q in rows if q)


def year_totals(session: Session, year: int, organization_id: int | None = None) -> YearTotals:
    """The public totals of `year`, for one organisation or (None) for all of them."""
    orgs = None if organization_id is None else [organization_id]
    totals = year_totals_by_org(session, year, orgs)
    if organization_id is None:
        return totals[None]
    return totals.get(organization_id) or empty_totals(year, organization_id)


def empty_totals(year: int, organization_id: int | None) -> YearTotals:
    return YearTotals(year=year, organization_id=organization_id, money_donated=ZERO,
                      donation_count=0, goods_intake_count=0, goods_received_quantity=ZERO,
                      goods_received_by_unit=(), goods_distributed_quantity=ZERO,
                      goods_distributed_by_unit=(), households_helped=0, active_campaigns=0,
                      active_projects=0)


def year_totals_by_org(session: Session, year: int,
                       organization_ids: list[int] | None = None) -> dict:
    """`year_totals` of every organisation (or those listed) and, under the key None, of the
    installation — from the figures kept at posting time (`charity.figures`), in six grouped
    queries over a few rows per organisation and month, whatever the size of the ledgers."""
    def org(column):
        return [column.in_(organization_ids)] if organization_ids is not None else []

    money = _months_by_org(session, year, org)
    received, distributed = _goods_by_org(session, year, org)
    households, all_households = _households_by_org(session, year, org)
    campaigns = _running_by_org(session, Campaign, Campaign.status == CampaignStatus.ACTIVE, org)
    projects = _running_by_org(session, Project, Project.status == ProjectStatus.ACTIVE, org)
    ids = set(money) | set(received) | set(distributed) | set(campaigns) | set(projects)
    out: dict = {}
    for oid in sorted(ids):
        got, gave = received.get(oid, ()), distributed.get(oid, ())
        donated, donations, intakes = money.get(oid, (ZERO, 0, 0))
        out[oid] = YearTotals(
            year=year, organization_id=oid, money_donated=donated, donation_count=donations,
            goods_intake_count=intakes,
            goods_received_quantity=sum((u.quantity for u in got), ZERO),
            goods_received_by_unit=got,
            goods_distributed_quantity=sum((u.quantity for u in gave), ZERO),
            goods_distributed_by_unit=gave, households_helped=int(households.get(oid, 0)),
            active_campaigns=int(campaigns.get(oid, 0)),
            active_projects=int(projects.get(oid, 0)))
    out[None] = _installation(year, list(out.values()), int(all_households or 0))
    return out


def _months_by_org(session, year, org) -> dict[int, tuple[Decimal, int, int]]:
    """Per organisation: donation income (reversals netted), money donations neither
    reversing nor reversed, and posted intakes of the year."""
    f = MonthFigures
    return {oid: (Decimal(d or 0), int(n or 0), int(i or 0)) for oid, d, n, i in session.execute(
        sa.select(f.organization_id, sa.func.sum(f.donated), sa.func.sum(f.donations),
                  sa.func.sum(f.intakes))
        .where(f.year == year, *org(f.organization_id)).group_by(f.organization_id))}


def _goods_by_org(session, year, org) -> tuple[dict, dict]:
    """Per organisation: goods received and goods handed out, per base unit."""
    g = MonthGoods
    rows = session.execute(
        sa.select(g.organization_id, g.unit, sa.func.sum(g.received), sa.func.sum(g.distributed))
        .where(g.year == year, *org(g.organization_id))
        .group_by(g.organization_id, g.unit)).all()
    return (_units_by_org((oid, u, r) for oid, u, r, _d in rows),
            _units_by_org((oid, u, d) for oid, u, _r, d in rows))


def _households_by_org(session, year, org) -> tuple[dict, int | None]:
    """Per organisation: households helped; and households helped by all of them (a
    household helped by two counts once)."""
    h = HouseholdYear
    where = [h.year == year, h.distributions > 0, *org(h.organization_id)]
    households = dict(session.execute(
        sa.select(h.organization_id, sa.func.count()).where(*where)
        .group_by(h.organization_id)).all())
    everyone = session.scalar(sa.select(sa.func.count(sa.distinct(h.beneficiary_id)))
                              .where(*where))
    return households, everyone


def _running_by_org(session, model, running, org) -> dict[int, int]:
    """Per organisation: how many campaigns (or projects) are running now."""
    return dict(session.execute(
        sa.select(model.organization_id, sa.func.count())
        .where(running, *org(model.organization_id))
        .group_by(model.organization_id)).all())


def _units_by_org(rows) -> dict[int, tuple[UnitQuantity, ...]]:
    grouped: dict[int, list] = {}
    for oid, unit, q in rows:
        grouped.setdefault(oid, []).append((unit, q))
    return {oid: _by_unit(sorted(pairs)) for oid, pairs in grouped.items()}


def _installation(year: int, parts: list[YearTotals], households: int) -> YearTotals:
    def units(name):
        total: dict[str, Decimal] = {}
        for t in parts:
            for u in getattr(t, name):
                total[u.unit] = total.get(u.unit, ZERO) + u.quantity
        return tuple(UnitQuantity(unit, q) for unit, q in sorted(total.items()))

    got, gave = units("goods_received_by_unit"), units("goods_distributed_by_unit")
    return YearTotals(
        year=year, organization_id=None,
        money_donated=sum((t.money_donated for t in parts), ZERO),
        donation_count=sum(t.donation_count for t in parts),
        goods_intake_count=sum(t.goods_intake_count for t in parts),
        goods_received_quantity=sum((u.quantity for u in got), ZERO), goods_received_by_unit=got,
        goods_distributed_quantity=sum((u.quantity for u in gave), ZERO),
        goods_distributed_by_unit=gave, households_helped=households,
        active_campaigns=sum(t.active_campaigns for t in parts),
        active_projects=sum(t.active_projects for t in parts))


# --- monthly series for the charts ------------------------------------------------------------

@dataclass(frozen=True)
class YearMonth:
    """One month of the installation's year (all organisations): money donated (donation
    income, reversals netted), money spent on charitable work and fundraising, and goods
    received and handed out (posted documents, per base unit)."""

    month: dt.date  # the first day of the month
    donated: Decimal
    spent: Decimal
    goods_received: Units
    goods_distributed: Units


def year_months(session: Session, year: int, today: dt.date) -> list[YearMonth]:
    """January to the current month of `year` (the whole year if it is over), from the
    figures kept at posting time (no document is dated after today)."""
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    f, g = MonthFigures, MonthGoods
    money = {m: (Decimal(d or 0), Decimal(s or 0)) for m, d, s in session.execute(
        sa.select(f.month, sa.func.sum(f.donated), sa.func.sum(f.spent))
        .where(f.year == year).group_by(f.month))}
    received: dict[int, dict] = {}
    given: dict[int, dict] = {}
    for m, unit, r, d in session.execute(
            sa.select(g.month, g.unit, sa.func.sum(g.received), sa.func.sum(g.distributed))
            .where(g.year == year).group_by(g.month, g.unit)):
        received.setdefault(m, {})[unit] = r or 0
        given.setdefault(m, {})[unit] = d or 0
    return [YearMonth(m, *money.get(m.month, (ZERO, ZERO)), Units.of(received.get(m.month, {})),
                      Units.of(given.get(m.month, {}))) for m in months_between(start, end)]


@dataclass(frozen=True)
class CampaignMonth:
    """One month of a campaign: money received (donation income) and spent (project and other
    spending and fundraising costs) in the month and cumulative since the start; goods
    received (posted intakes of the campaign, per base unit) in the month and cumulative."""

    month: dt.date  # the first day of the month
    received: Decimal
    spent: Decimal
    received_cumulative: Decimal
    spent_cumulative: Decimal
    goods_received: Units
    goods_received_cumulative: Units


@dataclass(frozen=True)
class ProjectMonth:
    """One month of a project: money given to it directly (donation income with the project)
    and spent on it, in the month and cumulative; goods distributed under it (per base unit);
    households served for the first time that month and cumulative (counts only)."""

    month: dt.date
    received: Decimal
    spent: Decimal
    received_cumulative: Decimal
    spent_cumulative: Decimal
    goods_distributed: Units
    goods_distributed_cumulative: Units
    new_households: int
    households_cumulative: int


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from `first`'s month to `last`'s month (empty if reversed)."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def _bucket(rows) -> dict[dt.date, Decimal]:
    out: dict[dt.date, Decimal] = {}
    for day, value in rows:
        out[_month(day)] = out.get(_month(day), ZERO) + Decimal(value or 0)
    return out


def _goods_by_month(session, line, day, where) -> dict[dt.date, Units]:
    """Posted `line`s (intake or distribution lines) per month and base unit."""
    doc = line.intake if line is IntakeLine else line.distribution
    out: dict[dt.date, Units] = {}
    for d, unit, q in session.execute(
            sa.select(day, ItemType.unit, sa.func.sum(line.quantity)).join(doc)
            .join(ItemType, ItemType.id == line.item_type_id).where(*where)
            .group_by(day, ItemType.unit)):
        out[_month(d)] = out.get(_month(d), EMPTY) + Units.of({unit: q or 0})
    return out


def _money_by_month(session, where) -> tuple[dict, dict]:
    # Grouped by day, bucketed here: portable across SQLite and PostgreSQL, ≤ 366 rows a year.
    rows = session.execute(
        sa.select(FundEntry.entry_date, FundEntry.kind, sa.func.sum(FundEntry.amount))
        .where(*where, FundEntry.kind.in_(DONATION_INCOME_KINDS + SPENDING_KINDS))
        .group_by(FundEntry.entry_date, FundEntry.kind)).all()
    income = set(DONATION_INCOME_KINDS)
    return (_bucket((d, a) for d, k, a in rows if k in income),
            _bucket((d, a) for d, k, a in rows if k not in income))


MAX_SERIES_MONTHS = 120  # ten years: older months count only in the cumulative figures


def _span(start: dt.date, end: dt.date | None, today: dt.date) -> list[dt.date]:
    last = min(end, today) if end else today
    return months_between(start, last)[-MAX_SERIES_MONTHS:]


def campaign_series(session: Session, campaign: Campaign,
                    today: dt.date | None = None) -> list[CampaignMonth]:
    """Monthly points from the campaign's start to its end (or today, if earlier)."""
    today = today or today_in(None)
    received, spent = _money_by_month(session, [FundEntry.campaign_id == campaign.id])
    goods = _goods_by_month(session, IntakeLine, Intake.received_on, [
        Intake.campaign_id == campaign.id, Intake.status == DocStatus.POSTED])
    months = _span(campaign.planned_start, campaign.end, today)
    before = months[0] if months else _month(campaign.planned_start)
    # Whatever is dated before the first month shown still counts in the cumulative figures.
    cum = [sum((v for m, v in b.items() if m < before), start)
           for b, start in ((received, ZERO), (spent, ZERO), (goods, EMPTY))]
    out = []
    for month in months:
        r, s, g = received.get(month, ZERO), spent.get(month, ZERO), goods.get(month, EMPTY)
        cum = [cum[0] + r, cum[1] + s, cum[2] + g]
        out.append(CampaignMonth(month, r, s, cum[0], cum[1], g, cum[2]))
    return out


def project_series(session: Session, project: Project,
                   today: dt.date | None = None) -> list[ProjectMonth]:
    """Monthly points from the project's start to its end (or today, if earlier)."""
    today = today or today_in(None)
    received, spent = _money_by_month(session, [FundEntry.project_id == project.id])
    posted = [of_project(project.id), Distribution.status == DocStatus.POSTED]
    goods = _goods_by_month(session, DistributionLine, Distribution.distributed_on, posted)
    first_served: dict[dt.date, int] = {}
    for (day,) in session.execute(sa.select(sa.func.min(Distribution.distributed_on))
                                  .where(*posted).group_by(Distribution.beneficiary_id)):
        first_served[_month(day)] = first_served.get(_month(day), 0) + 1
    months = _span(project.planned_start, project.end, today)
    before = months[0] if months else _month(project.planned_start)
    cum = [sum((v for m, v in b.items() if m < before), start)
           for b, start in ((received, ZERO), (spent, ZERO), (goods, EMPTY))]
    households = sum(n for m, n in first_served.items() if m < before)
    out = []
    for month in months:
        r, s, g = received.get(month, ZERO), spent.get(month, ZERO), goods.get(month, EMPTY)
        new = first_served.get(month, 0)
        cum = [cum[0] + r, cum[1] + s, cum[2] + g]
        households += new
        out.append(ProjectMonth(month, r, s, cum[0], cum[1], g, cum[2], new, households))
    return out
