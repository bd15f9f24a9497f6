"""Beneficiary households (private data masked by role).

Volunteers see a household's name, community, categories, certification and points, the
phone masked, the ID number masked and no address; readers (beneficiaries.private) also see
the phone and the address. The full ID number is never stored. Nothing private is flashed
or logged: messages name no household.
"""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.auth.permissions import can, has_permission, scope_organizations
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.core.roles import Role
from charity.goods.models import Distribution, DistributionLine
from charity.orgs.forms import ConfirmForm
from charity.orgs.models import Organization
from charity.people import beneficiaries as services
from charity.people.beneficiary_forms import BeneficiaryForm, EraseForm, NewBeneficiaryForm
from charity.people.models import BENEFICIARY_CATEGORY_NAMES, Beneficiary
from charity.people.queries import (
    RECERTIFY_WITHIN_DAYS,
    category_names,
    certification_state,
    points_left,
)
from charity.web.access import access, contains, load, paginate, show_domain_error
from charity.web.forms import choices
from charity.web.points import staff_today

bp = Blueprint("beneficiaries", __name__, url_prefix="/staff/beneficiaries")

RESULT_PREFIX = "beneficiary:"
REMINDER_LIMIT = 20
_LAST4 = re.compile(r"^\d{3}[\dX]$")


# --- helpers shared with the distribution screens --------------------------------------------

def _context(today: dt.date) -> dict:
    return {"category_names": category_names, "categories": BENEFICIARY_CATEGORY_NAMES,
            "certification_state": lambda b: certification_state(b, today), "today": today}


# --- list ------------------------------------------------------------------------------------

def _filtered(stmt, today: dt.date):
    """The list's search and filters. Volunteers search by name or community only; readers
    also by the last four characters of the ID number (never by phone: a search term ends
    up in the address bar and the server's access log)."""
    args = {"q": request.args.get("q", "").strip()[:100],
            "category": request.args.get("category", ""),
            "cert": request.args.get("cert", ""), "status": request.args.get("status", "")}
    if args["q"]:
        conditions = [contains(Beneficiary.name, args["q"]),
                      contains(Beneficiary.community, args["q"])]
        if has_permission(current_user, "beneficiaries.private") \
                and _LAST4.match(args["q"].upper()):
            conditions.append(Beneficiary.id_number_last4 == args["q"].upper())
        stmt = stmt.where(sa.or_(*conditions))
    if args["category"] in BENEFICIARY_CATEGORY_NAMES:
        # The categories are a JSON list of fixed codes: match the quoted code in its text.
        stmt = stmt.where(sa.cast(Beneficiary.categories, sa.Text)
                          .like(f'%"{args["category"]}"%'))
    else:
        args["category"] = ""
    soon = today + dt.timedelta(days=RECERTIFY_WITHIN_DAYS)
    if args["cert"] == "expiring":
        stmt = stmt.where(Beneficiary.certified_until >= today,
                          Beneficiary.certified_until <= soon)
    elif args["cert"] == "expired":
        stmt = stmt.where(sa.or_(Beneficiary.certified_until < today,
                                 Beneficiary.certified_until.is_(None)))
    elif args["cert"] == "valid":
        stmt = stmt.where(Beneficiary.certified_until >= today)
    else:
        args["cert"] = ""
    if args["status"] in ("active", "inactive"):
        stmt = stmt.where(Beneficiary.active.is_(args["status"] == "active"))
    else:
        args["status"] = ""
    return stmt, args


@bp.route("/")
@access("beneficiaries.view")
def beneficiary_list():
    today = staff_today()
    scoped = scope_organizations(current_user, sa.select(Beneficiary),
                                 Beneficiary.organization_id)
    stmt, args = _filtered(scoped, today)
    page = paginate(stmt.order_by(Beneficiary.name, Beneficiary.id))
    # The reminder box: active households whose certification ends within 30 days (the
    # rule of charity.people.beneficiaries.due_for_recertification, over the user's scope).
    due_stmt = scoped.where(
        Beneficiary.active.is_(True),
        Beneficiary.certified_until <= today + dt.timedelta(days=RECERTIFY_WITHIN_DAYS))
    due = db.session.scalars(due_stmt.order_by(Beneficiary.certified_until, Beneficiary.id)
                             .limit(REMINDER_LIMIT)).all()
    due_total = db.session.scalar(due_stmt.with_only_columns(sa.func.count(Beneficiary.id)))
    return render_template("people/beneficiary_list.html", page=page, args=args, due=due,
                           due_total=due_total, confirm=ConfirmForm(), **_context(today))


# --- register and edit -----------------------------------------------------------------------

def _org_choices() -> list[Organization]:
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    return list(db.session.scalars(stmt.where(Organization.active.is_(True))
                                   .order_by(Organization.name)))


