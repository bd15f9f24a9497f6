"""The in-store screen (大屏) of a charity point: /display/points/<id>, full screen, no
sign-in, read-only, for the TV in the supermarket. It refreshes itself (static/js/display.js
fetches the page again and swaps its content; while the network is down it keeps the last
figures and says since when). No personal data: counts and sums only."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from markupsafe import Markup

from charity.core.extensions import db
from charity.portal.queries import display as screen
from charity.portal.queries import points as directory
from charity.reports.qr import qr_svg
from charity.web.access import PUBLIC, access
from charity.web.public_page import public_page
from charity.web.public_url import public_url

bp = Blueprint("display", __name__, url_prefix="/display")
REFRESH_SECONDS = 60


@bp.route("/points/<int:point_id>")
@access(PUBLIC)
@public_page
def point_screen(point_id: int):
    point = directory.public_point(db.session, point_id) or abort(404)
    data = screen.display_data(db.session, point)
    # Phones in the shop scan these to read the disclosure itself.
    qr = {d.id: Markup(qr_svg(public_url("disclosures.publication_view", pub_id=d.id),
                              title=d.title))
          for d in data.disclosures}
    return render_template("portal/display/point.html", data=data, qr=qr,
                           refresh=REFRESH_SECONDS)
