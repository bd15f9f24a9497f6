"""Transparency score screens: the staff view with the gaps and what fixes them; the public
ranking and each organisation's score, groups, trend and indicators."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import scope_organizations
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.orgs.models import Organization
from charity.portal import charts
from charity.web.public_page import public_page
from charity.transparency import measures, scoring
from charity.transparency.indicators import BY_ID, GROUPS, INDICATORS
from charity.transparency.public import score_data, trend_data
from charity.web.access import PUBLIC, access, query_int

bp = Blueprint("transparency", __name__)


def _stored_context(org, today) -> measures.Context:
    """The checks of `charity verify` are costly: a staff page reuses today's stored result
    (computed by the scheduler) instead of running them in the request."""
    row = next((r for r in reversed(scoring.history(db.session, org.id, days=1))), None)

    def ok(indicator_id):
        if row is None or not row.indicators.get(indicator_id, {}).get("applicable"):
            return None
        return float(row.indicators[indicator_id]["fraction"]) >= 1

    return measures.Context(db.session, today, ledgers_ok=ok("A3"), publications_ok=ok("G2"))


@bp.route("/staff/transparency")
@access("transparency.view")
def staff_score():
    orgs = list(db.session.scalars(scope_organizations(
        current_user, sa.select(Organization).where(Organization.active.is_(True)),
        Organization.id).order_by(Organization.name)))
    if not orgs:
        abort(404)
    org_id = query_int("org")
    org = next((o for o in orgs if o.id == org_id), None) if org_id else orgs[0]
    if org is None:
        abort(404)
    today = org_today(org)
    result = scoring.compute(_stored_context(org, today), org)
    return render_template("transparency/staff.html", org=org, orgs=orgs, result=result,
                           groups=GROUPS, today=today)


@bp.route("/transparency/")
@access(PUBLIC)
@public_page
def ranking():
    rows = [score_data(r) for r in scoring.latest(db.session)]
    return render_template("transparency/ranking.html", rows=rows, groups=GROUPS,
                           indicators=INDICATORS)


@bp.route("/transparency/<int:org_id>")
@access(PUBLIC)
@public_page
def org_score(org_id: int):
    history = scoring.history(db.session, org_id) if 0 < org_id < 2**31 else []
    if not history or not history[-1].organization.active:
        abort(404)
    data = score_data(history[-1])
    trend = trend_data(history)
    chart = charts.line_chart(
        _("Transparency score over time"),
        _("The score on each day it was computed; the table below gives the same figures."),
        [t["day"][5:] for t in trend],
        [charts.Series(_("Score"), [Decimal(t["score"]) for t in trend], "s1")],
        fmt=lambda v: f"{v:.2f}", axis_fmt=lambda v: f"{v:.0f}", uid="transparency-trend")
    return render_template("transparency/org.html", data=data, trend=trend, chart=chart,
                           groups=GROUPS, by_id=BY_ID,
                           timezone=current_app.config["CHARITY_TIMEZONE"])
