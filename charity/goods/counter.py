"""What the counter screens (distribution, sale, write-off, transfer, stocktake, and the
time bank's and the boxes' pages at the same counter) and the document lists share: the point
a form is for, its first filling, its buttons, the items it offers, and the lists' filters
(point and dates; status and point)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _

from charity.core.clock import org_today
from charity.core.extensions import db
from charity.goods.quantities import plain_qty, quantity_text
from charity.goods.queries.catalogue import catalogue_items, item_units
from charity.goods.queries.counter import ShelfStock, counter_items, items_on_shelf
from charity.goods.queries.expiry import expiring_soon, warning_days
from charity.orgs.models import CharityPoint
from charity.web.access import date_arg, int_arg
from charity.web.forms import choices
from charity.web.points import (
    chosen_point,
    counter_points,
    offered,
    point_label,
    visible_points,
)


@dataclass
class Counter:
    """The counter a form is filled in at: where the user works and the point chosen."""

    points: list[CharityPoint]
    point: CharityPoint | None
    posting: bool


def open_counter(form, permission: str, describe=None) -> Counter:
    """The point the form names (posted) or the address names (403 outside the user's
    scope), else the user's first; a form opened afresh gets its token and the point. With
    `describe`, the form's lines offer the items (`counter_item_choices`)."""
    points = counter_points()
    posting = request.method == "POST"
    point = chosen_point(form.point_id.data if posting else request.args.get("point"), points,
                         permission)
    form.point_id.choices = choices((str(p.id), point_label(p)) for p in points)
    if describe is not None:
        form.set_item_choices(counter_item_choices(point, describe),
                              item_units(db.session, [point.organization_id] if point else []))
    if not posting:
        form.point_id.data = str(point.id) if point else ""
    return Counter(points, point, posting)


def pressed(button: str) -> bool:
    """A posted form's button that only shows the form again (nothing is posted)."""
    return request.method == "POST" and bool(request.form.get(button))


def counter_item_choices(point: CharityPoint | None, describe) -> list[tuple[str, str]]:
    """The items a counter form offers, those with stock expiring soon first, then those on
    the point's shelf, each labelled by `describe(item, shelf stock)` (a
    `charity.goods.queries.counter.ShelfStock`: expired batches are not counted)."""
    return [(str(item.id), describe(item, stock))
            for item, stock in counter_items(db.session, point)]


def soon_note(stock: ShelfStock) -> str:
    """What an item label adds when some of its stock expires within the warning window."""
    if not stock.soon or stock.soonest is None:
        return ""
    return " · " + _("%(qty)s expire by %(day)s: hand out first", qty=quantity_text(stock.soon),
                     day=stock.soonest.isoformat())


def expiry_context(point: CharityPoint | None) -> dict:
    """What the hand-out screens (distribution, sale) show about expiry dates: the batches
    expiring within the organisation's warning window, to be handed out first."""
    if point is None:
        return {"soon": [], "warning_days": None, "soon_quantity": quantity_text}
    org = point.organization
    days = warning_days(org)
    return {"soon": expiring_soon(db.session, point.id, org_today(org), days),
            "warning_days": days, "soon_quantity": quantity_text}


def shelf_item_choices(org_ids, point_id: int | None = None, on=None):
    """Active items of the organisations; at a point, only those on its shelf, with the
    quantity on hand — with `on` (a day), only what is within its expiry date then (what a
    transfer may send)."""
    if point_id is not None:
        pairs = [(str(item.id), _("%(name)s (%(unit)s) — %(qty)s on hand", name=item.name,
                                  unit=item.unit, qty=plain_qty(qty)))
                 for item, qty in items_on_shelf(db.session, point_id, on)]
    else:
        pairs = [(str(i.id), f"{i.name} ({i.unit})") for i in catalogue_items(db.session, org_ids)]
    return choices([("", _("— item —"))] + pairs)


def status_and_point(labels: dict) -> tuple[str, int | None, list[CharityPoint], int | None]:
    """A list's status and point filters from the address: the status as asked, the status
    to filter by (one of `labels`, else None), the points the user may filter by (open or
    closed) and the point id chosen."""
    status = request.args.get("status", "")
    points = visible_points("goods.view", active_only=False)
    point = offered(request.args.get("point"), points)
    return status, status if status in labels else None, points, point.id if point else None


def list_filters(**more) -> dict:
    """The filters of a document list from the address: point, from, to, and `more`."""
    return {"point": int_arg("point"), "from": date_arg("from"), "to": date_arg("to"), **more}
