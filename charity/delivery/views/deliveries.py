"""The `deliveries` blueprint (staff): the list, a new order, an order with its steps
(packed, out for delivery, delivered with the household's code, or failed with a reason)."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.delivery import queries, services
from charity.delivery.forms import DeliverForm, DeliveryForm, FailForm, StepForm
from charity.delivery.models import DeliveryStatus
from charity.delivery.views.common import load_delivery, private_view
from charity.goods.quantities import quantity_text
from charity.goods.queries.counter import counter_items
from charity.web.access import access, date_arg, paginate, query_choice
from charity.web.forms import choices
from charity.web.points import chosen_point, counter_points, point_label, staff_today
from charity.web.steps import add_step_routes, post_step

bp = Blueprint("deliveries", __name__, url_prefix="/staff/deliveries")

STATUS_LABELS = {DeliveryStatus.RESERVED: _l("Ordered, stock reserved"),
                 DeliveryStatus.PACKED: _l("Packed"),
                 DeliveryStatus.OUT: _l("Out for delivery"),
                 DeliveryStatus.DELIVERED: _l("Delivered"), DeliveryStatus.FAILED: _l("Failed")}


@bp.route("")
@access("delivery.view")
def delivery_list():
    status, day = query_choice("status", [s.value for s in DeliveryStatus]), date_arg("day")
    page = paginate(queries.delivery_list(current_user, status, day))
    return render_template("delivery/list.html", page=page, status=status, day=day,
                           statuses=STATUS_LABELS,
                           can_order=can(current_user, "delivery.manage"))


def _detail_url(delivery_id: int) -> str:
    return url_for("deliveries.delivery_detail", delivery_id=delivery_id)


def _describe(item, stock) -> str:
    return _("%(name)s · %(points)d points/%(unit)s · %(stock)s on hand", name=item.name,
             points=item.point_price, unit=item.unit, stock=quantity_text(stock.available))


def _offer(form: DeliveryForm, posting: bool):
    """The point (posted, named in the address, or the user's first), and the choices of
    the form: that point's items, households with a delivery need, who may deliver."""
    points = counter_points()
    point = chosen_point(form.point_id.data if posting else request.args.get("point"), points,
                         "delivery.manage")
    form.point_id.choices = choices((str(p.id), point_label(p)) for p in points)
    form.set_item_choices((str(item.id), _describe(item, stock))
                          for item, stock in counter_items(db.session, point))
    if not posting:
        form.point_id.data = str(point.id) if point else ""
    return point


@bp.route("/new", methods=["GET", "POST"])
@access("delivery.manage")
def delivery_new():
    form = DeliveryForm()
    posting = form.is_submitted()
    point = _offer(form, posting)
    org_id = point.organization_id if point else None
    form.beneficiary_id.choices = choices([("", "—")] + [
        (str(b.id), f"{b.name}（{b.community}）" if b.community else b.name)
        for b in queries.households_in_need(db.session, current_user, org_id)])
    form.assigned_to_id.choices = choices([("", "—")] + [
        (str(u.id), u.display_name) for u in (queries.couriers(db.session, point)
                                               if point else [])])
    if not posting:
        form.planned_on.data = org_today(point.organization) if point else staff_today()
        form.beneficiary_id.data = request.args.get("beneficiary", "")
    def page():
        return render_template("delivery/new.html", form=form, point=point)

    if point is None:
        return page()
    if posting and request.form.get("more"):
        form.add_lines()  # the typed lines stay; nothing is posted
        return page()
    return post_step(form, lambda: services.create_delivery(current_user, db.session, point,
                                                            form.data_for_service()),
                     done=_("Delivery ordered; the goods are reserved."), target=_detail_url,
                     first=_detail_url, kind="delivery", refused=page,
                     fallback=url_for("deliveries.delivery_list"))


def _render_detail(delivery, forms: dict | None = None, status: int = 200):
    forms = dict(forms or {})
    if delivery.is_open and can(current_user, "delivery.work", delivery):
        steps = {DeliveryStatus.RESERVED: ("pack",), DeliveryStatus.PACKED: ("dispatch",),
                 DeliveryStatus.OUT: ("deliver",)}[delivery.status] + ("fail",)
        for name in steps:
            forms.setdefault(name, STEPS[name][0](prefix=name, formdata=None))
    return render_template(
        "delivery/detail.html", delivery=delivery, forms=forms, statuses=STATUS_LABELS,
        private=private_view([delivery]).get(delivery.id),
        show_code=can(current_user, "delivery.manage", delivery)), status


@bp.route("/<int:delivery_id>")
@access("delivery.view")
def delivery_detail(delivery_id: int):
    return _render_detail(load_delivery(delivery_id))


# The steps: the form, the service call, what to say when done.
STEPS = {
    "pack": (StepForm, lambda d, form: services.pack(current_user, db.session, d),
             _l("Marked as packed.")),
    "dispatch": (StepForm, lambda d, form: services.dispatch(current_user, db.session, d),
                 _l("Out for delivery.")),
    "deliver": (DeliverForm, lambda d, form: services.deliver(current_user, db.session, d,
                                                              form.code.data),
                _l("Delivered: the goods are handed out and the points deducted.")),
    "fail": (FailForm, lambda d, form: services.fail(current_user, db.session, d,
                                                     form.reason.data),
             _l("Recorded as failed; the reserved goods are back on the shelf.")),
}


def _step(delivery_id: int, name: str):
    """Post one step's form; its refusal is shown on the order's page. From the phone view
    (next=today) the volunteer goes back to the day's list."""
    form_cls, run, done = STEPS[name]
    delivery = load_delivery(delivery_id, "delivery.work")
    form = form_cls(prefix=name)
    target = (url_for("delivery_sheets.today") if request.form.get("next") == "today"
              else _detail_url(delivery.id))
    return post_step(form, lambda: run(delivery, form), done=str(done), target=target,
                     first=_detail_url, kind="delivery",
                     refused=lambda: _render_detail(delivery, {name: form}, 400))


add_step_routes(bp, STEPS, "delivery.work", "delivery_id", "delivery_{}", _step)
