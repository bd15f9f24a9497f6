"""What the public campaign and project pages show: the list of both (filtered and paged as
one), and each one's plan, money, use of funds, goods, disclosures and open deadlines.

Drafts (planned, not yet running) are never listed or shown. A page's data is plain (no ORM
objects): the view caches it in the process (`charity.web.page_cache`).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.db import contains
from charity.disclosure.models import Obligation
from charity.disclosure.queries import goods_distributed, goods_received, of_project
from charity.funds.models import (Campaign, CampaignStatus, EntryKind, FundBalance, FundEntry,
                                  Project, ProjectStatus, project_campaign)
from charity.goods.models import Distribution, DocStatus
from charity.orgs.models import Organization
from charity.portal.charts import percent
from charity.portal.queries import figures
from charity.portal.queries.disclosures import DisclosureRow, latest_disclosures

ZERO = Decimal("0")
OPEN_STATUSES = ("upcoming", "due", "overdue")
BALANCE_FIGURES = ("donation_income", "commercial_income", "spent_projects", "spent_other",
                   "fundraising_costs", "transfers_in", "transfers_out")


# --- the list ---------------------------------------------------------------------------------

@dataclass
class Page:
    """What the `pager` macro needs, for a list that is not a single ORM query."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _listed(model, kind: str, active, planned, target, summary):
    """One kind of subject in the list's shape: running or ended, never drafts."""
    status = sa.case((model.status == active, sa.literal_column("'active'")),
                     else_=sa.literal_column("'ended'"))
    return sa.select(
        sa.literal_column(f"'{kind}'", sa.String).label("type"), model.id, model.name,
        model.organization_id, status.label("status"), model.planned_start.label("start"),
        sa.func.coalesce(model.actual_end, model.planned_end).label("end"),
        target.label("target"), summary.label("summary"),
    ).where(model.status != planned)


def _subjects():
    """Campaigns and projects as one selectable."""
    return sa.union_all(
        _listed(Campaign, "campaign", CampaignStatus.ACTIVE, CampaignStatus.PLANNED,
                Campaign.target_amount, Campaign.purpose),
        _listed(Project, "project", ProjectStatus.ACTIVE, ProjectStatus.PLANNED,
                Project.budget, Project.content),
    ).subquery("subject")


