"""The `beneficiaries` blueprint: households (受助对象), private data masked by role.

Volunteers see a household's name, community, categories, certification and points, the
phone masked, the ID number masked and no address; readers (beneficiaries.private) also see
the phone and the address. The full ID number is never stored. Nothing private is flashed
or logged: messages name no household.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can, has_permission
from charity.core.extensions import db
from charity.core.roles import Role
from charity.orgs.forms import start_new_record
from charity.orgs.models import Organization
from charity.orgs.queries import active_organizations
from charity.people import beneficiaries as services
from charity.people.forms.households import BeneficiaryForm, EraseForm, NewBeneficiaryForm
from charity.people.models import BENEFICIARY_CATEGORY_NAMES, Beneficiary
from charity.people.queries import households as queries
from charity.web.access import access, load, paginate
from charity.web.keyset import keyset_paginate
from charity.web.forms import ConfirmForm
from charity.web.points import staff_today
from charity.web.posting import post_or_show, to_record
from charity.web.switching import post_switch

bp = Blueprint("beneficiaries", __name__, url_prefix="/staff/beneficiaries")


def _context(today: dt.date) -> dict:
    return {"category_names": queries.category_names,
            "categories": BENEFICIARY_CATEGORY_NAMES, "today": today,
            "certification_state": lambda b: queries.certification_state(b, today)}


def _view_url(beneficiary_id: int) -> str:
    return url_for("beneficiaries.beneficiary_view", beneficiary_id=beneficiary_id)


def _erased(household: Beneficiary, category: str):
    """An erased household cannot be changed: say so, back to its page."""
    flash(_("This record was erased on request."), category)
    return redirect(_view_url(household.id))


def _id_key() -> bytes:
    return current_app.config["CHARITY_ID_HASH_KEY"]


@bp.route("/")
@access("beneficiaries.view")
def beneficiary_list():
    today = staff_today()
    args = {"q": request.args.get("q", "").strip()[:100],
            **{name: request.args.get(name, "") for name in ("category", "cert", "status")}}
    page = keyset_paginate(queries.household_list(
        current_user, args, today, by_last4=has_permission(current_user,
                                                          "beneficiaries.private")),
        (Beneficiary.name, Beneficiary.id), descending=False)
    due, due_total = queries.recertification_reminders(current_user, today)
    return render_template("people/beneficiary_list.html", page=page, args=args, due=due,
                           due_total=due_total, confirm=ConfirmForm(), **_context(today))


@bp.route("/new", methods=["GET", "POST"])
@access("beneficiaries.manage")
def beneficiary_new():
    form = NewBeneficiaryForm()
    orgs = active_organizations(current_user)
    start_new_record(form, orgs, _("Choose…"))
    if request.method == "GET":
        form.certified_until.data = staff_today() + dt.timedelta(days=365)
    return post_or_show(
        form, lambda: services.register(
            current_user, db.session,
            load(Organization, form.organization_id.data, "beneficiaries.manage"),
            form.data_for_service(), id_key=_id_key()),
        lambda: render_template("people/beneficiary_form.html", form=form, household=None,
                                show_org=len(orgs) > 1),
        # The message names no one: flashed text ends up in screenshots and logs.
        kind="beneficiary", **to_record(_view_url, _("Household registered."),
                                        fallback=url_for("beneficiaries.beneficiary_list")))


@bp.route("/<int:beneficiary_id>/edit", methods=["GET", "POST"])
@access("beneficiaries.manage")
def beneficiary_edit(beneficiary_id: int):
    household = load(Beneficiary, beneficiary_id, "beneficiaries.manage")
    if household.erased_at is not None:
        return _erased(household, "error")
    form = BeneficiaryForm(obj=household)
    if request.method == "GET":
        form.id_number.data = ""  # write-only (the model has no such attribute anyway)
    if household.id_number_last4:
        form.id_number.description = _(
            "Registered, ending in %(last4)s. Leave empty to keep it; type a new number to "
            "replace it.", last4=household.id_number_last4)
    return post_or_show(
        form, lambda: services.update(current_user, db.session, household,
                                      form.data_for_service(), id_key=_id_key()),
        lambda: render_template("people/beneficiary_form.html", form=form, household=household,
                                show_org=False),
        success=lambda _obj: (_("Changes saved."), _view_url(household.id)),
        fallback=_view_url(household.id))


@bp.route("/<int:beneficiary_id>")
@access("beneficiaries.view")
def beneficiary_view(beneficiary_id: int):
    household = load(Beneficiary, beneficiary_id, "beneficiaries.view")
    org = db.session.get(Organization, household.organization_id)
    today = staff_today(org)
    return render_template(
        "people/beneficiary_view.html", household=household, org=org,
        history=paginate(queries.distribution_history(household)),
        points=queries.points_left([household], today)[household.id],
        private_ok=can(current_user, "beneficiaries.private", household),
        manage=can(current_user, "beneficiaries.manage", household), confirm=ConfirmForm(),
        many_orgs=current_user.role == Role.ADMIN, **_context(today))


@bp.route("/<int:beneficiary_id>/active", methods=["POST"])
@access("beneficiaries.manage")
def beneficiary_toggle(beneficiary_id: int):
    household = load(Beneficiary, beneficiary_id, "beneficiaries.manage")
    return post_switch(
        lambda on: services.set_active(current_user, db.session, household, on),
        on=_("Household reactivated."), off=_("Household deactivated."),
        back=_view_url(household.id))


@bp.route("/<int:beneficiary_id>/erase", methods=["GET", "POST"])
@access("beneficiaries.manage")
def beneficiary_erase(beneficiary_id: int):
    household = load(Beneficiary, beneficiary_id, "beneficiaries.manage")
    if household.erased_at is not None:
        return _erased(household, "info")
    form = EraseForm()
    return post_or_show(
        form, lambda: services.erase(current_user, db.session, household),
        lambda: render_template("people/beneficiary_erase.html", form=form, household=household),
        success=lambda _obj: (_("The household's personal data was erased; its distributions "
                                "remain."), _view_url(household.id)),
        fallback=_view_url(household.id))
