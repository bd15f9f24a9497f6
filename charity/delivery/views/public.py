"""The `public_deliveries` blueprint: deliveries by month and community — counts only, no
names and no addresses."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from charity.complaints.stats import window as year_window
from charity.core.clock import today_in
from charity.core.extensions import db
from charity.delivery.queries import monthly_counts
from charity.web.access import PUBLIC, access, query_int
from charity.web.public_page import public_page

bp = Blueprint("public_deliveries", __name__)


@bp.route("/deliveries/stats")
@access(PUBLIC)
@public_page
def stats():
    year = query_int("year", None, minimum=1900, maximum=2100)
    start, end = year_window(year, today_in(current_app.config["CHARITY_TIMEZONE"]))
    return render_template("delivery/public_stats.html", start=start, end=end, year=year,
                           rows=monthly_counts(db.session, start, end))
