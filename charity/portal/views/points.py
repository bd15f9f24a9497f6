"""Public directory of charity points: the list (by district and kind, searchable) and each
point's page (hours, what it accepts, needs now and has on its shelves)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from charity.core.extensions import db
from charity.portal.opening_hours import open_now, open_now_map
from charity.portal.queries import points as directory
from charity.web.public_page import public_page
from charity.web.access import PUBLIC, access, paginate, query_choice

bp = Blueprint("public_points", __name__, url_prefix="/points")


@bp.route("/")
@access(PUBLIC)
@public_page
def point_list():
    districts = directory.districts(db.session)
    # Any district name is a valid filter: a shared link to a district whose points have all
    # closed shows an empty list, not an error.
    district = request.args.get("district", "").strip()[:100] or None
    kind = query_choice("kind", directory.KINDS)
    q = request.args.get("q", "").strip()[:100]
    page = paginate(directory.public_points_stmt(district, kind, q))
    return render_template("portal/points/list.html", page=page, districts=districts,
                           district=district or "", kind=kind or "", q=q,
                           open_now=open_now_map(page.items))


@bp.route("/<int:point_id>")
@access(PUBLIC)
@public_page
def point_view(point_id: int):
    point = directory.public_point(db.session, point_id) or abort(404)
    info = directory.point_page(db.session, point)
    return render_template("portal/points/view.html", info=info, point=point,
                           open_now=open_now(point))
