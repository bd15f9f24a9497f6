"""Find as you type at the counter: small JSON answers for the counter forms' search boxes
(static/js/lookup.js). Scoped like the forms: only a point the user works at, only its
organisation's items and households, and of a household only what the counter form shows
(name, community, points left) — never a phone, an ID number or an address."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _

from charity.core.extensions import db
from charity.goods.queries.catalogue import search_items
from charity.goods.queries.counter import find_households
from charity.people.queries import points_left
from charity.web.access import access
from charity.web.points import chosen_point, counter_points, staff_today

bp = Blueprint("lookup", __name__, url_prefix="/staff/lookup")


def _point_and_query(permission: str):
    point = chosen_point(request.args.get("point"), counter_points(), permission)
    return point, request.args.get("q", "").strip()[:100]


@bp.route("/items")
@access("goods.view")
def items():
    point, q = _point_and_query("goods.view")
    found = search_items(db.session, point.organization_id, q) if point else []
    return jsonify(q=q, results=[{"id": i.id, "name": i.name, "unit": i.unit,
                                  "barcode": i.barcode or ""} for i in found])


@bp.route("/households")
@access("goods.distribute")
def households():
    point, q = _point_and_query("goods.distribute")
    found = find_households(db.session, point, q)
    left = points_left(found, staff_today(point.organization)) if found else {}
    return jsonify(q=q, results=[{
        "id": b.id, "name": b.name, "community": b.community or "", "active": b.active,
        "points_left": left.get(b.id, 0),
        "points_text": _("%(n)d points left", n=left.get(b.id, 0)),
        "url": url_for("distributions.distribution_new", point=point.id, beneficiary=b.id),
    } for b in found])
