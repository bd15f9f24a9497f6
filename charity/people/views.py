"""Donor screens: list, register, edit, and each donor's giving history."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can, has_permission, scope_organizations
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.web.forms import choices
from charity.funds.models import FundEntry, Receipt
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.orgs.models import Organization
from charity.people import services
from charity.people.forms import DONOR_KIND_LABELS, PRIVATE_FIELDS, DonorForm, NewDonorForm
from charity.people.models import Donor, DonorKind
from charity.web.access import MAX_PAGE, access, contains, load, page_arg, paginate, show_domain_error

bp = Blueprint("donors", __name__, url_prefix="/staff/donors")

RESULT_PREFIX = "donor:"


def masked_address(value: str) -> str:
    """Keep the province/city part of an address (its first six characters), hide the rest."""
    value = value or ""
    keep = 6
    if len(value) <= keep:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - keep)


def _context() -> dict:
    return {"kind_labels": DONOR_KIND_LABELS, "masked_address": masked_address}


@bp.route("/")
@access("donors.view")
def donor_list():
    stmt = scope_organizations(current_user, sa.select(Donor), Donor.organization_id)
    q = request.args.get("q", "").strip()[:100]
    if q:
        stmt = stmt.where(sa.or_(contains(Donor.name, q), contains(Donor.phone, q)))
    kind = request.args.get("kind", "")
    if kind in set(DonorKind):
        stmt = stmt.where(Donor.kind == kind)
    page = paginate(stmt.order_by(Donor.name, Donor.id))
    return render_template("people/donor_list.html", page=page, q=q, kind=kind, **_context())


def _org_choices() -> list[Organization]:
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    return list(db.session.scalars(stmt.where(Organization.active.is_(True))
                                   .order_by(Organization.name)))


@bp.route("/new", methods=["GET", "POST"])
@access("donors.create")
def donor_new():
    form = NewDonorForm()
    orgs = _org_choices()
    form.organization_id.choices = choices(
        [("", _("Choose…"))] * (len(orgs) > 1) + [(o.id, o.name) for o in orgs])
    if request.method == "GET":
        form.submission_token.data = new_token()
        if len(orgs) == 1:
            form.organization_id.data = orgs[0].id
    if form.validate_on_submit():
        org = load(Organization, form.organization_id.data, "donors.create")
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            donor = services.create_donor(current_user, db.session, org,
                                          form.data_for_service())
            record_result(token, f"{RESULT_PREFIX}{donor.id}")
        except AlreadySubmitted as done:
            db.session.rollback()
            first = done.result.removeprefix(RESULT_PREFIX)
            if first.isdigit():
                return redirect(url_for("donors.donor_view", donor_id=int(first)))
            return redirect(url_for("donors.donor_list"))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Donor %(name)s registered.", name=donor.name), "success")
            return redirect(url_for("donors.donor_view", donor_id=donor.id))
    return render_template("people/donor_form.html", form=form, donor=None,
                           show_org=len(orgs) > 1, private_hidden=False, **_context())


@bp.route("/<int:donor_id>/edit", methods=["GET", "POST"])
@access("donors.edit")
def donor_edit(donor_id: int):
    donor = load(Donor, donor_id, "donors.edit")
    # Someone who may edit but not see private data gets those fields empty: an empty
    # field keeps the stored value, a filled one replaces it.
    private_ok = can(current_user, "donors.private", donor)
    form = DonorForm(obj=donor)
    if request.method == "GET":
        form.kind.data = donor.kind.value
        if not private_ok:
            for name in PRIVATE_FIELDS:
                form[name].data = ""
    if not private_ok:
        shown = {"phone": donor.masked_phone, "address": masked_address(donor.address),
                 "id_code": donor.masked_id_code}
        for name in PRIVATE_FIELDS:
            form[name].render_kw = {"placeholder": shown[name]}
    if form.validate_on_submit():
        try:
            services.update_donor(current_user, db.session, donor,
                                  form.data_for_service(keep_blank_private=private_ok))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("donors.donor_view", donor_id=donor.id))
    return render_template("people/donor_form.html", form=form, donor=donor, show_org=False,
                           private_hidden=not private_ok, **_context())


@bp.route("/<int:donor_id>")
@access("donors.view")
def donor_view(donor_id: int):
    donor = load(Donor, donor_id, "donors.view")
    entries = None
    # The money ledger is for readers (funds.view); volunteers see the receipts only.
    if has_permission(current_user, "funds.view"):
        entries = paginate(
            sa.select(FundEntry).where(FundEntry.donor_id == donor.id)
            .options(sa.orm.selectinload(FundEntry.campaign),
                     sa.orm.selectinload(FundEntry.project),
                     sa.orm.selectinload(FundEntry.receipt))
            .order_by(FundEntry.entry_date.desc(), FundEntry.id.desc()))
    try:
        receipt_page = min(max(int(request.args.get("rpage", 1)), 1), MAX_PAGE)
    except ValueError:
        receipt_page = 1
    receipts = db.paginate(
        sa.select(Receipt).where(Receipt.donor_id == donor.id)
        .order_by(Receipt.issued_on.desc(), Receipt.id.desc()),
        page=receipt_page, per_page=current_app.config["CHARITY_PAGE_SIZE"],
        error_out=False, count=True)
    return render_template("people/donor_view.html", donor=donor, entries=entries,
                           receipts=receipts, page_number=page_arg(),
                           private_ok=can(current_user, "donors.private", donor),
                           **_context())
