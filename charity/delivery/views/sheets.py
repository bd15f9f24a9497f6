"""The `delivery_sheets` blueprint: a day's packing list and route sheet (A4, grouped by
community, printed from the browser) and a volunteer's deliveries of today on the phone.

Addresses and phone numbers appear only on the rows of the deliveries the reader is
assigned to, or to a manager (`services.may_see_address`): a volunteer printing the route
sheet sees the others' rows without them."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.extensions import db
from charity.delivery import queries
from charity.delivery.forms import DeliverForm, FailForm, StepForm
from charity.delivery.views.common import private_view
from charity.web.access import access, date_arg
from charity.web.points import staff_today

bp = Blueprint("delivery_sheets", __name__, url_prefix="/staff/deliveries")


def _sheet(template: str, mine_only: bool, **extra):
    day = date_arg("day") or staff_today()
    deliveries = queries.day_sheet(db.session, current_user, day, mine_only)
    return render_template(template, day=day, groups=queries.by_community(deliveries),
                           total=len(deliveries), private=private_view(deliveries), **extra)


@bp.route("/packing")
@access("delivery.view")
def packing_list():
    """What to pack for the day, order by order."""
    return _sheet("delivery/sheet.html", False, kind="packing")


@bp.route("/route")
@access("delivery.view")
def route_sheet():
    """The day's round by community, with the addresses the reader may see."""
    return _sheet("delivery/sheet.html", False, kind="route")


@bp.route("/today")
@access("delivery.work")
def today():
    """A volunteer's deliveries of today, one card each, with the step to take next (a
    manager sees every delivery of the day in scope)."""
    mine_only = not can(current_user, "delivery.manage")
    forms = {"pack": StepForm(prefix="pack", formdata=None),
             "dispatch": StepForm(prefix="dispatch", formdata=None),
             "deliver": DeliverForm(prefix="deliver", formdata=None),
             "fail": FailForm(prefix="fail", formdata=None)}
    return _sheet("delivery/today.html", mine_only, forms=forms)
