"""Transfers between points: send, receive, loss."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.auth.models import User
from charity.auth.permissions import can, scope_organizations
from charity.core.clock import org_today
from charity.core.db import run_transaction
from charity.core.errors import DomainError, PermissionDenied, ValidationFailed
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.core.roles import Role
from charity.goods import documents
from charity.goods.models import (
    ItemCategory,
    ItemType,
    StockBalance,
    Transfer,
    TransferLine,
    TransferStatus,
)
from charity.goods.transfer_forms import (
    MAX_LINES,
    MORE_LINES,
    ReceiveForm,
    TransferForm,
    mark,
    plain_qty,
    show_line_error,
)
from charity.orgs.models import CharityPoint, Organization
from charity.web.access import access, paginate
from charity.web.forms import choices
from charity.web.points import offered_point, point_choices, point_label, visible_points

bp = Blueprint("transfers", __name__, url_prefix="/staff/transfers")

RESULT_PREFIX = "transfer:"
STATUS_LABELS = {TransferStatus.IN_TRANSIT.value: _l("In transit"),
                 TransferStatus.RECEIVED.value: _l("Received")}


# --- helpers shared with the stocktake screens -----------------------------------------------

def item_choices(org_ids, point_id: int | None = None, blank: str | None = None):
    """Active items of the organisations; at a point, only those on its shelf, with the
    quantity on hand."""
    blank = blank if blank is not None else _("— item —")
    if point_id is not None:
        rows = db.session.execute(
            sa.select(ItemType, sa.func.sum(StockBalance.quantity))
            .join(StockBalance, StockBalance.item_type_id == ItemType.id)
            .where(StockBalance.point_id == point_id, StockBalance.quantity > 0,
                   ItemType.active.is_(True))
            .group_by(ItemType.id).order_by(ItemType.name)).all()
        pairs = [(str(item.id), _("%(name)s (%(unit)s) — %(qty)s on hand", name=item.name,
                                  unit=item.unit, qty=plain_qty(qty))) for item, qty in rows]
    else:
        items = db.session.scalars(
            sa.select(ItemType).join(ItemCategory)
            .where(ItemType.organization_id.in_(list(org_ids) or [-1]),
                   ItemType.active.is_(True))
            .order_by(ItemCategory.sort, ItemType.name)).all()
        pairs = [(str(i.id), f"{i.name} ({i.unit})") for i in items]
    return choices([("", blank)] + pairs)


def already_submitted(err: AlreadySubmitted, endpoint: str, arg: str, fallback: str):
    """Where a form that was already sent leads: the document its first sending made."""
    flash(_("This form was already sent; it was posted once. Here is the result."), "info")
    _kind, _sep, object_id = (err.result or "").partition(":")
    if object_id.isdigit():
        return redirect(url_for(endpoint, **{arg: int(object_id)}))
    return redirect(url_for(fallback))


def users_by_id(*ids) -> dict[int, User]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(wanted)))}


def _load_transfer(transfer_id: int, permission: str, at_destination: bool = False):
    """The transfer (404 if none) if the user may `permission` at one of its points — or, for
    receiving, at its destination (403 otherwise)."""
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None:
        abort(404)
    allowed = can(current_user, permission, transfer.to_point) or (
        not at_destination and can(current_user, permission, transfer.from_point))
    if not allowed:
        abort(403)
    return transfer


# --- list ------------------------------------------------------------------------------------

@bp.route("/")
@access("goods.view")
def transfer_list():
    stmt = scope_organizations(current_user, sa.select(Transfer), Transfer.organization_id)
    if current_user.role == Role.VOLUNTEER:
        mine = sorted(current_user.point_ids) or [-1]
        stmt = stmt.where(sa.or_(Transfer.from_point_id.in_(mine),
                                 Transfer.to_point_id.in_(mine)))
    status = request.args.get("status", "")
    if status in STATUS_LABELS:
        stmt = stmt.where(Transfer.status == status)
    points = visible_points("goods.view", active_only=False)
    point = offered_point(request.args.get("point"), points)
    if point is not None:
        stmt = stmt.where(sa.or_(Transfer.from_point_id == point.id,
                                 Transfer.to_point_id == point.id))
    stmt = stmt.options(selectinload(Transfer.lines), selectinload(Transfer.from_point),
                        selectinload(Transfer.to_point))
    page = paginate(stmt.order_by(Transfer.sent_on.desc(), Transfer.id.desc()))
    return render_template("goods/transfer_list.html", page=page, status=status,
                           point_id=point.id if point else None, points=points,
                           status_labels=STATUS_LABELS, point_label=point_label)


# --- send ------------------------------------------------------------------------------------

def _destinations(sources) -> list[CharityPoint]:
    """Active points of the organisations the user may send from."""
    org_ids = sorted({p.organization_id for p in sources}) or [-1]
    stmt = (sa.select(CharityPoint).join(CharityPoint.organization)
            .where(CharityPoint.organization_id.in_(org_ids), CharityPoint.active.is_(True))
            .options(sa.orm.contains_eager(CharityPoint.organization))
            .order_by(Organization.name, CharityPoint.name))
    return list(db.session.scalars(stmt))


def _fill_transfer_choices(form, sources, source) -> None:
    form.from_point_id.choices = point_choices(sources)
    destinations = [p for p in _destinations(sources) if source is None or p.id != source.id]
    form.to_point_id.choices = choices([("", _("— choose —"))]
                                       + [(str(p.id), point_label(p)) for p in destinations])
    if request.method == "GET" and len(destinations) == 1:
        form.to_point_id.data = str(destinations[0].id)
    org_ids = {source.organization_id} if source else {p.organization_id for p in sources}
    items = item_choices(org_ids, point_id=source.id if source else None)
    for entry in form.lines:
        entry.item_type_id.choices = items


@bp.route("/new", methods=["GET", "POST"])
@access("goods.transfer")
def transfer_new():
    form = TransferForm()
    sources = visible_points("goods.transfer")
    if request.method == "POST":
        # The point the form was filled in for, never silently another one.
        source = offered_point(form.from_point_id.data, sources)
    else:
        source = offered_point(request.args.get("from"), sources) or (
            sources[0] if len(sources) == 1 else None)
    if request.method == "GET":
        form.submission_token.data = new_token()
        form.sent_on.data = org_today(source.organization if source else
                                      current_user.organization)
        wanted = request.args.get("lines", type=int) or 0
        while len(form.lines) < min(wanted, MAX_LINES):
            form.lines.append_entry()
    if source is not None:
        form.from_point_id.data = str(source.id)
    if request.method == "POST" and request.form.get("more"):
        # More lines, or the items of another point: nothing is posted, the typing stays.
        for _i in range(min(MORE_LINES, MAX_LINES - len(form.lines))):
            form.lines.append_entry()
    elif form.validate_on_submit():
        response = _send(form, source)
        if response is not None:
            return response
    _fill_transfer_choices(form, sources, source)
    return render_template("goods/transfer_form.html", form=form, sources=sources,
                           source=source, can_add_lines=len(form.lines) < MAX_LINES,
                           point_label=point_label)


def _send(form, source):
    """Post the transfer; a response on success (or a repeat), None to show the form again."""
    if source is None:
        mark(form.from_point_id, _("Choose the point the goods leave from."))
        return None
    lines, positions = form.lines_for_service()

    def rename(name: str) -> str:
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() \
                and int(parts[1]) < len(positions):
            return f"lines-{positions[int(parts[1])]}-{parts[2]}"
        return name

    def work():
        token = claim(db.session, form.submission_token.data, current_user.id)
        transfer = documents.send_transfer(current_user, db.session, source, {
            "to_point_id": form.to_point_id.data, "sent_on": form.sent_on.data,
            "note": form.note.data, "lines": lines})
        record_result(token, f"{RESULT_PREFIX}{transfer.id}")
        return transfer

    try:
        transfer = run_transaction(db.session, work)
    except AlreadySubmitted as err:
        return already_submitted(err, "transfers.transfer_view", "transfer_id",
                                 "transfers.transfer_list")
    except PermissionDenied:
        abort(403)
    except DomainError as err:
        if err.field == "lines":  # no line filled in
            mark(form.lines[0].item_type_id, err.message)
            form.form_errors.append(err.message)
        else:
            show_line_error(form, err, rename)
        return None
    flash(_("Transfer %(id)s sent: the goods are on their way to %(point)s.", id=transfer.id,
            point=transfer.to_point.name), "success")
    return redirect(url_for("transfers.transfer_view", transfer_id=transfer.id))


# --- one transfer ----------------------------------------------------------------------------

@bp.route("/<int:transfer_id>")
@access("goods.view")
def transfer_view(transfer_id: int):
    transfer = _load_transfer(transfer_id, "goods.view")
    people = users_by_id(transfer.sent_by_id, transfer.received_by_id)
    return render_template(
        "goods/transfer_view.html", transfer=transfer, lines=_lines(transfer),
        sent_by=people.get(transfer.sent_by_id), received_by=people.get(transfer.received_by_id),
        status_labels=STATUS_LABELS, plain_qty=plain_qty,
        can_receive=(transfer.status == TransferStatus.IN_TRANSIT
                     and can(current_user, "goods.transfer", transfer.to_point)))


def _lines(transfer) -> list[TransferLine]:
    return list(db.session.scalars(
        sa.select(TransferLine).where(TransferLine.transfer_id == transfer.id)
        .options(selectinload(TransferLine.item_type)).order_by(TransferLine.id)))


# --- receive ---------------------------------------------------------------------------------

def _received(form, lines) -> dict:
    """line id → what the form says arrived; '0' (any spelling) is nothing arrived."""
    out = {}
    for line, entry in zip(lines, form.lines):
        raw = entry.quantity.data or ""
        try:
            if raw and Decimal(raw) == 0:
                raw = Decimal("0")
        except InvalidOperation:
            pass
        out[line.id] = {"quantity": raw, "loss_reason": entry.loss_reason.data or ""}
    return out


@bp.route("/<int:transfer_id>/receive", methods=["GET", "POST"])
@access("goods.transfer")
def transfer_receive(transfer_id: int):
    transfer = _load_transfer(transfer_id, "goods.transfer", at_destination=True)
    if transfer.status != TransferStatus.IN_TRANSIT:
        flash(_("This transfer was already received."), "info")
        return redirect(url_for("transfers.transfer_view", transfer_id=transfer.id))
    lines = _lines(transfer)
    form = ReceiveForm()
    if request.method == "GET":
        form.submission_token.data = new_token()
        for line in lines:
            form.lines.append_entry({"quantity": plain_qty(line.quantity_sent)})
    while len(form.lines) < len(lines):
        form.lines.append_entry({"quantity": plain_qty(lines[len(form.lines)].quantity_sent)})
    if form.validate_on_submit():
        index = {line.id: i for i, line in enumerate(lines)}

        def rename(name: str) -> str:
            parts = name.split("-")
            if len(parts) == 3 and parts[0] == "line" and parts[1].isdigit() \
                    and int(parts[1]) in index:
                return f"lines-{index[int(parts[1])]}-{parts[2]}"
            return name

        received = _received(form, lines)

        def work():
            token = claim(db.session, form.submission_token.data, current_user.id)
            done = documents.receive_transfer(current_user, db.session, transfer, received)
            record_result(token, f"{RESULT_PREFIX}{done.id}")
            return done

        try:
            run_transaction(db.session, work)
        except AlreadySubmitted as err:
            return already_submitted(err, "transfers.transfer_view", "transfer_id",
                                     "transfers.transfer_list")
        except PermissionDenied:
            abort(403)
        except ValidationFailed as err:
            show_line_error(form, err, rename)
        else:
            flash(_("Transfer %(id)s received.", id=transfer.id), "success")
            return redirect(url_for("transfers.transfer_view", transfer_id=transfer.id))
    return render_template("goods/transfer_receive.html", form=form, transfer=transfer,
                           rows=list(zip(lines, form.lines)), plain_qty=plain_qty)
