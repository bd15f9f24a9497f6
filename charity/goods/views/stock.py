"""Stock dashboards, balances, movements, write-offs and exports.

Every figure is read from the stock balances, which the ledger keeps in the same transaction
as each movement (`charity.goods.queries.stock` holds the queries).
"""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.audit.services import record_export
from charity.auth.permissions import can
from charity.core.clock import org_today, today_in
from charity.core.db import run_transaction
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.core.roles import Role
from charity.goods.forms.stock import (
    WRITE_OFF_LABELS,
    StockTargetForm,
    WriteOffExpiredForm,
    WriteOffForm,
)
from charity.goods.models import ItemType, MovementKind, StockBalance, StockMovement
from charity.goods.quantities import quantity_text
from charity.goods.queries import stock as queries
from charity.goods.queries.catalogue import active_items, categories, filter_items
from charity.goods.queries.counter import id_of, shelf_balances
from charity.goods.queries.lists import filter_points
from charity.goods.services.expiry import write_off_expired
from charity.goods.services.targets import set_wanted_level
from charity.goods.services.write_offs import post_write_off
from charity.goods.counter import open_counter
from charity.goods.views.links import document_label, document_url, reason_label
from charity.orgs.models import CharityPoint
from charity.reports.spreadsheets import CHUNK_ROWS
from charity.web import downloads
from charity.web.access import access, date_arg, int_arg, parse_id
from charity.web.forms import choices
from charity.web.keyset import keyset_paginate
from charity.web.points import chosen_point, counter_points, point_label
from charity.web.posting import post_form

bp = Blueprint("stock", __name__, url_prefix="/staff/stock")

KIND_LABELS = {
    MovementKind.DONATION_IN.value: _l("Donation received"),
    MovementKind.TRANSFER_OUT.value: _l("Transfer out"),
    MovementKind.TRANSFER_IN.value: _l("Transfer in"),
    MovementKind.TRANSFER_LOSS.value: _l("Lost in transfer"),
    MovementKind.DISTRIBUTION.value: _l("Handed out"),
    MovementKind.SALE.value: _l("Charity sale"),
    MovementKind.WRITE_OFF.value: _l("Write-off"),
    MovementKind.STOCKTAKE.value: _l("Stocktake difference"),
    MovementKind.REVERSAL.value: _l("Reversal"),
}


def _filter() -> queries.StockFilter:
    kind = request.args.get("kind", "")
    return queries.StockFilter(
        point_id=int_arg("point"), category_id=int_arg("category"),
        item_type_id=int_arg("item"), kind=kind if kind in KIND_LABELS else None,
        date_from=date_arg("from"), date_to=date_arg("to"))


def _item_label(item: ItemType) -> str:
    return f"{item.name}（{item.unit}）"


# --- the dashboard ---------------------------------------------------------------------------

def _render_dashboard(point: CharityPoint | None, points, target_form: StockTargetForm):
    today = org_today(point.organization) if point else None
    context = {"point": point, "points": points, "today": today, "target_form": target_form,
               "point_label": point_label, "quantity_text": quantity_text}
    if point is not None:
        expiring = queries.expiring(db.session, point.id, today)
        context.update(
            by_category=queries.on_hand_by_category(db.session, point.id, today),
            totals=queries.totals(db.session, point.id),
            expired=[b for b in expiring if b.expiry_date < today],
            expiring=[b for b in expiring if b.expiry_date >= today],
            targets=queries.targets(db.session, point.id, today),
            counts=queries.today_counts(db.session, point.id, today),
            can_set_targets=can(current_user, "catalogue.manage", point),
            can_write_off=can(current_user, "goods.write_off", point),
            write_off_expired_form=expired_write_off_form(point, "stock"))
        if context["can_set_targets"]:
            target_form.item_type_id.choices = choices([("", "—")] + [
                (str(i.id), _item_label(i)) for i in active_items(db.session,
                                                                  point.organization_id)])
            target_form.point_id.data = str(point.id)
    return render_template("goods/stock_dashboard.html", **context)


@bp.route("/")
@access("goods.view")
def dashboard():
    """One point's stock at a glance: by category, food to check, the needs list, today."""
    points = counter_points()
    point = chosen_point(request.args.get("point"), points, "goods.view")
    return _render_dashboard(point, points, StockTargetForm(formdata=None))


