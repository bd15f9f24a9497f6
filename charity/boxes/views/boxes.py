"""The box screens: the list (search, point, state), opening a box from its label's code,
packing a box from stock, the box page and its one-button steps (send, receive, hand out,
lost), and the stocktake's box check."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.boxes import services
from charity.boxes.forms import HandOutForm, LoseBoxForm, PackBoxForm, SendBoxForm, StepForm
from charity.boxes.models import Box, BoxEventKind, BoxState
from charity.boxes.queries import box_by_code, box_list, open_boxes_at, packable, shortfalls
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.goods.models import Stocktake, StocktakeStatus, Transfer
from charity.goods.quantities import plain_qty
from charity.goods.queries.counter import destinations, find_households
from charity.goods.counter import pressed, status_and_point
from charity.web.access import access, load, paginate
from charity.web.forms import choices
from charity.web.points import offered, point_choices, point_label, visible_points
from charity.web.posting import post_form

bp = Blueprint("boxes", __name__, url_prefix="/staff/boxes")

STATE_LABELS = {BoxState.ON_SHELF.value: _l("On the shelf"),
                BoxState.IN_TRANSIT.value: _l("In transit"),
                BoxState.HANDED_OUT.value: _l("Handed out"), BoxState.LOST.value: _l("Lost")}

EVENT_LABELS = {BoxEventKind.PACKED.value: _l("Packed"), BoxEventKind.SENT.value: _l("Sent"),
                BoxEventKind.RECEIVED.value: _l("Received"),
                BoxEventKind.HANDED_OUT.value: _l("Handed out"),
                BoxEventKind.LOST.value: _l("Lost"),
                BoxEventKind.COUNTED.value: _l("Found in a stocktake"),
                BoxEventKind.MISSING.value: _l("Missing in a stocktake")}


def _box_url(box_id: int) -> str:
    return url_for("boxes.box_view", box_id=box_id)


def load_box(box_id: int, permission: str) -> Box:
    """The box (404 if none) if the user may `permission` at its point — or, while it travels,
    at its destination (403 otherwise)."""
    box = db.session.get(Box, box_id)
    if box is None:
        abort(404)
    allowed = can(current_user, permission, box)
    if not allowed and box.state == BoxState.IN_TRANSIT:
        allowed = can(current_user, permission, db.session.get(Transfer, box.transfer_id).to_point)
    if not allowed:
        abort(403)
    return box


# --- list and label codes --------------------------------------------------------------------

@bp.route("/")
@access("goods.view")
def box_list_view():
    state, wanted, points, point_id = status_and_point(STATE_LABELS)
    q = request.args.get("q", "").strip()[:100]
    return render_template("boxes/list.html", page=paginate(box_list(current_user, point_id,
                                                                     wanted, q)),
                           state=state, point_id=point_id, points=points, q=q,
                           state_labels=STATE_LABELS, point_label=point_label,
                           plain_qty=plain_qty)


@bp.route("/open")
@access("goods.view")
def box_open():
    """Where a label's QR code leads: the box its code names."""
    box = box_by_code(db.session, request.args.get("box", ""))
    if box is None:
        flash(_("No box has the code %(code)s.", code=request.args.get("box", "")[:20]),
              "error")
        return redirect(url_for("boxes.box_list_view"))
    return redirect(_box_url(load_box(box.id, "goods.view").id))


# --- packing ---------------------------------------------------------------------------------

def _packed(box: Box) -> tuple[str, str]:
    return _("Box %(code)s packed: print its label.", code=box.code), _box_url(box.id)


@bp.route("/new", methods=["GET", "POST"])
@access("boxes.pack")
def box_new():
    points = visible_points("boxes.pack")
    raw = request.form.get("point_id") if request.method == "POST" else request.args.get("point")
    point = offered(raw, points) or (points[0] if len(points) == 1 else None)
    form = PackBoxForm()
    if point is not None:
        form.set_item_choices(
            (f"{row.item_type_id}|{row.batch}",
             _("%(name)s · batch %(batch)s — %(qty)s %(unit)s free", name=row.item_type.name,
               batch=row.batch or "—", qty=plain_qty(free), unit=row.item_type.unit))
            for row, free in packable(db.session, point.id))
    if pressed("more"):
        form.add_lines()
    elif point is not None and form.validate_on_submit():
        response = post_form(
            form, lambda: services.pack_box(current_user, db.session, point,
                                            form.data_for_service()),
            kind="box", first=_box_url, fallback=url_for("boxes.box_list_view"),
            success=_packed)
        if response:
            return response
    return render_template("boxes/new.html", form=form, point=point, points=points,
                           point_choices=point_choices(points), point_label=point_label)


# --- one box ---------------------------------------------------------------------------------

def _send_form(box: Box, form: SendBoxForm | None = None) -> SendBoxForm:
    form = form or SendBoxForm(formdata=None)
    targets = [p for p in destinations(db.session, {box.organization_id}) if p.id != box.point_id]
    form.to_point_id.choices = choices([("", _("— choose —"))]
                                       + [(str(p.id), point_label(p)) for p in targets])
    return form