@bp.route("/new", methods=["GET", "POST"])
@access("beneficiaries.manage")
def beneficiary_new():
    form = NewBeneficiaryForm()
    orgs = _org_choices()
    form.organization_id.choices = choices(
        [("", _("Choose…"))] * (len(orgs) > 1) + [(o.id, o.name) for o in orgs])
    if request.method == "GET":
        form.submission_token.data = new_token()
        if len(orgs) == 1:
            form.organization_id.data = orgs[0].id
        form.certified_until.data = staff_today() + dt.timedelta(days=365)
    if form.validate_on_submit():
        org = load(Organization, form.organization_id.data, "beneficiaries.manage")
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            household = services.register(current_user, db.session, org,
                                          form.data_for_service())
            record_result(token, f"{RESULT_PREFIX}{household.id}")
        except AlreadySubmitted as done:
            db.session.rollback()
            first = done.result.removeprefix(RESULT_PREFIX)
            if first.isdigit():
                return redirect(url_for("beneficiaries.beneficiary_view",
                                        beneficiary_id=int(first)))
            return redirect(url_for("beneficiaries.beneficiary_list"))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            # The message names no one: flashed text ends up in screenshots and logs.
            flash(_("Household registered."), "success")
            return redirect(url_for("beneficiaries.beneficiary_view",
                                    beneficiary_id=household.id))
    return render_template("people/beneficiary_form.html", form=form, household=None,
                           show_org=len(orgs) > 1)


@bp.route("/<int:beneficiary_id>/edit", methods=["GET", "POST"])
@access("beneficiaries.manage")
def beneficiary_edit(beneficiary_id: int):
    household = load(Beneficiary, beneficiary_id, "beneficiaries.manage")
    if household.erased_at is not None:
        flash(_("This record was erased on request."), "error")
        return redirect(url_for("beneficiaries.beneficiary_view", beneficiary_id=household.id))
    form = BeneficiaryForm(obj=household)
    if request.method == "GET":
        form.id_number.data = ""  # write-only (the model has no such attribute anyway)
    if household.id_number_last4:
        form.id_number.description = _(
            "Registered, ending in %(last4)s. Leave empty to keep it; type a new number to "
            "replace it.", last4=household.id_number_last4)
    if form.validate_on_submit():
        try:
            services.update(current_user, db.session, household, form.data_for_service())
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("beneficiaries.beneficiary_view",
                                    beneficiary_id=household.id))
    return render_template("people/beneficiary_form.html", form=form, household=household,
                           show_org=False)


# --- one household ---------------------------------------------------------------------------

@bp.route("/<int:beneficiary_id>")
@access("beneficiaries.view")
def beneficiary_view(beneficiary_id: int):
    household = load(Beneficiary, beneficiary_id, "beneficiaries.view")
    org = db.session.get(Organization, household.organization_id)
    today = staff_today(org)
    history = paginate(
        sa.select(Distribution).where(Distribution.beneficiary_id == household.id)
        .options(selectinload(Distribution.point), selectinload(Distribution.project),
                 selectinload(Distribution.lines).selectinload(DistributionLine.item_type))
        .order_by(Distribution.distributed_on.desc(), Distribution.id.desc()))
    return render_template(
        "people/beneficiary_view.html", household=household, org=org, history=history,
        points=points_left([household], today)[household.id],
        private_ok=can(current_user, "beneficiaries.private", household),
        manage=can(current_user, "beneficiaries.manage", household), confirm=ConfirmForm(),
        many_orgs=current_user.role == Role.ADMIN, **_context(today))


@bp.route("/<int:beneficiary_id>/active", methods=["POST"])
@access("beneficiaries.manage")
def beneficiary_toggle(beneficiary_id: int):
    household = load(Beneficiary, beneficiary_id, "beneficiaries.manage")
    if ConfirmForm().validate_on_submit():
        activate = request.form.get("active") == "1"
        if activate and household.erased_at is not None:
            flash(_("This record was erased on request."), "error")
        else:
            services.set_active(current_user, db.session, household, activate)
            db.session.commit()
            flash(_("Household reactivated.") if activate else _("Household deactivated."),
                  "success")
    return redirect(url_for("beneficiaries.beneficiary_view", beneficiary_id=household.id))


@bp.route("/<int:beneficiary_id>/erase", methods=["GET", "POST"])
@access("beneficiaries.manage")
def beneficiary_erase(beneficiary_id: int):
    household = load(Beneficiary, beneficiary_id, "beneficiaries.manage")
    if household.erased_at is not None:
        flash(_("This record was erased on request."), "info")
        return redirect(url_for("beneficiaries.beneficiary_view", beneficiary_id=household.id))
    form = EraseForm()
    if form.validate_on_submit():
        services.erase(current_user, db.session, household)
        db.session.commit()
        flash(_("The household's personal data was erased; its distributions remain."),
              "success")
        return redirect(url_for("beneficiaries.beneficiary_view", beneficiary_id=household.id))
    return render_template("people/beneficiary_erase.html", form=form, household=household)