@bp.route("/targets", methods=["POST"])
@access("catalogue.manage")
def target_set():
    form = StockTargetForm()
    wanted = id_of(form.point_id.data)
    point = db.session.get(CharityPoint, wanted) if wanted else None
    if point is None:
        abort(404)
    if not can(current_user, "catalogue.manage", point):
        abort(403)
    if form.validate_on_submit():
        url = url_for("stock.dashboard", point=point.id) + "#needs"
        response = post_form(form, lambda: set_wanted_level(
            current_user, db.session, point, form.item_type_id.data, form.wanted.data),
            success=lambda _target: (_("Wanted level saved."), url), fallback=url)
        if response:
            return response
    return _render_dashboard(point, counter_points(), form)


# --- balances, movements, export -------------------------------------------------------------

@bp.route("/balances")
@access("goods.view")
def balance_list():
    flt = _filter()
    # By place (point, item, batch): the unique index on those columns serves every page.
    page = keyset_paginate(queries.balances(current_user, flt).options(
        selectinload(StockBalance.item_type).selectinload(ItemType.category)),
        queries.BALANCE_KEYS, descending=False)
    points = filter_points(db.session, current_user)
    return render_template(
        "goods/stock_balances.html", page=page, flt=flt, points=points,
        point_names={p.id: p.label for p in points},
        items=filter_items(db.session, {p.organization_id for p in points}),
        categories=categories(db.session), point_label=point_label,
        quantity_text=quantity_text, today=today_in(_tz_name()),
        can_export=can(current_user, "goods.export"))


@bp.route("/movements")
@access("goods.view")
def movement_list():
    flt = _filter()
    page = keyset_paginate(queries.movements(current_user, flt),
                           (StockMovement.movement_date, StockMovement.id))
    points = filter_points(db.session, current_user)
    return render_template(
        "goods/stock_movements.html", page=page, flt=flt, points=points,
        point_names={p.id: p.label for p in points},
        items=filter_items(db.session, {p.organization_id for p in points}),
        kind_labels=KIND_LABELS, point_label=point_label, quantity_text=quantity_text,
        document_url=document_url, document_label=document_label, reason_label=reason_label)


def _tz_name() -> str | None:
    if current_user.role != Role.ADMIN and current_user.organization is not None:
        return current_user.organization.timezone
    return current_app.config.get("CHARITY_TIMEZONE")


def _export_headers() -> list[str]:
    return [_("Organisation"), _("Charity point"), _("Category"), _("Item"), _("Unit"),
            _("Batch"), _("Expiry date"), _("Quantity"), _("Fair value (yuan)")]


def _export_rows(flt: queries.StockFilter):
    """The filtered balances as rows, read in chunks (never all at once)."""
    # The statement is built now, while the signed-in user is at hand: a streamed response
    # runs the generator after the view has returned (and the user is detached).
    stmt = queries.export_rows_stmt(current_user, flt)

    def rows():
        for org, point, category, item, unit, batch, expiry, qty, value in db.session.execute(
                stmt.execution_options(yield_per=CHUNK_ROWS)):
            yield (org, point, category, item, unit, batch, expiry, qty.normalize(), value)

    return rows()


@bp.route("/export.<any(csv, xlsx):fmt>")
@access("goods.export")
def export(fmt: str):
    flt = _filter()
    tz_name = _tz_name()
    filename = f"stock-{today_in(tz_name).isoformat()}.{fmt}"
    count = queries.balance_count(db.session, current_user, flt)
    filters = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
               for k, v in vars(flt).items() if v not in (None, "")}
    run_transaction(db.session, lambda: record_export(
        db.session, current_user, "stock", fmt, filters, count))
    rows = _export_rows(flt)
    if fmt == "csv":
        return downloads.csv_response(filename, _export_headers(), rows, tz_name=tz_name)
    return downloads.xlsx_response(filename, _export_headers(), rows, title=_("Stock"),
                                   tz_name=tz_name, widths=(24, 20, 14, 24, 8, 14, 12, 10, 14))


# --- write-offs ------------------------------------------------------------------------------

