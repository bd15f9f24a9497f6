"""Charity sales at a point: goods out, proceeds into the fund ledger as commercial income."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.auth.permissions import can, scope_points
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.core.i18n import money
from charity.core.idempotency import new_token
from charity.goods.distribution_forms import PAYMENT_LABELS, SaleForm
from charity.goods.distribution_views import counter_batches, counter_items, quantity_text
from charity.goods.documents import post_sale
from charity.goods.models import ItemType, Sale, SaleLine
from charity.orgs.models import CharityPoint
from charity.web.access import access, date_arg, int_arg, load, paginate
from charity.web.forms import choices
from charity.web.points import chosen_point, counter_points, point_label, staff_today
from charity.web.posting import post_form

bp = Blueprint("sales", __name__, url_prefix="/staff/sales")

def _describe_for_sale(item: ItemType, stock: Decimal) -> str:
    price = money(item.sale_price) if item.sale_price is not None else _("no price")
    return _("%(name)s · %(price)s/%(unit)s · %(stock)s on hand", name=item.name, price=price,
             unit=item.unit, stock=quantity_text(stock))


@bp.route("/new", methods=["GET", "POST"])
@access("goods.sell")
def sale_new():
    points = counter_points()
    form = SaleForm()
    posting = request.method == "POST"
    point = chosen_point(form.point_id.data if posting else request.args.get("point"), points,
                         "goods.sell")
    form.point_id.choices = choices((str(p.id), point_label(p)) for p in points)
    form.set_item_choices(counter_items(point, _describe_for_sale))
    if not posting:
        form.submission_token.data = new_token()
        form.point_id.data = str(point.id) if point else ""
        form.sold_on.data = org_today(point.organization) if point else staff_today()
    if posting and request.form.get("more"):
        form.add_lines()  # the typed lines stay; nothing is posted
    elif form.validate_on_submit():
        response = post_form(
            form, lambda: post_sale(current_user, db.session, point, form.data_for_service()),
            kind="sale",
            success=lambda sale: (_("Sale recorded: %(total)s.", total=money(sale.total)),
                                  url_for("sales.sale_view", sale_id=sale.id)),
            first=lambda sale_id: url_for("sales.sale_view", sale_id=sale_id),
            fallback=url_for("sales.sale_list"))
        if response:
            return response
    return render_template("goods/sale_new.html", form=form, points=points, point=point,
                           batches=counter_batches(point), point_label=point_label)


def fund_entry_url(sale: Sale) -> str | None:
    """The ledger entry of the proceeds, for users who may read the ledger."""
    if sale.fund_entry_id is None or "ledger.entry_view" not in current_app.view_functions \
            or not can(current_user, "funds.view", sale):
        return None
    return url_for("ledger.entry_view", entry_id=sale.fund_entry_id)


@bp.route("/<int:sale_id>")
@access("goods.view")
def sale_view(sale_id: int):
    sale = load(Sale, sale_id, "goods.view")
    lines = db.session.scalars(sa.select(SaleLine).where(SaleLine.sale_id == sale.id)
                               .options(selectinload(SaleLine.item_type))
                               .order_by(SaleLine.id)).all()
    return render_template("goods/sale_view.html", sale=sale, lines=lines,
                           payment_labels=PAYMENT_LABELS, entry_url=fund_entry_url(sale))


@bp.route("/")
@access("goods.view")
def sale_list():
    stmt = scope_points(current_user, sa.select(Sale), Sale.point_id, Sale.organization_id)
    args = {"point": int_arg("point"), "from": date_arg("from"), "to": date_arg("to"),
            "payment": request.args.get("payment", "")}
    if args["point"]:
        stmt = stmt.where(Sale.point_id == args["point"])
    if args["from"]:
        stmt = stmt.where(Sale.sold_on >= args["from"])
    if args["to"]:
        stmt = stmt.where(Sale.sold_on <= args["to"])
    if args["payment"] in PAYMENT_LABELS:
        stmt = stmt.where(Sale.payment_method == args["payment"])
    else:
        args["payment"] = ""
    total = db.session.scalar(stmt.with_only_columns(sa.func.coalesce(sa.func.sum(Sale.total),
                                                                      0)))
    stmt = stmt.options(selectinload(Sale.point),
                        selectinload(Sale.lines).selectinload(SaleLine.item_type))
    page = paginate(stmt.order_by(Sale.sold_on.desc(), Sale.id.desc()))
    filter_points = db.session.scalars(
        scope_points(current_user, sa.select(CharityPoint), CharityPoint.id,
                     CharityPoint.organization_id)
        .options(selectinload(CharityPoint.organization))
        .order_by(CharityPoint.organization_id, CharityPoint.name)).all()
    return render_template("goods/sale_list.html", page=page, args=args, total=Decimal(total),
                           filter_points=filter_points, payment_labels=PAYMENT_LABELS,
                           point_label=point_label)