def subject_list(session: Session, *, page: int, per_page: int,
                 organization_id: int | None = None, status: str | None = None,
                 kind: str | None = None, q: str = "") -> Page:
    """A page of campaigns and projects with their organisation, money raised and spent on
    projects: running ones first, then the newest; filtered by organisation, status
    (active, ended), type (campaign, project) and words of the name or summary."""
    s = _subjects()
    where = []
    if organization_id:
        where.append(s.c.organization_id == organization_id)
    if status:
        where.append(s.c.status == status)
    if kind:
        where.append(s.c.type == kind)
    if q:
        where.append(sa.or_(contains(s.c.name, q), contains(s.c.summary, q)))
    total = session.scalar(sa.select(sa.func.count()).select_from(s).where(*where))
    rows = session.execute(
        sa.select(s.c.type, s.c.id, s.c.name, s.c.status, s.c.start, s.c.end, s.c.target,
                  Organization.name.label("organization"),
                  sa.func.coalesce(FundBalance.donation_income, 0).label("raised"),
                  sa.func.coalesce(FundBalance.spent_projects, 0).label("spent"))
        .join(Organization, Organization.id == s.c.organization_id)
        .outerjoin(FundBalance, sa.and_(FundBalance.scope == s.c.type,
                                        FundBalance.scope_id == s.c.id))
        .where(*where)
        .order_by(s.c.status, s.c.start.desc(), s.c.type, s.c.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows, page, per_page, total or 0)


# --- one campaign or project ------------------------------------------------------------------

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


def public_status(status) -> str:
    """active or ended (never shown: planned, i.e. a draft)."""
    value = getattr(status, "value", status)
    return {"active": "active", "ended": "ended", "closed": "ended"}.get(value, "planned")


def _info(session: Session, subject, fields: tuple[str, ...]) -> tuple[dict, Organization]:
    org = session.get(Organization, subject.organization_id)
    info = {c: getattr(subject, c) for c in fields}
    info.update(status=public_status(subject.status), organization=org.name,
                organization_id=org.id)
    return info, org


def _balance(session: Session, scope: str, scope_id: int) -> dict:
    """The fund balance's figures; "used" and "remaining" as the balance defines them."""
    row = session.scalar(sa.select(FundBalance).where(FundBalance.scope == scope,
                                                      FundBalance.scope_id == scope_id))
    out = {n: Decimal(getattr(row, n)) if row is not None else ZERO for n in BALANCE_FIGURES}
    out["used"] = row.used if row is not None else ZERO
    out["remaining"] = row.remaining if row is not None else ZERO
    return out


def _links(session: Session, model, planned, link_column, subject_column,
           subject_id: int) -> tuple[Link, ...]:
    """The campaigns of a project, or the projects of a campaign (no drafts), by name."""
    return tuple(Link(i, n, public_status(s)) for i, n, s in session.execute(
        sa.select(model.id, model.name, model.status)
        .join(project_campaign, link_column == model.id)
        .where(subject_column == subject_id, model.status != planned).order_by(model.name)))


def _page(session: Session, kind: str, subject_id: int, **parts) -> SubjectPage:
    """The page with what both kinds show the same way: disclosures and open deadlines."""
    deadlines = tuple(Deadline(*row) for row in session.execute(
        sa.select(Obligation.kind, Obligation.seq, Obligation.due, Obligation.status)
        .where(Obligation.subject_type == kind, Obligation.subject_id == subject_id,
               Obligation.status.in_(OPEN_STATUSES))
        .order_by(Obligation.due).limit(6)))
    return SubjectPage(kind=kind, deadlines=deadlines, disclosures=latest_disclosures(
        session, 50, subject_type=kind, subject_id=subject_id), **parts)


def campaign_page(session: Session, campaign: Campaign, today: dt.date) -> SubjectPage:
    info, org = _info(session, campaign, (
        "id", "name", "purpose", "region", "donation_methods", "bank_account", "beneficiaries",
        "intended_use", "cost_budget", "leftover_plan", "filing_no", "filing_date",
        "planned_start", "planned_end", "actual_end", "target_amount", "goods_wanted",
        "emergency"))
    info["fundraising_cert_no"] = org.fundraising_cert_no
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
    return _page(
        session, "campaign", campaign.id, info=info, balance=balance,
        series=tuple(figures.campaign_series(session, campaign, today)), use=tuple(use),
        funded_by=(), goods=tuple(GoodsRow(*g) for g in goods_received(session, campaign.id)),
        households=0,
        links=_links(session, Project, ProjectStatus.PLANNED, project_campaign.c.project_id,
                     project_campaign.c.campaign_id, campaign.id))


def project_page(session: Session, project: Project, today: dt.date) -> SubjectPage:
    info, _org = _info(session, project, (
        "id", "name", "content", "area", "beneficiary_groups", "planned_start", "planned_end",
        "actual_end", "budget", "leftover_property", "leftover_handling"))
    spending = [FundEntry.project_id == project.id, FundEntry.kind == EntryKind.PROJECT_SPENDING]
    use = tuple(Amount(p or "", Decimal(a)) for p, a in session.execute(
        sa.select(FundEntry.purpose, sa.func.sum(FundEntry.amount)).where(*spending)
        .group_by(FundEntry.purpose).order_by(FundEntry.purpose)) if a)
    funded_by = tuple(Amount(n or "", Decimal(a), cid) for cid, n, a in session.execute(
        sa.select(Campaign.id, Campaign.name, sa.func.sum(FundEntry.amount))
        .outerjoin(Campaign, Campaign.id == FundEntry.campaign_id).where(*spending)
        .group_by(Campaign.id, Campaign.name).order_by(Campaign.name)) if a)
    households = session.scalar(sa.select(sa.func.count(sa.distinct(
        Distribution.beneficiary_id))).where(of_project(project.id),
                                             Distribution.status == DocStatus.POSTED))
    balance = _balance(session, "project", project.id)
    info["percent"] = percent(balance["spent_projects"], project.budget)
    return _page(
        session, "project", project.id, info=info, balance=balance,
        series=tuple(figures.project_series(session, project, today)), use=use,
        funded_by=funded_by,
        goods=tuple(GoodsRow(*g) for g in goods_distributed(session, project.id)),
        households=int(households or 0),
        links=_links(session, Campaign, CampaignStatus.PLANNED, project_campaign.c.campaign_id,
                     project_campaign.c.project_id, project.id))
