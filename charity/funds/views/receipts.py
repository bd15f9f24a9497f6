"""Receipts: list, view, print, PDF, void, review (复核), the finance platform's number."""
from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.extensions import db
from charity.funds.queries import receipts as receipt_queries
from charity.funds.forms.receipts import (PAPERS, STATUS_LABELS, PlatformNumberForm,
                                          VoidForm)
from charity.funds.models import Receipt
from charity.funds.receipt_pdf import pdf_filename, receipt_document, render_receipt_pdf
from charity.funds.services import receipts as services
from charity.web.access import access, load
from charity.web.downloads import private_file
from charity.web.forms import ConfirmForm
from charity.web.keyset import keyset_paginate
from charity.web.posting import post_form, post_or_show
from charity.web.public_url import public_root

bp = Blueprint("receipts", __name__, url_prefix="/staff/receipts")


@bp.route("/")
@access("receipts.view")
def receipt_list():
    q = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    year = request.args.get("year", "")
    if not (year.isascii() and year.isdigit() and len(year) == 4):
        year = ""
    stmt, years = receipt_queries.receipt_list(current_user, q, status if status in STATUS_LABELS
                                       else "", int(year) if year else None)
    page = keyset_paginate(stmt, (Receipt.year, Receipt.id))
    return render_template("funds/receipt_list.html", page=page, q=q, status=status,
                           year=year, years=years, status_labels=STATUS_LABELS)


def _view_url(receipt: Receipt) -> str:
    return url_for("receipts.receipt_view", receipt_id=receipt.id)


def _render_view(receipt: Receipt, void_form: VoidForm, platform_form=None):
    # Counters print receipts on an 80 mm roll unless told otherwise (issue 15);
    # ?paper=dialog leaves the paper to the print dialog.
    paper = request.args.get("paper", "80")
    doc = receipt_document(receipt, base_url=public_root(),
                           reveal_private=can(current_user, "donors.private", receipt))
    pending = doc.review_pending
    return render_template(
        "funds/receipt_view.html", doc=doc, receipt=receipt, void_form=void_form,
        paper=paper if paper in PAPERS else "", papers=PAPERS, status_labels=STATUS_LABELS,
        can_void=can(current_user, "receipts.void", receipt), review_pending=pending,
        can_review=pending and can(current_user, "receipts.review", receipt)
        and current_user.id != receipt.issued_by_id,
        review_form=ConfirmForm(), platform_form=platform_form or PlatformNumberForm(
            formdata=None, platform_number=receipt.platform_number),
        can_record_platform=can(current_user, "receipts.finance", receipt))


@bp.route("/<int:receipt_id>")
@access("receipts.view")
def receipt_view(receipt_id: int):
    return _render_view(load(Receipt, receipt_id, "receipts.view"), VoidForm())


@bp.route("/<int:receipt_id>.pdf")
@access("receipts.view")
def receipt_pdf(receipt_id: int):
    receipt = load(Receipt, receipt_id, "receipts.view")
    pdf = render_receipt_pdf(receipt, base_url=public_root(),
                             reveal_private=can(current_user, "donors.private", receipt),
                             render=render_template)
    return private_file(io.BytesIO(pdf), "application/pdf", pdf_filename(receipt),
                        attachment=False)


@bp.route("/<int:receipt_id>/void", methods=["POST"])
@access("receipts.void")
def receipt_void(receipt_id: int):
    receipt = load(Receipt, receipt_id, "receipts.void")
    form = VoidForm()
    view = _view_url(receipt)
    return post_or_show(
        form, lambda: services.void_receipt(current_user, db.session, receipt, form.reason.data),
        lambda: _render_view(receipt, form), fallback=view, success=lambda voided: (
            _("Receipt %(number)s voided. Its number stays used.", number=voided.number), view))


@bp.route("/<int:receipt_id>/review", methods=["POST"])
@access("receipts.review")
def receipt_review(receipt_id: int):
    receipt = load(Receipt, receipt_id, "receipts.review")
    view = _view_url(receipt)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired"), "error")
        return redirect(view)
    # No form to show a refusal on (a button): it is flashed above the receipt.
    return post_form(None, lambda: services.review_receipt(current_user, db.session, receipt),
                     token="", fallback=view, success=lambda reviewed: (
                         _("Receipt %(number)s reviewed.", number=reviewed.number), view))


@bp.route("/<int:receipt_id>/platform-number", methods=["POST"])
@access("receipts.finance")
def receipt_platform_number(receipt_id: int):
    receipt = load(Receipt, receipt_id, "receipts.finance")
    form = PlatformNumberForm()
    view = _view_url(receipt)
    return post_or_show(
        form, lambda: services.record_platform_number(current_user, db.session, receipt,
                                                      form.platform_number.data),
        lambda: _render_view(receipt, VoidForm(formdata=None), platform_form=form),
        token="", fallback=view, success=lambda _saved: (
            _("Electronic receipt number recorded."), view))
