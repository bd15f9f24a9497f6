"""Receipts: list, view, print, PDF, void."""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from charity.auth.permissions import can, scope_organizations
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.web.forms import strip
from charity.funds.services import receipts as services
from charity.funds.models import Receipt, ReceiptStatus
from charity.funds.receipt_pdf import pdf_filename, receipt_document, render_receipt_pdf
from charity.core.i18n import _l
from charity.web.access import access, contains, load, paginate, show_domain_error

bp = Blueprint("receipts", __name__, url_prefix="/staff/receipts")

PAPERS = ("a4", "80", "58")


class VoidForm(FlaskForm):
    reason = TextAreaField(_l("Reason for voiding"), filters=[strip],
                           validators=[DataRequired(_l("Say why the receipt is voided.")),
                                       Length(max=500)])


STATUS_LABELS = {ReceiptStatus.ISSUED.value: _l("Issued"),
                 ReceiptStatus.VOIDED.value: _l("Voided")}


@bp.route("/")
@access("receipts.view")
def receipt_list():
    base = scope_organizations(current_user, sa.select(Receipt), Receipt.organization_id)
    stmt = base
    q = request.args.get("q", "").strip()[:100]
    if q:
        stmt = stmt.where(sa.or_(contains(Receipt.number, q), contains(Receipt.payer_name, q)))
    status = request.args.get("status", "")
    if status in STATUS_LABELS:
        stmt = stmt.where(Receipt.status == status)
    year = request.args.get("year", "")
    if year.isdigit() and len(year) == 4:
        stmt = stmt.where(Receipt.year == int(year))
    else:
        year = ""
    years = db.session.scalars(
        base.with_only_columns(Receipt.year).distinct().order_by(Receipt.year.desc())).all()
    page = paginate(stmt.order_by(Receipt.year.desc(), Receipt.seq.desc(), Receipt.id.desc()))
    return render_template("funds/receipt_list.html", page=page, q=q, status=status,
                           year=year, years=years, status_labels=STATUS_LABELS)


def _render_view(receipt: Receipt, void_form: VoidForm):
    paper = request.args.get("paper", "")
    doc = receipt_document(receipt, base_url=request.host_url,
                           reveal_private=can(current_user, "donors.private", receipt))
    return render_template("funds/receipt_view.html", doc=doc, receipt=receipt,
                           void_form=void_form, paper=paper if paper in PAPERS else "",
                           papers=PAPERS, status_labels=STATUS_LABELS,
                           can_void=can(current_user, "receipts.void", receipt))


@bp.route("/<int:receipt_id>")
@access("receipts.view")
def receipt_view(receipt_id: int):
    receipt = load(Receipt, receipt_id, "receipts.view")
    return _render_view(receipt, VoidForm())


@bp.route("/<int:receipt_id>.pdf")
@access("receipts.view")
def receipt_pdf(receipt_id: int):
    receipt = load(Receipt, receipt_id, "receipts.view")
    pdf = render_receipt_pdf(receipt, base_url=request.host_url,
                             reveal_private=can(current_user, "donors.private", receipt),
                             render=render_template)
    response = send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=False,
                         download_name=pdf_filename(receipt), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:receipt_id>/void", methods=["POST"])
@access("receipts.void")
def receipt_void(receipt_id: int):
    receipt = load(Receipt, receipt_id, "receipts.void")
    form = VoidForm()
    if form.validate_on_submit():
        try:
            services.void_receipt(current_user, db.session, receipt, form.reason.data)
        except DomainError as e:
            db.session.rollback()
            if e.field:
                show_domain_error(form, e)
            else:
                # e.g. already void: the page no longer shows the void form, so say it above.
                flash(e.message, "error")
        else:
            db.session.commit()
            flash(_("Receipt %(number)s voided. Its number stays used.",
                    number=receipt.number), "success")
            return redirect(url_for("receipts.receipt_view", receipt_id=receipt.id))
    return _render_view(receipt, form)
