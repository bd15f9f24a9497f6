"""Charity sales at a point: the counter form, the sale and its ledger entry, the list."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.core.clock import org_today
from charity.core.extensions import db
from charity.core.i18n import money
from charity.goods.forms.counter import PAYMENT_LABELS, SaleForm
from charity.goods.models import ItemType, Sale
from charity.goods.quantities import quantity_text
from charity.goods.queries.counter import ShelfStock, counter_batches
from charity.goods.queries.lists import filter_points, lines_of, sale_list as listed_sales
from charity.goods.services.sales import post_sale
from charity.goods.counter import (expiry_context, list_filters, open_counter, pressed,
                                         soon_note)
from charity.goods.views.links import other_feature_url
from charity.web.access import access, load, paginate
from charity.web.points import point_label, staff_today
from charity.web.posting import post_form

bp = Blueprint("sales", __name__, url_prefix="/staff/sales")


def _describe(item: ItemType, stock: ShelfStock) -> str:
    price = money(item.sale_price) if item.sale_price is not None else _("no price")
    return _("%(name)s · %(price)s/%(unit)s · %(stock)s on hand", name=item.name, price=price,
             unit=item.unit, stock=quantity_text(stock.available)) + soon_note(stock)


@bp.route("/new", methods=["GET", "POST"])
@access("goods.sell")
def sale_new():
    form = SaleForm()
    counter = open_counter(form, "goods.sell", describe=_describe)
    point = counter.point
    if not counter.posting:
        form.sold_on.data = org_today(point.organization) if point else staff_today()
    if pressed("more"):
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
    return render_template("goods/sale_new.html", form=form, points=counter.points, point=point,
                           batches=counter_batches(db.session, point), point_label=point_label,
                           **expiry_context(point))


@bp.route("/<int:sale_id>")
@access("goods.view")
def sale_view(sale_id: int):
    sale = load(Sale, sale_id, "goods.view")
    # The ledger entry of the proceeds, for users who may read the ledger.
    entry_url = other_feature_url(sale.fund_entry_id, "ledger.entry_view", "funds.view", sale,
                                  entry_id=sale.fund_entry_id)
    return render_template("goods/sale_view.html", sale=sale, lines=lines_of(db.session, sale),
                           payment_labels=PAYMENT_LABELS, entry_url=entry_url)


@bp.route("/")
@access("goods.view")
def sale_list():
    args = list_filters(payment=request.args.get("payment", ""))
    stmt, total = listed_sales(db.session, current_user, args, PAYMENT_LABELS)
    return render_template("goods/sale_list.html", page=paginate(stmt), args=args, total=total,
                           filter_points=filter_points(db.session, current_user),
                           payment_labels=PAYMENT_LABELS, point_label=point_label)
