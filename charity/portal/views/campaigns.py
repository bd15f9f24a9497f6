"""Public campaign and project pages: the list, and each one's plan, progress over time (as
charts with their tables), use of funds, disclosures and upcoming deadlines.

Drafts (planned, not yet running) are never shown: they answer 404 like unknown ids.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from charity.core.extensions import db
from charity.core.i18n import money, number
from charity.funds.models import Campaign, CampaignStatus, Project, ProjectStatus
from charity.portal import charts
from charity.portal.queries import figures, subjects
from charity.portal.queries.disclosures import organisation_choices
from charity.web.access import MAX_PAGE, PUBLIC, access, query_choice, query_int
from charity.web.public_page import cached_page, public_page, public_today

bp = Blueprint("public_campaigns", __name__)
STATUSES = ("active", "ended")
TYPES = ("campaign", "project")


@bp.route("/campaigns/")
@access(PUBLIC)
@public_page
def campaign_list():
    org_id = query_int("org")
    status = query_choice("status", STATUSES)
    kind = query_choice("type", TYPES)
    page_no = query_int("page", 1, maximum=MAX_PAGE)
    q = request.args.get("q", "").strip()[:100]
    page = subjects.subject_list(db.session, page=page_no,
                                 per_page=current_app.config["CHARITY_PAGE_SIZE"],
                                 organization_id=org_id, status=status, kind=kind, q=q)
    return render_template("portal/campaigns/list.html", page=page,
                           orgs=organisation_choices(db.session), org_id=org_id, status=status,
                           kind=kind, q=q, percent=charts.percent)


def build_charts(page: subjects.SubjectPage) -> dict:
    """The two charts of a page: money over time (cumulative lines) and goods per month."""
    months = [p.month.strftime("%Y-%m") for p in page.series]
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
    # One base unit, the one with the most goods: kilograms are never added to pieces
    # (issue 20 §2); the table below the chart gives every unit.
    unit = figures.leading_unit(goods) or ""
    goods_title = _("%(what)s per month (%(unit)s)", what=goods_name, unit=unit)
    goods_chart = charts.bar_chart(
        goods_title,
        _("Quantity per month in %(unit)s; the table below gives every unit.", unit=unit),
        months, [charts.Series(goods_name, [g.get(unit) for g in goods], "s3")],
        fmt=number, axis_fmt=number,
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
    return _subject_view(Campaign, CampaignStatus.PLANNED, subjects.campaign_page,
                         "portal/campaigns/campaign.html", campaign_id)


@bp.route("/projects/<int:project_id>")
@access(PUBLIC)
def project_view(project_id: int):
    return _subject_view(Project, ProjectStatus.PLANNED, subjects.project_page,
                         "portal/campaigns/project.html", project_id)
