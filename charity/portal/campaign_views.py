"""Public campaign and project pages: the list, and each one's plan, progress over time (as
charts with their tables), use of funds, disclosures and upcoming deadlines.

Drafts (planned, not yet running) are never shown: they answer 404 like unknown ids.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from charity.core.extensions import db
from charity.funds.models import (Campaign, CampaignStatus, FundBalance, Project,
                                  ProjectStatus)
from charity.core.i18n import money, number
from charity.orgs.models import Organization
from charity.portal import charts, page_data
from charity.web.public_page import cached_page, public_page, public_today
from charity.web.access import MAX_PAGE, PUBLIC, access, contains, query_choice, query_int

bp = Blueprint("public_campaigns", __name__)
STATUSES = ("active", "ended")
TYPES = ("campaign", "project")


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


def _status_case(column, active_value):
    return sa.case((column == active_value, sa.literal_column("'active'")),
                   else_=sa.literal_column("'ended'"))


def _subjects():
    """Campaigns and projects as one selectable: running or ended, never drafts."""
    campaigns = sa.select(
        sa.literal_column("'campaign'", sa.String).label("type"), Campaign.id, Campaign.name,
        Campaign.organization_id, _status_case(Campaign.status, CampaignStatus.ACTIVE)
        .label("status"), Campaign.planned_start.label("start"),
        sa.func.coalesce(Campaign.actual_end, Campaign.planned_end).label("end"),
        Campaign.target_amount.label("target"), Campaign.purpose.label("summary"),
    ).where(Campaign.status != CampaignStatus.PLANNED)
    projects = sa.select(
        sa.literal_column("'project'", sa.String).label("type"), Project.id, Project.name,
        Project.organization_id, _status_case(Project.status, ProjectStatus.ACTIVE)
        .label("status"), Project.planned_start.label("start"),
        sa.func.coalesce(Project.actual_end, Project.planned_end).label("end"),
        Project.budget.label("target"), Project.content.label("summary"),
    ).where(Project.status != ProjectStatus.PLANNED)
    return sa.union_all(campaigns, projects).subquery("subject")


@bp.route("/campaigns/")
@access(PUBLIC)
@public_page
def campaign_list():
    org_id = query_int("org")
    status = query_choice("status", STATUSES)
    kind = query_choice("type", TYPES)
    page_no = query_int("page", 1, maximum=MAX_PAGE)
    q = request.args.get("q", "").strip()[:100]
    s = _subjects()
    where = []
    if org_id:
        where.append(s.c.organization_id == org_id)
    if status:
        where.append(s.c.status == status)
    if kind:
        where.append(s.c.type == kind)
    if q:
        where.append(sa.or_(contains(s.c.name, q), contains(s.c.summary, q)))
    per_page = current_app.config["CHARITY_PAGE_SIZE"]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(s).where(*where))
    rows = db.session.execute(
        sa.select(s.c.type, s.c.id, s.c.name, s.c.status, s.c.start, s.c.end, s.c.target,
                  Organization.name.label("organization"),
                  sa.func.coalesce(FundBalance.donation_income, 0).label("raised"),
                  sa.func.coalesce(FundBalance.spent_projects, 0).label("spent"))
        .join(Organization, Organization.id == s.c.organization_id)
        .outerjoin(FundBalance, sa.and_(FundBalance.scope == s.c.type,
                                        FundBalance.scope_id == s.c.id))
        .where(*where)
        .order_by(s.c.status, s.c.start.desc(), s.c.type, s.c.id.desc())
        .limit(per_page).offset((page_no - 1) * per_page)).all()
    orgs = db.session.execute(sa.select(Organization.id, Organization.name)
                              .order_by(Organization.name)).all()
    return render_template("portal/campaigns/list.html",
                           page=Page(rows, page_no, per_page, total or 0), orgs=orgs,
                           org_id=org_id, status=status, kind=kind, q=q,
                           percent=charts.percent)


# --- one campaign or project ------------------------------------------------------------------

def _month_label(month) -> str:
    return month.strftime("%Y-%m")


def build_charts(page: page_data.SubjectPage) -> dict:
    """The two charts of a page: money over time (cumulative lines) and goods per month."""
    months = [_month_label(p.month) for p in page.series]
    received = [p.received_cumulative for p in page.series]
    spent = [p.spent_cumulative for p in page.series]
    if page.kind == "campaign":
        goods = [p.goods_received for p in page.series]
        goods_name = _("Donated goods received")
    else:
        goods = [p.goods_distributed for p in page.series]
        goods_name = _("Goods distributed")
    money_title = _("Money over time (cumulative, yuan)")
    money_chart = charts.line_chart(
        money_title,
        _("Cumulative money received and spent, month by month; the table below gives "
          "the same figures."),
        months, [charts.Series(_("Money received"), received, "s1"),
                 charts.Series(_("Spent"), spent, "s2")],
        fmt=money, axis_fmt=number, uid=f"{page.kind}-money")
    goods_title = _("%(what)s per month (pieces and portions as counted)", what=goods_name)
    goods_chart = charts.bar_chart(
        goods_title,
        _("Quantity per month, all units together; the table below gives the same figures."),
        months, [charts.Series(goods_name, goods, "s3")], fmt=number, axis_fmt=number,
        uid=f"{page.kind}-goods")
    return {"money": money_chart, "money_title": money_title, "goods": goods_chart,
            "goods_title": goods_title, "goods_name": goods_name}


def _subject_view(model, draft, builder, template: str, subject_id: int):
    """A campaign's or project's page from cached data; unknown or draft → 404."""
    today = public_today()

    def compute():
        subject = db.session.get(model, subject_id) if 0 < subject_id < 2**31 else None
        if subject is None or subject.status == draft:
            abort(404)  # raised inside the cache: nothing is stored for unknown ids
        return builder(db.session, subject, today)

    def render(page):
        return render_template(template, page=page, info=page.info, charts=build_charts(page))

    return cached_page((model.__tablename__, subject_id, today), compute, render)


@bp.route("/campaigns/<int:campaign_id>")
@access(PUBLIC)
def campaign_view(campaign_id: int):
    return _subject_view(Campaign, CampaignStatus.PLANNED, page_data.campaign_page,
                         "portal/campaigns/campaign.html", campaign_id)


@bp.route("/projects/<int:project_id>")
@access(PUBLIC)
def project_view(project_id: int):
    return _subject_view(Project, ProjectStatus.PLANNED, page_data.project_page,
                         "portal/campaigns/project.html", project_id)
