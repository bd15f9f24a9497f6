"""Transparency score screens: the staff view with the gaps and what fixes them; the public
ranking and each organisation's score, groups, trend and indicators."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from charity.core.clock import org_today
from charity.core.extensions import db
from charity.portal import charts
from charity.transparency import queries, scoring
from charity.transparency.indicators import BY_ID, GROUPS, INDICATORS
from charity.transparency.serialise import score_data, trend_data
from charity.web.access import PUBLIC, access, query_int
from charity.web.nav import obligation_label
from charity.web.public_page import public_page

bp = Blueprint("transparency", __name__)


@bp.route("/staff/transparency")
@access("transparency.view")
def staff_score():
    orgs = queries.staff_organisations(db.session, current_user)
    if not orgs:
        abort(404)
    org_id = query_int("org")
    org = next((o for o in orgs if o.id == org_id), None) if org_id else orgs[0]
    if org is None:
        abort(404)
    today = org_today(org)
    context = scoring.stored_context(
        db.session, org, today, obligation_label=obligation_label,
        open_data="api.campaigns" in current_app.view_functions)
    return render_template("transparency/staff.html", org=org, orgs=orgs,
                           result=scoring.compute(context, org), groups=GROUPS, today=today)


@bp.route("/transparency/")
@access(PUBLIC)
@public_page
def ranking():
    rows = [score_data(r) for r in queries.latest(db.session)]
    return render_template("transparency/ranking.html", rows=rows, groups=GROUPS,
                           indicators=INDICATORS)


def _trend_chart(trend: list[dict]):
    return charts.line_chart(
        _("Transparency score over time"),
        _("The score on each day it was computed; the table below gives the same figures."),
        [t["day"][5:] for t in trend],
        [charts.Series(_("Score"), [Decimal(t["score"]) for t in trend], "s1")],
        fmt=lambda v: f"{v:.2f}", axis_fmt=lambda v: f"{v:.0f}", uid="transparency-trend")


@bp.route("/transparency/<int:org_id>")
@access(PUBLIC)
@public_page
def org_score(org_id: int):
    history = queries.public_history(db.session, org_id) or abort(404)
    trend = trend_data(history)
    return render_template("transparency/org.html", data=score_data(history[-1]), trend=trend,
                           chart=_trend_chart(trend), groups=GROUPS, by_id=BY_ID,
                           timezone=current_app.config["CHARITY_TIMEZONE"])
