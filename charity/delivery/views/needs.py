"""The `delivery_needs` blueprint: record why a household needs home delivery and where to
(managers, who already see households' private details)."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.core.extensions import db
from charity.delivery import queries
from charity.delivery.forms import NEED_REASONS, NeedForm
from charity.delivery.services import record_need
from charity.people.models import Beneficiary
from charity.web.access import access, load
from charity.web.forms import choices
from charity.web.posting import post_form
from charity.wishes.queries.staff import households

bp = Blueprint("delivery_needs", __name__, url_prefix="/staff/deliveries/needs")


@bp.route("", methods=["GET", "POST"])
@access("beneficiaries.manage")
def needs():
    form = NeedForm()
    form.beneficiary_id.choices = choices([("", "—")] + [
        (str(b.id), f"{b.name}（{b.community}）" if b.community else b.name)
        for b in households(current_user, None)])
    if request.method == "GET" and request.args.get("beneficiary"):
        form.beneficiary_id.data = request.args["beneficiary"]
    if form.validate_on_submit():
        household = load(Beneficiary, form.beneficiary_id.data, "beneficiaries.manage")
        response = post_form(
            form, lambda: record_need(current_user, db.session, household, form.data),
            kind="delivery_need", fallback=url_for("delivery_needs.needs"),
            success=lambda _need: (_("Delivery need saved."), url_for("delivery_needs.needs")))
        if response:
            return response
    return render_template("delivery/needs.html", form=form, reasons=NEED_REASONS,
                           needs=queries.needs(db.session, current_user))
