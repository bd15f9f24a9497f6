"""What a project's report counts (Charity Law Art. 79; Order 81): income by source — money
given to the project, campaign funds spent on it, goods received and sales made at the
points attached to it — spending by purpose, goods handed out and households served. A
distribution counts for a project when it names the project or, naming none, was made at
a point attached to the project that day (`queries.of_project`): running the supermarket is
the project its daily hand-outs serve. Households appear as counts only."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.disclosure.amounts import ZERO, goods_rows, in_range, money, sum_entries
from charity.disclosure.queries import at_project_point, goods_distributed, of_project
from charity.funds.models import Campaign, EntryKind, FundEntry, Project
from charity.goods.models import Distribution, DocStatus, Intake, Sale
from charity.people.models import BENEFICIARY_CATEGORY_NAMES, Beneficiary

NO_NARRATIVE = "本期未提供进展说明"


def households(session: Session, project: Project, a: dt.date, b: dt.date
               ) -> tuple[int, dict[str, int]]:
    """Households served under the project from `a` to `b`: how many, and how many per
    beneficiary category (a household counts once in each of its categories)."""
    served = (sa.select(Distribution.beneficiary_id)
              .where(of_project(project.id), Distribution.status == DocStatus.POSTED,
                     Distribution.distributed_on >= a, Distribution.distributed_on <= b)
              .distinct())
    # (DISTINCT over the JSON column itself fails on PostgreSQL: select ids first.)
    rows = session.execute(sa.select(Beneficiary.categories, Beneficiary.id)
                           .where(Beneficiary.id.in_(served))).all()
    groups: dict[str, int] = {}
    for cats, _id in rows:
        for c in cats or ["other"]:
            name = BENEFICIARY_CATEGORY_NAMES.get(c, c)
            groups[name] = groups.get(name, 0) + 1
    return len(rows), groups


def _at_points(session: Session, project: Project, total, point_col, day_col, status_col,
               a: dt.date, b: dt.date, *where) -> Decimal:
    """The sum of `total` over posted documents made at the project's points from a to b."""
    return Decimal(session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(total), 0))
        .where(status_col == DocStatus.POSTED, day_col >= a, day_col <= b,
               at_project_point(project.id, point_col, day_col), *where)) or 0)


def income_by_source(session: Session, project: Project, a: dt.date, b: dt.date) -> dict:
    """The project's income from a to b: money given to it, goods received at its points
    that no campaign holds (fair value), and the sales made at its points (commercial
    income, kept apart from donations)."""
    direct = sum_entries(session, [FundEntry.project_id == project.id, *in_range(a, b),
                                   FundEntry.kind.in_((EntryKind.DONATION,
                                                       EntryKind.ACTIVITY_INCOME))])
    goods = _at_points(session, project, Intake.total_value, Intake.point_id,
                       Intake.received_on, Intake.status, a, b, Intake.campaign_id.is_(None))
    sales = _at_points(session, project, Sale.total, Sale.point_id, Sale.sold_on,
                       Sale.status, a, b)
    return {"direct_donations": money(direct), "goods_received_value": money(goods),
            "sales_income": money(sales)}


def funding_campaigns(project: Project, a: dt.date, b: dt.date) -> list[str]:
    """The campaigns funding the project that ran on some day from a to b."""
    return sorted(c.name for c in project.campaigns
                  if c.planned_start <= b and (c.actual_end or c.planned_end) >= a)


def project_figures(session: Session, project: Project, a: dt.date, b: dt.date) -> dict:
    """A project's money, goods and households from `a` to `b` (both included)."""
    spending = session.execute(
        sa.select(FundEntry.purpose, sa.func.sum(FundEntry.amount))
        .where(FundEntry.project_id == project.id,
               FundEntry.kind == EntryKind.PROJECT_SPENDING, *in_range(a, b))
        .group_by(FundEntry.purpose).order_by(FundEntry.purpose)).all()
    sources = session.execute(
        sa.select(Campaign.name, sa.func.sum(FundEntry.amount))
        .join(Campaign, Campaign.id == FundEntry.campaign_id, isouter=True)
        .where(FundEntry.project_id == project.id,
               FundEntry.kind == EntryKind.PROJECT_SPENDING, *in_range(a, b))
        .group_by(Campaign.name).order_by(Campaign.name)).all()
    served, groups = households(session, project, a, b)
    return {
        "spending_by_purpose": [{"purpose": p or "未注明", "amount": money(v)}
                                for p, v in spending],
        "funded_by": [{"source": n or "非定向资金", "amount": money(v)} for n, v in sources],
        **income_by_source(session, project, a, b),
        "spent_total": money(sum((Decimal(v) for _p, v in spending), ZERO)),
        "goods_distributed": goods_rows(goods_distributed(session, project.id, a, b)),
        # Aggregated only: households per category, never who.
        "households_served": served,
        "households_by_category": [{"category": k, "count": v}
                                   for k, v in sorted(groups.items())],
    }
