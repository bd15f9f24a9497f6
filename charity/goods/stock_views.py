"""Stock dashboards, balances, movements, write-offs and exports.

Every figure is read from the stock balances, which the ledger keeps in the same transaction
as each movement (`charity.goods.dashboard` holds the queries).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.audit.services import record_export
from charity.auth.permissions import can, scope_points
from charity.core.clock import org_today, today_in
from charity.core.db import run_transaction
from charity.core.errors import DomainError, PermissionDenied
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.core.roles import Role
from charity.funds import export as exporting
from charity.goods import dashboard as queries
from charity.goods.distribution_views import quantity_text
from charity.goods.documents import post_write_off
from charity.goods.forms import WRITE_OFF_LABELS, StockTargetForm, WriteOffForm
from charity.goods.models import ItemCategory, ItemType, MovementKind, StockBalance, StockMovement
from charity.orgs.models import CharityPoint
from charity.web.access import access, date_arg, int_arg, paginate, show_domain_error
from charity.web.forms import choices
from charity.web.points import chosen_point, counter_points, point_label

bp = Blueprint("stock", __name__, url_prefix="/staff/stock")

RESULT_PREFIX = "write_off:"
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
# Where a movement's document is shown (endpoint, URL argument), when that screen exists.
DOCUMENT_VIEWS = {"intake": ("intake.intake_view", "intake_id"),
                  "distribution": ("distributions.distribution_view", "distribution_id"),
                  "sale": ("sales.sale_view", "sale_id"),
                  "transfer": ("transfers.transfer_view", "transfer_id"),
                  "stocktake": ("stocktakes.stocktake_view", "stocktake_id")}


def document_url(movement: StockMovement) -> str | None:
    view = DOCUMENT_VIEWS.get(movement.document_type)
    if view is None or view[0] not in current_app.view_functions:
        return None
    return url_for(view[0], **{view[1]: movement.document_id})


def _scoped_points() -> list[CharityPoint]:
    stmt = scope_points(current_user, sa.select(CharityPoint), CharityPoint.id,
                        CharityPoint.organization_id)
    return list(db.session.scalars(stmt.options(selectinload(CharityPoint.organization))
                                   .order_by(CharityPoint.organization_id, CharityPoint.name)))


def _filter() -> queries.StockFilter:
    kind = request.args.get("kind", "")
    return queries.StockFilter(
        point_id=int_arg("point"), category_id=int_arg("category"),
        item_type_id=int_arg("item"), kind=kind if kind in KIND_LABELS else None,
        date_from=date_arg("from"), date_to=date_arg("to"))


def _scoped_balances(flt: queries.StockFilter):
    return scope_points(current_user, queries.balances_stmt(flt), StockBalance.point_id,
                        CharityPoint.organization_id)


def _filter_items(points: list[CharityPoint]) -> list[ItemType]:
    org_ids = sorted({p.organization_id for p in points}) or [-1]
    return list(db.session.scalars(sa.select(ItemType).where(
        ItemType.organization_id.in_(org_ids)).order_by(ItemType.name).limit(1000)))


def _categories() -> list[ItemCategory]:
    return list(db.session.scalars(sa.select(ItemCategory).order_by(ItemCategory.sort)))


# --- the dashboard ---------------------------------------------------------------------------

def _render_dashboard(point: CharityPoint | None, points, target_form: StockTargetForm):
    today = org_today(point.organization) if point else None
    context = {"point": point, "points": points, "today": today, "target_form": target_form,
               "point_label": point_label, "quantity_text": quantity_text}
    if point is not None:
        expiring = queries.expiring(db.session, point.id, today)
        context.update(
            by_category=queries.on_hand_by_category(db.session, point.id),
            totals=queries.totals(db.session, point.id),
            expired=[b for b in expiring if b.expiry_date < today],
            expiring=[b for b in expiring if b.expiry_date >= today],
            targets=queries.targets(db.session, point.id),
            counts=queries.today_counts(db.session, point.id, today),
            can_set_targets=can(current_user, "catalogue.manage", point),
            can_write_off=can(current_user, "goods.write_off", point))
        if context["can_set_targets"]:
            items = db.session.scalars(sa.select(ItemType).where(
                ItemType.organization_id == point.organization_id,
                ItemType.active.is_(True)).order_by(ItemType.name)).all()
            target_form.item_type_id.choices = choices(
                [("", "—")] + [(str(i.id), f"{i.name}（{i.unit}）") for i in items])
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
    try:
        wanted = int(form.point_id.data or "")
    except ValueError:
        wanted = 0
    # Bounded before the query: a larger id overflows SQLite and aborts PostgreSQL's transaction.
    point = db.session.get(CharityPoint, wanted) if 0 < wanted < 2**31 else None
    if point is None:
        abort(404)
    if not can(current_user, "catalogue.manage", point):
        abort(403)
    if form.validate_on_submit():
        try:
            run_transaction(db.session, lambda: queries.set_wanted_level(
                current_user, db.session, point, form.item_type_id.data, form.wanted.data))
        except PermissionDenied:
            abort(403)
        except DomainError as err:
            show_domain_error(form, err)
        else:
            flash(_("Wanted level saved."), "success")
            return redirect(url_for("stock.dashboard", point=point.id) + "#needs")
    return _render_dashboard(point, counter_points(), form)


# --- balances, movements, export -------------------------------------------------------------

@bp.route("/balances")
@access("goods.view")
def balance_list():
    flt = _filter()
    stmt = queries.balance_order(_scoped_balances(flt)).options(
        selectinload(StockBalance.item_type).selectinload(ItemType.category))
    page = paginate(stmt)
    points = _scoped_points()
    point_names = {p.id: point_label(p) for p in points}
    return render_template("goods/stock_balances.html", page=page, flt=flt, points=points,
                           point_names=point_names, items=_filter_items(points),
                           categories=_categories(), point_label=point_label,
                           quantity_text=quantity_text,
                           today=today_in(_tz_name()),
                           can_export=can(current_user, "goods.export"))


@bp.route("/movements")
@access("goods.view")
def movement_list():
    flt = _filter()
    stmt = scope_points(current_user, queries.movements_stmt(flt), StockMovement.point_id,
                        StockMovement.organization_id)
    stmt = stmt.options(selectinload(StockMovement.item_type))
    page = paginate(stmt.order_by(StockMovement.movement_date.desc(),
                                  StockMovement.id.desc()))
    points = _scoped_points()
    return render_template("goods/stock_movements.html", page=page, flt=flt, points=points,
                           point_names={p.id: point_label(p) for p in points},
                           items=_filter_items(points), kind_labels=KIND_LABELS,
                           point_label=point_label, quantity_text=quantity_text,
                           document_url=document_url)


def _tz_name() -> str | None:
    if current_user.role != Role.ADMIN and current_user.organization is not None:
        return current_user.organization.timezone
    return current_app.config.get("CHARITY_TIMEZONE")


def _export_headers() -> list[str]:
    return [_("Organisation"), _("Charity point"), _("Category"), _("Item"), _("Unit"),
            _("Batch"), _("Expiry date"), _("Quantity"), _("Fair value (yuan)")]


def _export_rows(flt: queries.StockFilter):
    """The filtered balances as rows, read in chunks (never all at once)."""
    from charity.orgs.models import Organization

    stmt = _scoped_balances(flt).with_only_columns(
        Organization.name, CharityPoint.name, ItemCategory.name, ItemType.name, ItemType.unit,
        StockBalance.batch, StockBalance.expiry_date, StockBalance.quantity,
        StockBalance.value).join(Organization, Organization.id == CharityPoint.organization_id)
    stmt = queries.balance_order(stmt)

    # The statement is built now, while the signed-in user is at hand: a streamed response
    # runs the generator after the view has returned (and the user is detached).
    def rows():
        for org, point, category, item, unit, batch, expiry, qty, value in db.session.execute(
                stmt.execution_options(yield_per=exporting.CHUNK_ROWS)):
            yield (org, point, category, item, unit, batch, expiry, qty.normalize(), value)

    return rows()


@bp.route("/export.<any(csv, xlsx):fmt>")
@access("goods.export")
def export(fmt: str):
    flt = _filter()
    tz_name = _tz_name()
    filename = f"stock-{today_in(tz_name).isoformat()}.{fmt}"
    count = db.session.scalar(_scoped_balances(flt).with_only_columns(
        sa.func.count(StockBalance.id)).order_by(None))
    filters = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
               for k, v in vars(flt).items() if v not in (None, "")}
    run_transaction(db.session, lambda: record_export(
        db.session, current_user, "stock", fmt, filters, count or 0))
    rows = _export_rows(flt)
    if fmt == "csv":
        return exporting.csv_response(filename, _export_headers(), rows, tz_name=tz_name)
    return exporting.xlsx_response(filename, _export_headers(), rows, title=_("Stock"),
                                   tz_name=tz_name, widths=(24, 20, 14, 24, 8, 14, 12, 10, 14))


# --- write-offs ------------------------------------------------------------------------------

def _describe_batch(balance: StockBalance) -> str:
    parts = [balance.batch or _("no batch")]
    if balance.expiry_date:
        parts.append(_("expires %(day)s", day=balance.expiry_date.isoformat()))
    parts.append(_("%(qty)s on hand", qty=quantity_text(balance.quantity)))
    return " · ".join(parts)


@bp.route("/write-off", methods=["GET", "POST"])
@access("goods.write_off")
def write_off_new():
    points = counter_points()
    form = WriteOffForm()
    posting = request.method == "POST"
    point = chosen_point(form.point_id.data if posting else request.args.get("point"), points,
                         "goods.write_off")
    form.point_id.choices = choices((str(p.id), point_label(p)) for p in points)
    balances = [] if point is None else list(db.session.scalars(
        sa.select(StockBalance).where(StockBalance.point_id == point.id,
                                      StockBalance.quantity > 0)
        .options(selectinload(StockBalance.item_type))
        .order_by(StockBalance.item_type_id, StockBalance.expiry_date.is_(None),
                  StockBalance.expiry_date, StockBalance.batch)))
    on_shelf = {}
    for b in balances:
        on_shelf.setdefault(b.item_type_id, b.item_type)
    form.item_type_id.choices = choices(
        [("", "—")] + [(str(i.id), f"{i.name}（{i.unit}）")
                       for i in sorted(on_shelf.values(), key=lambda i: i.name)])
    chosen_item = int_arg("item") if not posting else None
    if posting:
        try:
            chosen_item = int(form.item_type_id.data or "")
        except ValueError:
            chosen_item = None
    form.batch.choices = choices(
        [("", _("no batch"))] + [(b.batch, f"{b.item_type.name} · {_describe_batch(b)}")
                                 for b in balances if b.batch
                                 and (chosen_item is None or b.item_type_id == chosen_item)])
    if not posting:
        form.submission_token.data = new_token()
        form.point_id.data = str(point.id) if point else ""
        if chosen_item in on_shelf:
            form.item_type_id.data = str(chosen_item)
        form.batch.data = request.args.get("batch", "")[:64]
        if request.args.get("reason") in WRITE_OFF_LABELS:
            form.reason.data = request.args["reason"]
    elif point is not None and form.validate_on_submit():
        def work():
            token = claim(db.session, form.submission_token.data, current_user.id)
            wo = post_write_off(current_user, db.session, point, form.data_for_service())
            record_result(token, f"{RESULT_PREFIX}{wo.id}")
            return wo

        try:
            wo = run_transaction(db.session, work)
        except AlreadySubmitted:
            db.session.rollback()
            flash(_("This form was already sent; it was posted once."), "info")
            return redirect(url_for("stock.dashboard", point=point.id))
        except PermissionDenied:
            abort(403)
        except DomainError as err:
            show_domain_error(form, err)
        else:
            item = db.session.get(ItemType, wo.item_type_id)
            flash(_("Written off: %(qty)s %(unit)s of %(item)s.", qty=quantity_text(wo.quantity),
                    unit=item.unit, item=item.name), "success")
            return redirect(url_for("stock.dashboard", point=point.id))
    return render_template("goods/stock_write_off.html", form=form, points=points, point=point,
                           balances=balances, point_label=point_label,
                           describe_batch=_describe_batch, quantity_text=quantity_text,
                           today=org_today(point.organization) if point else None)
