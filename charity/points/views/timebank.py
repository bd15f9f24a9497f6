"""The `timebank` blueprint: a volunteer's own page (hours, points, expiry notice, gifts,
consent), the manager's page (terms, hours to review) and the counter where a volunteer
spends points on goods."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.core.clock import org_today
from charity.core.extensions import db
from charity.core.roles import Role
from charity.goods.queries.counter import counter_batches
from charity.goods.counter import expiry_context, open_counter, pressed
from charity.orgs.models import Organization
from charity.orgs.queries import active_organizations
from charity.people.models import Shift, Volunteer
from charity.people.queries.volunteers import own_volunteer_id
from charity.points import queries
from charity.points.forms import (KIND_LABELS, AdjustForm, ConsentForm, GiveForm, RedeemForm, ReviewForm,
                                  TermsForm)
from charity.points.services import earning, spending
from charity.web.access import access, load, parse_id
from charity.web.forms import choices
from charity.web.points import offered, point_label
from charity.web.posting import post_form

bp = Blueprint("timebank", __name__, url_prefix="/staff/timebank")


# --- the volunteer's own page ----------------------------------------------------------------

@bp.route("/me", methods=["GET", "POST"])
@access("timebank.own")
def mine():
    volunteer_id = own_volunteer_id(current_user)
    volunteer = db.session.get(Volunteer, volunteer_id) if volunteer_id else None
    if volunteer is None:
        return render_template("points/mine.html", volunteer=None)
    org = db.session.get(Organization, volunteer.organization_id)
    today = org_today(org)
    action = request.form.get("action") if request.method == "POST" else None
    give = GiveForm() if action == "give" else GiveForm(formdata=None)
    give.beneficiary_id.choices = choices(
        [("", _("— choose —"))] + [(str(i), label) for i, label in
                                   queries.certified_households(db.session, org.id, today)])
    consent = ConsentForm() if action == "consent" else ConsentForm(formdata=None)
    back = url_for("timebank.mine")
    if action == "give" and give.validate_on_submit():
        response = post_form(give, lambda: spending.give(current_user, db.session, volunteer, {
            "beneficiary_id": give.beneficiary_id.data, "points": give.points.data,
            "note": give.note.data}), kind="points_gift", fallback=back,
            success=lambda e: (_("%(n)d points given.", n=-e.amount), back))
        if response:
            return response
    elif action == "consent" and consent.validate_on_submit():
        response = post_form(consent, lambda: earning.set_consent(
            current_user, db.session, volunteer, consent.publish_name.data),
            kind="points_consent", fallback=back, success=lambda _a: (_("Changes saved."), back))
        if response:
            return response
    info = queries.summary(db.session, volunteer, today)
    if action != "consent":
        consent.publish_name.data = bool(info.account and info.account.publish_name)
    return render_template("points/mine.html", volunteer=volunteer, info=info, give=give,
                           consent=consent, today=today, kind_labels=KIND_LABELS)


# --- the manager's page: terms and hours to review -------------------------------------------

def _org() -> Organization | None:
    if current_user.role != Role.ADMIN:
        return current_user.organization
    orgs = active_organizations(current_user)
    raw = request.form.get("org") or request.args.get("org")
    return offered(raw, orgs) or (orgs[0] if orgs else None)


@bp.route("/", methods=["GET", "POST"])
@access("timebank.manage")
def manage():
    org = _org()
    if org is None:
        abort(404)
    today = org_today(org)
    action = request.form.get("action") if request.method == "POST" else None
    terms_form = TermsForm() if action == "terms" else TermsForm(formdata=None)
    back = url_for("timebank.manage", org=org.id)
    if action == "terms" and terms_form.validate_on_submit():
        response = post_form(terms_form, lambda: earning.set_terms(
            current_user, db.session, org, {
                "points_per_hour": terms_form.points_per_hour.data,
                "expiry_months": terms_form.expiry_months.data,
                "effective_from": terms_form.effective_from.data}, today=today),
            kind="points_terms", fallback=back,
            success=lambda _t: (_("The new rate is saved."), back))
        if response:
            return response
    if action == "review":
        return _review(back)
    adjust_form = _adjust_form(org, action)
    if action == "adjust" and adjust_form.validate_on_submit():
        response = _adjust(adjust_form, org, back)
        if response:
            return response
    if action != "terms":
        terms_form.effective_from.data = today
    pending = queries.pending_reviews(db.session, org)
    reviews = {}
    for row in pending:
        f = ReviewForm(formdata=None)
        f.shift_id.data = str(row.shift.id)
        reviews[row.shift.id] = f
    return render_template("points/manage.html", org=org, terms=earning.terms_on(
        db.session, org.id, today), terms_form=terms_form, pending=pending, reviews=reviews,
        adjust_form=adjust_form, point_label=point_label)


def _adjust_form(org, action) -> AdjustForm:
    form = AdjustForm() if action == "adjust" else AdjustForm(formdata=None)
    form.volunteer_id.choices = choices([("", _("— choose —"))] + [
        (str(v.id), v.name) for v in queries.org_volunteers(db.session, org.id)])
    return form


def _adjust(form: AdjustForm, org, back: str):
    volunteer = db.session.get(Volunteer, parse_id(form.volunteer_id.data) or 0)
    if volunteer is None or volunteer.organization_id != org.id:
        form.volunteer_id.errors = [*form.volunteer_id.errors, _("Choose a volunteer.")]
        return None
    return post_form(form, lambda: earning.adjust(
        current_user, db.session, volunteer, form.points.data, form.reason.data),
        kind="points_adjust", fallback=back,
        success=lambda e: (_("Points adjusted."), back))


def _review(back: str):
    form = ReviewForm()
    shift_id = parse_id(form.shift_id.data)
    shift = db.session.get(Shift, shift_id) if shift_id else None
    if shift is None:
        abort(404)
    load(Volunteer, shift.volunteer_id, "timebank.manage")  # 403 outside the user's scope
    if not form.validate_on_submit():
        return redirect(back)
    approve = form.decision.data == "approve"
    # A refusal (no reason, reviewed already) is flashed: the list has one form per shift.
    return post_form(None, lambda: earning.review_hours(
        current_user, db.session, shift, approve, form.reason.data or ""),
        token=form.submission_token.data, kind="hours_review", fallback=back,
        success=lambda r: (_("Approved: %(n)d points.", n=r.points) if approve
                           else _("Hours rejected."), back))


# --- the counter -----------------------------------------------------------------------------

def _describe(item, stock) -> str:
    return _("%(name)s · %(points)d points", name=item.name, points=item.point_price)


@bp.route("/redeem", methods=["GET", "POST"])
@access("goods.distribute")
def redeem():
    form, people = RedeemForm(), []
    counter = open_counter(form, "goods.distribute", describe=_describe)
    if counter.point is not None:
        people = queries.org_volunteers(db.session, counter.point.organization_id)
    point = counter.point
    form.volunteer_id.choices = choices([("", _("— choose —"))] + [
        (str(v.id), v.name) for v in people])
    if not counter.posting:
        own = own_volunteer_id(current_user)
        form.volunteer_id.data = str(own) if own else ""
    if pressed("more"):
        form.add_lines()
    elif point is not None and form.validate_on_submit():
        back = url_for("timebank.redeem", point=point.id)
        response = post_form(
            form, lambda: spending.redeem(current_user, db.session, point,
                                          form.data_for_service()),
            kind="points_redemption", fallback=back,
            success=lambda doc: (_("Goods handed out; %(points)d points used.",
                                   points=doc.points_total), back))
        if response:
            return response
    return render_template("points/redeem.html", form=form, points=counter.points,
                           point=point, point_label=point_label,
                           batches=counter_batches(db.session, point), **expiry_context(point))
