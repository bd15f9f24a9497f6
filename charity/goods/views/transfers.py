"""Transfers between points: send, receive, loss."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.boxes.services import arrive_boxes
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.goods.forms.lines import MAX_LINES, mark, set_unit_choices, unit_choices
from charity.goods.forms.transfers import ReceiveForm, TransferForm
from charity.goods.models import Transfer, TransferStatus
from charity.goods.quantities import plain_qty
from charity.goods.queries.catalogue import item_units
from charity.goods.queries.counter import destinations
from charity.goods.queries.lists import lines_of, users_by_id
from charity.goods.queries.lists import transfer_list as listed_transfers
from charity.goods.services.transfers import receive_transfer, send_transfer
from charity.goods.counter import pressed, shelf_item_choices, status_and_point
from charity.web.access import access, paginate
from charity.web.forms import choices
from charity.web.points import offered, point_choices, point_label, visible_points
from charity.web.posting import post_form

bp = Blueprint("transfers", __name__, url_prefix="/staff/transfers")

STATUS_LABELS = {TransferStatus.IN_TRANSIT.value: _l("In transit"),
                 TransferStatus.RECEIVED.value: _l("Received")}


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


def _posted(form, work, message):
    """Post once for the form's token; `message(transfer)` says what happened."""
    def view(transfer_id: int) -> str:
        return url_for("transfers.transfer_view", transfer_id=transfer_id)

    return post_form(form, work, kind="transfer",
                     success=lambda transfer: (message(transfer), view(transfer.id)),
                     first=view, fallback=url_for("transfers.transfer_list"))


# --- list ------------------------------------------------------------------------------------

@bp.route("/")
@access("goods.view")
def transfer_list():
    status, wanted, points, point_id = status_and_point(STATUS_LABELS)
    return render_template("goods/transfer_list.html",
                           page=paginate(listed_transfers(current_user, wanted, point_id)),
                           status=status, point_id=point_id, points=points,
                           status_labels=STATUS_LABELS, point_label=point_label)


# --- send ------------------------------------------------------------------------------------

def _fill_transfer_choices(form, sources, source) -> None:
    form.from_point_id.choices = point_choices(sources)
    org_ids = {source.organization_id} if source else {p.organization_id for p in sources}
    targets = [p for p in destinations(db.session, {p.organization_id for p in sources})
               if source is None or p.id != source.id]
    form.to_point_id.choices = choices([("", _("— choose —"))]
                                       + [(str(p.id), point_label(p)) for p in targets])
    if request.method == "GET" and len(targets) == 1:
        form.to_point_id.data = str(targets[0].id)
    items = shelf_item_choices(org_ids, point_id=source.id if source else None,
                               on=org_today(source.organization) if source else None)
    for entry in form.lines:
        entry.item_type_id.choices = items
    set_unit_choices(form.lines, unit_choices(item_units(db.session, org_ids)))


@bp.route("/new", methods=["GET", "POST"])
@access("goods.transfer")
def transfer_new():
    form = TransferForm()
    sources = visible_points("goods.transfer")
    if request.method == "POST":
        # The point the form was filled in for, never silently another one.
        source = offered(form.from_point_id.data, sources)
    else:
        source = offered(request.args.get("from"), sources) or (
            sources[0] if len(sources) == 1 else None)
        form.sent_on.data = org_today(source.organization if source else
                                      current_user.organization)
        form.show_lines(request.args.get("lines", type=int) or 0)
    if source is not None:
        form.from_point_id.data = str(source.id)
    if pressed("more"):
        # More lines, or the items of another point: nothing is posted, the typing stays.
        form.add_lines()
    elif form.validate_on_submit():
        if source is None:
            mark(form.from_point_id, _("Choose the point the goods leave from."))
        else:
            response = _posted(form, lambda: send_transfer(
                current_user, db.session, source, form.data_for_service()),
                lambda transfer: _("Transfer %(id)s sent: the goods are on their way to "
                                   "%(point)s.", id=transfer.id, point=transfer.to_point.name))
            if response:
                return response
    _fill_transfer_choices(form, sources, source)
    return render_template("goods/transfer_form.html", form=form, sources=sources,
                           source=source, can_add_lines=len(form.lines) < MAX_LINES,
                           point_label=point_label)


# --- one transfer ----------------------------------------------------------------------------

@bp.route("/<int:transfer_id>")
@access("goods.view")
def transfer_view(transfer_id: int):
    transfer = _load_transfer(transfer_id, "goods.view")
    people = users_by_id(db.session, transfer.sent_by_id, transfer.received_by_id)
    return render_template(
        "goods/transfer_view.html", transfer=transfer, lines=lines_of(db.session, transfer),
        sent_by=people.get(transfer.sent_by_id), received_by=people.get(transfer.received_by_id),
        status_labels=STATUS_LABELS, plain_qty=plain_qty,
        can_receive=(transfer.status == TransferStatus.IN_TRANSIT
                     and can(current_user, "goods.transfer", transfer.to_point)))


# --- receive ---------------------------------------------------------------------------------

@bp.route("/<int:transfer_id>/receive", methods=["GET", "POST"])
@access("goods.transfer")
def transfer_receive(transfer_id: int):
    transfer = _load_transfer(transfer_id, "goods.transfer", at_destination=True)
    if transfer.status != TransferStatus.IN_TRANSIT:
        flash(_("This transfer was already received."), "info")
        return redirect(url_for("transfers.transfer_view", transfer_id=transfer.id))
    lines = lines_of(db.session, transfer)
    form = ReceiveForm()
    rows = form.match(lines)
    if form.validate_on_submit():
        received = form.received(lines)
        # The boxes it carries arrive with it (decision 0025).
        response = _posted(form, lambda: arrive_boxes(current_user, db.session, receive_transfer(
            current_user, db.session, transfer, received)),
            lambda done: _("Transfer %(id)s received.", id=done.id))
        if response:
            return response
    return render_template("goods/transfer_receive.html", form=form, transfer=transfer,
                           rows=rows, plain_qty=plain_qty)
