"""Box labels: a QR code that opens the box's page (its code at the site's public address,
decision 0019), the code in letters, what the box holds and its point — on an A4 sheet of
labels or one 58 mm roll label, printed by the browser (print CSS, like the 58 mm slips)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from markupsafe import Markup

from charity.boxes.models import Box, BoxState
from charity.boxes.queries import box_list
from charity.boxes.views.boxes import load_box
from charity.core.extensions import db
from charity.goods.quantities import plain_qty
from charity.reports.qr import qr_svg
from charity.web.access import access, int_arg
from charity.web.public_url import public_url

bp = Blueprint("box_labels", __name__, url_prefix="/staff/boxes")

SHEET_LIMIT = 21 * 10  # ten A4 sheets of 3 × 7 labels at most per print


def qr_of(box: Box, size: str) -> Markup:
    """The label's QR code: built by ElementTree, which escapes everything (safe markup)."""
    return Markup(qr_svg(public_url("boxes.box_open", box=box.code), size=size,
                         error_correction="Q", title=box.code))


@bp.route("/<int:box_id>/label")
@access("goods.view")
def box_label(box_id: int):
    """One 58 mm roll label."""
    box = load_box(box_id, "goods.view")
    return render_template("boxes/label_58.html", box=box, qr=qr_of(box, "40mm"),
                           plain_qty=plain_qty)


@bp.route("/labels")
@access("goods.view")
def label_sheet():
    """A4 sheets of labels: the boxes named (?box=1&box=2), else the boxes on the shelf of
    the point chosen (?point=), newest first."""
    ids = [int(raw) for raw in request.args.getlist("box") if raw.isdigit() and len(raw) < 10]
    stmt = box_list(current_user, int_arg("point"),
                    None if ids else BoxState.ON_SHELF.value)
    if ids:
        stmt = stmt.where(Box.id.in_(ids))
    boxes = db.session.scalars(stmt.limit(SHEET_LIMIT)).unique().all()
    labels = [(box, qr_of(box, "26mm")) for box in boxes]
    return render_template("boxes/label_sheet.html", labels=labels, plain_qty=plain_qty)
