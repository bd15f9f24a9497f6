"""What the annual report says (Charity Law Art. 13; MCA Order 81), summed from the ledgers
of the year: income by type, spending by type, funds at the start and end of the year, the
spending and management-cost ratios against their thresholds, the campaigns with their
filing numbers, the projects with their spending and households, and the goods received and
handed out; then what the managers entered (`statement`).

Definitions (printed in the report, so a reader can redo the sums):
- total income = money donations + charity-activity income + commercial (supermarket sales)
  income + goods received at fair value;
- charitable spending = project spending + other charitable spending + goods handed out at
  fair value; total spending = charitable spending + fundraising costs + management costs;
- restricted funds are the campaigns' funds, unrestricted the general fund (as the fund
  balances keep them); a fund at a day is its inflows less its outflows up to that day.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.disclosure.amounts import ZERO, goods_rows, in_range, money, sum_entries
from charity.disclosure.annual.statement import statement_part
from charity.disclosure.annual.thresholds import no_threshold_reason, threshold_for
from charity.disclosure.content import (
    ACTIVITY_NAMES,
    CHANNEL_NAMES,
    SCHEMA_VERSION,
    _narrative,
    _org,
)
from charity.disclosure.content_project import project_figures
from charity.disclosure.queries import org_goods
from charity.funds.models import Campaign, EntryKind, FundEntry, Project
from charity.funds.models.ledger import INFLOWS, OUTFLOWS
from charity.goods.models import Distribution, DocStatus, Intake
from charity.orgs.models import Organization

K = EntryKind


def _label(names: dict, value) -> str:
    return names.get(getattr(value, "value", value), "其他")


def _kind_totals(session, org_id: int, start: dt.date, end: dt.date) -> dict:
    rows = sum_entries(session, [FundEntry.organization_id == org_id, *in_range(start, end)],
                       [FundEntry.kind])
    return {EntryKind(k): Decimal(v or 0) for k, v in rows}


def _goods_value(rows) -> Decimal:
    return sum((v for _c, _u, _q, v in rows), ZERO)


def total_income(session, org_id: int, start: dt.date, end: dt.date) -> Decimal:
    """Money received (gifts, charity activities, sales) plus goods received at fair value."""
    kinds = _kind_totals(session, org_id, start, end)
    goods = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Intake.total_value), 0)).where(
        Intake.organization_id == org_id, Intake.status == DocStatus.POSTED,
        Intake.received_on >= start, Intake.received_on <= end))
    return sum((kinds.get(k, ZERO) for k in (K.DONATION, K.ACTIVITY_INCOME, K.SALE_INCOME)),
               Decimal(goods or 0))


def _income(session, org_id, start, end, kinds, goods_in) -> dict:
    where = [FundEntry.organization_id == org_id, *in_range(start, end)]
    channels = sum_entries(session, [*where, FundEntry.kind == K.DONATION], [FundEntry.channel])
    activities = sum_entries(session, [*where, FundEntry.kind == K.ACTIVITY_INCOME],
                             [FundEntry.activity])
    goods = _goods_value(goods_in)
    money_in = sum((kinds.get(k, ZERO) for k in (K.DONATION, K.ACTIVITY_INCOME, K.SALE_INCOME)),
                   ZERO)
    return {
        "donations_by_channel": [{"channel": _label(CHANNEL_NAMES, c), "amount": money(a)}
                                 for c, a in channels if a],
        "donations": money(kinds.get(K.DONATION, ZERO)),
        "activity_income": [{"activity": _label(ACTIVITY_NAMES, a), "amount": money(v)}
                            for a, v in activities if v],
        "activity_total": money(kinds.get(K.ACTIVITY_INCOME, ZERO)),
        "goods_fair_value": money(goods),
        "commercial_income": money(kinds.get(K.SALE_INCOME, ZERO)),
        "total": money(money_in + goods),
    }


def _spending(session, org_id, start, end, kinds, goods_out) -> dict:
    by_project = session.execute(
        sa.select(Project.name, sa.func.sum(FundEntry.amount))
        .join(Project, Project.id == FundEntry.project_id)
        .where(FundEntry.organization_id == org_id, FundEntry.kind == K.PROJECT_SPENDING,
               *in_range(start, end))
        .group_by(Project.name).order_by(Project.name)).all()
    goods = _goods_value(goods_out)
    charitable = kinds.get(K.PROJECT_SPENDING, ZERO) + kinds.get(K.OTHER_SPENDING, ZERO) + goods
    fundraising, management = kinds.get(K.FUNDRAISING_COST, ZERO), kinds.get(K.MANAGEMENT_COST,
                                                                            ZERO)
    return {
        "by_project": [{"project": n, "amount": money(a)} for n, a in by_project],
        "projects": money(kinds.get(K.PROJECT_SPENDING, ZERO)),
        "other_charitable": money(kinds.get(K.OTHER_SPENDING, ZERO)),
        "goods_handed_out_value": money(goods),
        "charitable": money(charitable),
        "fundraising_costs": money(fundraising),
        "management_costs": money(management),
        "total": money(charitable + fundraising + management),
    }


def funds_at(session, org_id: int, day: dt.date) -> dict:
    """The organisation's money at the end of `day`: restricted (campaign funds) and
    unrestricted (the general fund)."""
    signed = sa.case((FundEntry.kind.in_(list(OUTFLOWS)), -FundEntry.amount),
                     (FundEntry.kind.in_(list(INFLOWS)), FundEntry.amount), else_=0)
    rows = session.execute(
        sa.select(FundEntry.campaign_id.is_not(None), sa.func.coalesce(sa.func.sum(signed), 0))
        .where(FundEntry.organization_id == org_id, FundEntry.entry_date <= day)
        .group_by(FundEntry.campaign_id.is_not(None))).all()
    found = {bool(r): Decimal(v or 0) for r, v in rows}
    restricted, unrestricted = found.get(True, ZERO), found.get(False, ZERO)
    return {"restricted": money(restricted), "unrestricted": money(unrestricted),
            "total": money(restricted + unrestricted)}


def _pct(part: Decimal, whole: Decimal) -> str | None:
    return str((part * 100 / whole).quantize(Decimal("0.01"))) if whole else None


def _ratios(session, org: Organization, year: int, charitable: Decimal, management: Decimal,
            spent: Decimal) -> dict:
    """Charitable spending against the previous year's income (or the three previous years'
    average) and management costs against total spending, with the threshold in force."""
    first = max(year - 3, org.registered_on.year if org.registered_on else year - 3)
    incomes = [total_income(session, org.id, dt.date(y, 1, 1), dt.date(y, 12, 31))
               for y in range(first, year)]
    previous = incomes[-1] if incomes else ZERO
    average = (sum(incomes, ZERO) / len(incomes)).quantize(Decimal("0.01")) if incomes else ZERO
    rule = threshold_for(org.org_type, org.can_fundraise_publicly, year)
    out = {"previous_year_income": money(previous), "three_year_average_income": money(average),
           "spending_to_previous_income_pct": _pct(charitable, previous),
           "spending_to_average_income_pct": _pct(charitable, average),
           "management_to_spending_pct": _pct(management, spent)}
    if rule is None:
        return {**out, "threshold": None, "no_threshold": no_threshold_reason(org.org_type)}
    floor = rule.min_spending_ratio
    spending_met = charitable >= floor * previous or charitable >= floor * average
    return {**out, "threshold": {
        "min_spending_pct": str(floor * 100), "max_management_pct":
            str(rule.max_management_ratio * 100), "source": rule.source},
        "spending_met": spending_met,
        "management_met": management <= rule.max_management_ratio * spent}


def _campaigns(session, org_id: int, start: dt.date, end: dt.date) -> list[dict]:
    """Campaigns that ran on some day of the year, with their filing numbers, what they
    raised in the year (money and goods) and their fundraising costs."""
    campaigns = session.scalars(sa.select(Campaign).where(
        Campaign.organization_id == org_id, Campaign.planned_start <= end,
        sa.func.coalesce(Campaign.actual_end, Campaign.planned_end) >= start)
        .order_by(Campaign.planned_start, Campaign.id)).all()
    rows = []
    for c in campaigns:
        kinds = dict(sum_entries(session, [FundEntry.campaign_id == c.id, *in_range(start, end)],
                                 [FundEntry.kind]))
        goods = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Intake.total_value), 0))
                               .where(Intake.campaign_id == c.id,
                                      Intake.status == DocStatus.POSTED,
                                      Intake.received_on >= start, Intake.received_on <= end))
        raised = Decimal(kinds.get(K.DONATION, 0) or 0) + Decimal(kinds.get(K.ACTIVITY_INCOME, 0)
                                                                  or 0)
        rows.append({"campaign": c.name, "filing_no": c.filing_no or "未备案",
                     "raised": money(raised), "goods_value": money(goods),
                     "fundraising_costs": money(kinds.get(K.FUNDRAISING_COST, 0))})
    return rows


def _projects(session, org_id: int, start: dt.date, end: dt.date) -> list[dict]:
    """Projects that ran on some day of the year: spending, goods handed out and households
    served in the year (counts only)."""
    projects = session.scalars(sa.select(Project).where(
        Project.organization_id == org_id, Project.planned_start <= end,
        sa.or_(Project.actual_end.is_(None), Project.actual_end >= start))
        .order_by(Project.planned_start, Project.id)).all()
    rows = []
    for p in projects:
        figures = project_figures(session, p, start, end)
        rows.append({"project": p.name, "spent": figures["spent_total"],
                     "goods_value": money(sum((Decimal(g["value"])
                                               for g in figures["goods_distributed"]), ZERO)),
                     "households": figures["households_served"]})
    return rows


def _volunteer_service(session, org_id: int, start: dt.date, end: dt.date) -> dict:
    """The time bank's year (issue 19): approved hours served and 爱心积分 redeemed, counts
    only — no volunteer is named in a report."""
    from charity.points.queries import public_months

    months = public_months(session, start, end, org_id)
    return {"hours": str(sum((m.hours for m in months), Decimal("0")).quantize(Decimal("0.01"))),
            "points_redeemed": sum(m.points_redeemed for m in months)}


def annual_snapshot(session: Session, org: Organization, year: int) -> dict:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    kinds = _kind_totals(session, org.id, start, end)
    goods_in = org_goods(session, org.id, True, start, end)
    goods_out = org_goods(session, org.id, False, start, end)
    spending = _spending(session, org.id, start, end, kinds, goods_out)
    served = session.scalar(
        sa.select(sa.func.count(sa.distinct(Distribution.beneficiary_id)))
        .where(Distribution.organization_id == org.id, Distribution.status == DocStatus.POSTED,
               Distribution.distributed_on >= start, Distribution.distributed_on <= end))
    return {
        "schema": SCHEMA_VERSION, "kind": "annual", "seq": year,
        "title": f"{org.name} · {year} 年度工作报告和财务会计报告",
        "organization": {**_org(org), "public_fundraising": org.can_fundraise_publicly},
        "subject": {"type": "organization", "id": org.id, "name": org.name, "year": year},
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "income": _income(session, org.id, start, end, kinds, goods_in),
        "spending": spending,
        "funds": {"start": funds_at(session, org.id, start - dt.timedelta(days=1)),
                  "end": funds_at(session, org.id, end)},
        "ratios": _ratios(session, org, year, Decimal(spending["charitable"]),
                          Decimal(spending["management_costs"]), Decimal(spending["total"])),
        "campaigns": _campaigns(session, org.id, start, end),
        "projects": _projects(session, org.id, start, end),
        "goods": {"received": goods_rows(goods_in), "handed_out": goods_rows(goods_out)},
        "households_served": int(served or 0),
        "volunteer_service": _volunteer_service(session, org.id, start, end),
        "statement": statement_part(session, org, year),
        "narrative": _narrative(session, "organization", org.id, "annual", year),
    }
