"""Receipt settings of an organisation: the finance bureau's receipt allocations (票据代码 and
number ranges) and whether each receipt needs a second person's review (复核人)."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.core.extensions import db
from charity.funds import queries, receipt_queries
from charity.funds.forms.receipts import AllocationForm, ReviewPolicyForm
from charity.funds.services import receipt_allocation as services
from charity.orgs.models import Organization
from charity.web.access import access, load
from charity.web.forms import choices
from charity.web.posting import post_form

bp = Blueprint("receipt_settings", __name__, url_prefix="/staff/receipts/settings")
PERMISSION = "receipts.finance"


def _forms(allocation_form=None, policy_form=None):
    orgs = queries.organisations(current_user)
    allocation_form = allocation_form or AllocationForm(formdata=None)
    policy_form = policy_form or ReviewPolicyForm(formdata=None)
    for form in (allocation_form, policy_form):
        form.organization_id.choices = choices((o.id, o.name) for o in orgs)
        if form.organization_id.data is None and orgs:
            form.organization_id.data = orgs[0].id
    return orgs, allocation_form, policy_form


def _page(allocation_form=None, policy_form=None):
    shown = policy_form is None
    orgs, allocation_form, policy_form = _forms(allocation_form, policy_form)
    review = receipt_queries.review_settings(orgs)
    if shown:  # the switch starts as the setting stands
        policy_form.review_required.data = review.get(policy_form.organization_id.data, False)
    return render_template("funds/receipt_settings.html", organisations=orgs,
                           allocations=receipt_queries.receipt_allocations(current_user),
                           review=review,
                           form=allocation_form, policy_form=policy_form,
                           show_org=len(orgs) > 1)


@bp.route("/")
@access(PERMISSION)
def settings():
    return _page()


@bp.route("/allocations", methods=["POST"])
@access(PERMISSION)
def allocation_new():
    _orgs, form, _policy = _forms(AllocationForm())
    if form.validate_on_submit():
        org = load(Organization, form.organization_id.data, PERMISSION)
        here = url_for("receipt_settings.settings")
        response = post_form(
            form, lambda: services.add_allocation(current_user, db.session, org,
                                                  form.data_for_service()),
            fallback=here, success=lambda allocation: (
                _("Receipt numbers %(code)s recorded.", code=allocation.bill_code), here))
        if response:
            return response
    return _page(allocation_form=form)


@bp.route("/review", methods=["POST"])
@access(PERMISSION)
def review_policy():
    _orgs, _allocation, form = _forms(policy_form=ReviewPolicyForm())
    if form.validate_on_submit():
        org = load(Organization, form.organization_id.data, PERMISSION)
        here = url_for("receipt_settings.settings")
        response = post_form(
            form, lambda: services.set_review_required(current_user, db.session, org,
                                                       form.review_required.data),
            token="", fallback=here, success=lambda _policy: (_("Setting saved."), here))
        if response:
            return response
    return _page(policy_form=form)
