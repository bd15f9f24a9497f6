"""The public home page (blueprint portal) and the health check."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _

from charity.core.extensions import db
from charity.core.i18n import money, number
from charity.portal import charts
from charity.portal.opening_hours import is_open
from charity.portal.queries import figures, home as home_page
from charity.web.public_page import cached_page, public_today
from charity.web.access import PUBLIC, access

bp = Blueprint("portal", __name__)


def has_endpoint(endpoint: str) -> bool:
    """Whether another feature's page exists (some are built separately)."""
    return endpoint in current_app.view_functions


@bp.route("/")
@access(PUBLIC)
def home():
    today = public_today()
    return cached_page(
        ("home", today), lambda: home_page.home_data(db.session, today),
        lambda data: render_template(
            "portal/home.html", data=data, charts=home_charts(data),
            open_now=_open_now(data.points),
            has_points_directory=has_endpoint("public_points.point_list"),
            has_trace=has_endpoint("trace.trace")))


def _open_now(points) -> dict[int, bool | None]:
    """Open-now badges by the installation's clock (the cached page lives at most a minute)."""
    now = dt.datetime.now(ZoneInfo(current_app.config["CHARITY_TIMEZONE"]))
    return {p.id: is_open(p.opening_hours, now) for p in points}


def home_charts(data: home_page.HomeData) -> dict:
    """This year month by month: money donated and spent, goods received and handed out."""
    months = [m.month.strftime("%m") for m in data.months]
    money_title = _("Money donated and spent this year, per month (yuan)")
    # A chart draws one base unit, the one with the most goods (kilograms are never added
    # to pieces, issue 20 §2); the table below it gives every unit.
    unit = figures.leading_unit([*(m.goods_received for m in data.months),
                                 *(m.goods_distributed for m in data.months)]) or ""
    goods_title = _("Goods received and handed out this year, per month (%(unit)s)", unit=unit)
    return {
        "money_title": money_title, "goods_title": goods_title,
        "money": charts.bar_chart(
            money_title, _("Per month; the table below gives the same figures."), months,
            [charts.Series(_("Donated"), [m.donated for m in data.months], "s1"),
             charts.Series(_("Spent"), [m.spent for m in data.months], "s2")],
            fmt=money, axis_fmt=number, uid="home-money"),
        "goods": charts.bar_chart(
            goods_title, _("Per month; the table below gives the same figures."), months,
            [charts.Series(_("Received"), [m.goods_received.get(unit) for m in data.months],
                           "s3"),
             charts.Series(_("Handed out"),
                           [m.goods_distributed.get(unit) for m in data.months], "s2")],
            fmt=number, axis_fmt=number, uid="home-goods"),
    }


@bp.route("/healthz")
@access(PUBLIC)
def healthz():
    """A trivial route: load balancers poll it, benchmarks use it as their baseline."""
    return {"status": "ok"}