def _render_box(box: Box, **forms):
    """The box page; `forms` replaces a step's blank form by the one that was refused."""
    q = request.args.get("q", "").strip()[:50]
    shelf = box.state == BoxState.ON_SHELF
    may = {"send": shelf and can(current_user, "goods.transfer", box),
           "hand_out": shelf and can(current_user, "goods.distribute", box),
           "lose": shelf and can(current_user, "goods.write_off", box),
           "receive": box.state == BoxState.IN_TRANSIT and can(
               current_user, "goods.transfer",
               db.session.get(Transfer, box.transfer_id).to_point)}
    return render_template(
        "boxes/box.html", box=box, q=q, may=may, state_labels=STATE_LABELS,
        event_labels=EVENT_LABELS,
        short=shortfalls(db.session, box), plain_qty=plain_qty,
        households=find_households(db.session, box.point, q) if may["hand_out"] else [],
        send_form=forms.get("send") or (_send_form(box) if may["send"] else None),
        hand_out_form=HandOutForm(formdata=None), step_form=StepForm(formdata=None),
        lose_form=forms.get("lose") or LoseBoxForm(formdata=None))


@bp.route("/<int:box_id>")
@access("goods.view")
def box_view(box_id: int):
    return _render_box(load_box(box_id, "goods.view"))


def _box_step(box_id: int, permission: str, make_form, work, message, *, refused=None,
              then=None):
    """What every step of the box page does: load the box, post `work(box, form)` once for
    the form's one-time token, say `message(box)` and go back to the box (or to `then(box)`).
    A refusal goes next to the field of the page's form named `refused`, else it is flashed."""
    box = load_box(box_id, permission)
    form = make_form(box)
    if form.validate_on_submit():
        response = post_form(form if refused else None, lambda: work(box, form), kind="box",
                             first=_box_url, fallback=_box_url(box.id),
                             token=form.submission_token.data,
                             success=lambda done: (message(done),
                                                   (then or (lambda b: _box_url(b.id)))(done)))
        if response:
            return response
    if refused:
        return _render_box(box, **{refused: form}), 422
    return redirect(_box_url(box.id))


@bp.route("/<int:box_id>/send", methods=["POST"])
@access("goods.transfer")
def box_send(box_id: int):
    return _box_step(box_id, "goods.transfer", lambda box: _send_form(box, SendBoxForm()),
                     lambda box, form: services.send_box(current_user, db.session, box,
                                                         form.to_point_id.data),
                     lambda box: _("Box %(code)s sent.", code=box.code), refused="send")


@bp.route("/<int:box_id>/receive", methods=["POST"])
@access("goods.transfer")
def box_receive(box_id: int):
    return _box_step(box_id, "goods.transfer", lambda _box: StepForm(),
                     lambda box, _form: services.receive_box(current_user, db.session, box),
                     lambda box: _("Box %(code)s received.", code=box.code))


@bp.route("/<int:box_id>/hand-out", methods=["POST"])
@access("goods.distribute")
def box_hand_out(box_id: int):
    return _box_step(box_id, "goods.distribute", lambda _box: HandOutForm(),
                     lambda box, form: services.hand_out_box(current_user, db.session, box,
                                                             form.beneficiary_id.data),
                     lambda box: _("Box %(code)s handed out.", code=box.code),
                     then=lambda box: url_for("distributions.distribution_view",
                                              distribution_id=box.distribution_id))


@bp.route("/<int:box_id>/lose", methods=["POST"])
@access("goods.write_off")
def box_lose(box_id: int):
    def write_off(box: Box, form: LoseBoxForm) -> Box:
        return services.lose_box(current_user, db.session, box, form.note.data)

    return _box_step(box_id, "goods.write_off", lambda _box: LoseBoxForm(), write_off,
                     lambda box: _("Box %(code)s written off as lost.", code=box.code),
                     refused="lose")


# --- the stocktake's box check ---------------------------------------------------------------

@bp.route("/stocktakes/<int:stocktake_id>", methods=["GET", "POST"])
@access("goods.stocktake")
def box_check(stocktake_id: int):
    st = load(Stocktake, stocktake_id, "goods.stocktake")
    form = StepForm()
    back = url_for("stocktakes.stocktake_view", stocktake_id=st.id)
    if st.status != StocktakeStatus.APPROVED and form.validate_on_submit():
        found = request.form.getlist("found")
        response = post_form(None, lambda: services.count_boxes(
            current_user, db.session, st, [i for i in found if i.isdigit()]),
            kind="stocktake", first=lambda _i: back, fallback=back,
            token=form.submission_token.data,
            success=lambda _st: (_("Box check saved."), back))
        if response:
            return response
    return render_template("boxes/check.html", st=st, form=StepForm(formdata=None),
                           boxes=open_boxes_at(db.session, st.point_id), plain_qty=plain_qty,
                           editable=st.status != StocktakeStatus.APPROVED)