def _describe_batch(balance: StockBalance) -> str:
    parts = [balance.batch or _("no batch")]
    if balance.expiry_date:
        parts.append(_("expires %(day)s", day=balance.expiry_date.isoformat()))
    parts.append(_("%(qty)s on hand", qty=quantity_text(balance.quantity)))
    return " · ".join(parts)


def _write_off_choices(form: WriteOffForm, balances, chosen_item: int | None) -> dict:
    """The items on the shelf and, of the chosen item, the named batches; item id → item."""
    on_shelf = {}
    for b in balances:
        on_shelf.setdefault(b.item_type_id, b.item_type)
    form.item_type_id.choices = choices([("", "—")] + [
        (str(i.id), _item_label(i)) for i in sorted(on_shelf.values(), key=lambda i: i.name)])
    form.batch.choices = choices(
        [("", _("no batch"))] + [(b.batch, f"{b.item_type.name} · {_describe_batch(b)}")
                                 for b in balances if b.batch
                                 and (chosen_item is None or b.item_type_id == chosen_item)])
    return on_shelf


@bp.route("/write-off", methods=["GET", "POST"])
@access("goods.write_off")
def write_off_new():
    form = WriteOffForm()
    counter = open_counter(form, "goods.write_off")
    point = counter.point
    balances = shelf_balances(db.session, point)
    chosen_item = _chosen_item(form, counter.posting)
    on_shelf = _write_off_choices(form, balances, chosen_item)
    if not counter.posting:
        if chosen_item in on_shelf:
            form.item_type_id.data = str(chosen_item)
        form.batch.data = request.args.get("batch", "")[:64]
        if request.args.get("reason") in WRITE_OFF_LABELS:
            form.reason.data = request.args["reason"]
    elif point is not None and form.validate_on_submit():
        url = url_for("stock.dashboard", point=point.id)
        response = post_form(
            form, lambda: post_write_off(current_user, db.session, point,
                                         form.data_for_service()),
            kind="write_off", success=lambda wo: (_written_off(wo), url),
            first=lambda _id: url, fallback=url)
        if response:
            return response
    return render_template("goods/stock_write_off.html", form=form, points=counter.points,
                           point=point, balances=balances, point_label=point_label,
                           describe_batch=_describe_batch, quantity_text=quantity_text,
                           today=org_today(point.organization) if point else None)


def _chosen_item(form: WriteOffForm, posting: bool) -> int | None:
    if not posting:
        return int_arg("item")
    return parse_id(form.item_type_id.data)


def _written_off(wo) -> str:
    item = db.session.get(ItemType, wo.item_type_id)
    return _("Written off: %(qty)s %(unit)s of %(item)s.", qty=quantity_text(wo.quantity),
             unit=item.unit, item=item.name)


# --- expired food: the one-tap write-off -----------------------------------------------------

def expired_write_off_form(point: CharityPoint, back: str) -> WriteOffExpiredForm:
    """The one-tap button's form for `point` (a fresh one-time token each time it is shown)."""
    form = WriteOffExpiredForm(formdata=None)
    form.point_id.data = str(point.id)
    form.back.data = back
    return form


@bp.route("/write-off-expired", methods=["POST"])
@access("goods.write_off")
def write_off_expired_all():
    """Write off all of a point's expired food in one tap (报损, reason 过期), then back to
    the page the button was on."""
    form = WriteOffExpiredForm()
    wanted = id_of(form.point_id.data)
    point = db.session.get(CharityPoint, wanted) if wanted else None
    back = url_for("staff.home") if form.back.data == "home" else \
        url_for("stock.dashboard", point=point.id if point else None)
    if point is None or not form.validate_on_submit():
        flash(_("Nothing was written off: the form was incomplete. Please try again."), "error")
        return redirect(back)
    if not can(current_user, "goods.write_off", point):
        abort(403)
    # No form page to show a refusal on: it is flashed, and the user is back where they were.
    return post_form(
        None, lambda: write_off_expired(current_user, db.session, point),
        token=form.submission_token.data or "", kind="write_off_expired",
        success=lambda done: (_("Expired food written off: %(n)d batches.", n=len(done)), back),
        fallback=back)
