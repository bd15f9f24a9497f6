"""The `donors` blueprint: list, register, edit, and each donor's giving history."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can, has_permission
from charity.core.extensions import db
from charity.orgs.forms import start_new_record
from charity.orgs.models import Organization
from charity.orgs.queries import active_organizations
from charity.people import services
from charity.people.forms.donors import DONOR_KIND_LABELS, DonorForm, NewDonorForm
from charity.people.models import Donor, masked_address
from charity.people.queries import donors as queries
from charity.web.access import MAX_PAGE, access, load, page_arg, paginate
from charity.web.keyset import keyset_paginate
from charity.web.posting import post_or_show, to_record

bp = Blueprint("donors", __name__, url_prefix="/staff/donors")


def _context() -> dict:
    return {"kind_labels": DONOR_KIND_LABELS, "masked_address": masked_address}


def _view_url(donor_id: int) -> str:
    return url_for("donors.donor_view", donor_id=donor_id)


@bp.route("/")
@access("donors.view")
def donor_list():
    q, kind = request.args.get("q", "").strip()[:100], request.args.get("kind", "")
    page = keyset_paginate(queries.donor_list(current_user, q, kind), (Donor.name, Donor.id),
                           descending=False)
    return render_template("people/donor_list.html", page=page, q=q, kind=kind, **_context())


@bp.route("/new", methods=["GET", "POST"])
@access("donors.create")
def donor_new():
    form = NewDonorForm()
    orgs = active_organizations(current_user)
    start_new_record(form, orgs, _("Choose…"))
    return post_or_show(
        form, lambda: services.create_donor(
            current_user, db.session, load(Organization, form.organization_id.data,
                                           "donors.create"), form.data_for_service()),
        lambda: render_template("people/donor_form.html", form=form, donor=None,
                                show_org=len(orgs) > 1, private_hidden=False, **_context()),
        kind="donor", **to_record(_view_url, lambda donor: _(
            "Donor %(name)s registered.", name=donor.name), fallback=url_for("donors.donor_list")))


@bp.route("/<int:donor_id>/edit", methods=["GET", "POST"])
@access("donors.edit")
def donor_edit(donor_id: int):
    donor = load(Donor, donor_id, "donors.edit")
    private_ok = can(current_user, "donors.private", donor)
    form = DonorForm(obj=donor)
    if request.method == "GET":
        form.kind.data = donor.kind.value
    if not private_ok:
        form.hide_private(donor)
    return post_or_show(
        form, lambda: services.update_donor(current_user, db.session, donor,
                                            form.data_for_service(keep_blank_private=private_ok)),
        lambda: render_template("people/donor_form.html", form=form, donor=donor, show_org=False,
                                private_hidden=not private_ok, **_context()),
        success=lambda _obj: (_("Changes saved."), _view_url(donor.id)),
        fallback=_view_url(donor.id))


def _receipt_page() -> int:
    try:
        return min(max(int(request.args.get("rpage", 1)), 1), MAX_PAGE)
    except ValueError:
        return 1


@bp.route("/<int:donor_id>")
@access("donors.view")
def donor_view(donor_id: int):
    donor = load(Donor, donor_id, "donors.view")
    # The money ledger is for readers (funds.view); volunteers see the receipts only.
    entries = paginate(queries.donor_entries(donor)) \
        if has_permission(current_user, "funds.view") else None
    receipts = db.paginate(queries.donor_receipts(donor), page=_receipt_page(),
                           per_page=current_app.config["CHARITY_PAGE_SIZE"], error_out=False,
                           count=True)
    return render_template("people/donor_view.html", donor=donor, entries=entries,
                           receipts=receipts, page_number=page_arg(),
                           private_ok=can(current_user, "donors.private", donor),
                           **_context())
