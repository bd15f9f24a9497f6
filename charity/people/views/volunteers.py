"""The `volunteers` blueprint: profiles, the sign-in board at a point, hours per month and
party members' participation."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.core.roles import Role
from charity.orgs.forms import start_new_record
from charity.orgs.models import CharityPoint, Organization
from charity.orgs.queries import active_organizations
from charity.people import volunteers as services
from charity.people.forms.volunteers import (
    SERVICE_TYPE_LABELS,
    SignInForm,
    SignOutForm,
    VolunteerForm,
)
from charity.people.models import Shift, Volunteer
from charity.people.queries import volunteers as queries
from charity.web.access import access, load, paginate, parse_id
from charity.web.forms import choices
from charity.web.points import offered, point_label, visible_points
from charity.web.posting import post_form

bp = Blueprint("volunteers", __name__, url_prefix="/staff/volunteers")


# --- which organisation, which year ----------------------------------------------------------

def _report_scope() -> tuple[list[Organization], Organization | None, int]:
    """What a report is about: the organisations offered, the one shown (the user's own;
    for an administrator the one picked with ?org=, else the first) and the year (?year=,
    else this year in that organisation)."""
    orgs = active_organizations(current_user)
    if current_user.role != Role.ADMIN:
        org = current_user.organization
    else:
        org = offered(request.args.get("org"), orgs) or (orgs[0] if orgs else None)
    this_year = org_today(org).year
    year = request.args.get("year", type=int) or this_year
    return orgs, org, (year if 2000 <= year <= this_year + 1 else this_year)


def _types_label(values) -> str:
    return "、".join(str(SERVICE_TYPE_LABELS.get(v, v)) for v in values or [])


# --- profiles --------------------------------------------------------------------------------

@bp.route("/")
@access("volunteers.view")
def volunteer_list():
    q = request.args.get("q", "").strip()[:100]
    party, service_type = request.args.get("party", ""), request.args.get("service", "")
    page = paginate(queries.volunteer_list(current_user, q, party, service_type))
    return render_template("people/volunteer_list.html", page=page, q=q, party=party,
                           service=service_type, service_labels=SERVICE_TYPE_LABELS,
                           types_label=_types_label)


def _new_org(form, orgs) -> Organization | None:
    """The new volunteer's organisation: the user's own; an administrator's choice (or
    the only one)."""
    if current_user.role != Role.ADMIN:
        return current_user.organization
    raw = form.organization_id.data if request.method == "POST" else request.args.get("org")
    return offered(raw, orgs) or (orgs[0] if len(orgs) == 1 else None)


def _save(form, work, message):
    """Post a profile form, saying `message(volunteer)`; back to the list. None: render the
    form again."""
    back = url_for("volunteers.volunteer_list")
    return post_form(form, work, kind="volunteer", fallback=back,
                     success=lambda volunteer: (message(volunteer), back))


@bp.route("/new", methods=["GET", "POST"])
@access("volunteers.manage")
def volunteer_new():
    form = VolunteerForm()
    orgs = active_organizations(current_user)
    start_new_record(form, orgs, _("— choose —"), as_text=True)
    org = _new_org(form, orgs)
    if org is not None:
        form.organization_id.data = str(org.id)
    form.offer_accounts(queries.free_accounts(org), _("— none —"))
    if form.validate_on_submit():
        if org is None:
            form.organization_id.errors = [*form.organization_id.errors,
                                           _("Choose the organisation.")]
        else:
            response = _save(form, lambda: services.create_volunteer(
                current_user, db.session, org, form.data_for_service()),
                lambda volunteer: _("Volunteer %(name)s registered.", name=volunteer.name))
            if response:
                return response
    return render_template("people/volunteer_form.html", form=form, volunteer=None,
                           pick_org=len(orgs) > 1)


@bp.route("/<int:volunteer_id>/edit", methods=["GET", "POST"])
@access("volunteers.manage")
def volunteer_edit(volunteer_id: int):
    volunteer = load(Volunteer, volunteer_id, "volunteers.manage")
    form = VolunteerForm(obj=volunteer)
    org = db.session.get(Organization, volunteer.organization_id)
    form.organization_id.choices = choices([(str(org.id), org.name)])
    form.organization_id.data = str(org.id)
    form.offer_accounts(queries.free_accounts(org, volunteer), _("— none —"))
    if request.method == "GET":
        form.user_id.data = str(volunteer.user_id) if volunteer.user_id else ""
    if form.validate_on_submit():
        response = _save(form, lambda: services.update_volunteer(
            current_user, db.session, volunteer, form.data_for_service()),
            lambda _volunteer: _("Changes saved."))
        if response:
            return response
    return render_template("people/volunteer_form.html", form=form, volunteer=volunteer,
                           pick_org=False)


# --- the sign-in board -----------------------------------------------------------------------

def _board_url(point_id):
    return url_for("volunteers.shift_board", point=point_id)


def _board(point, sign_in: SignInForm) -> dict:
    """What the board shows at `point`: who is signed in now (each with a sign-out form)
    and who served today; the sign-in form offers the organisation's volunteers."""
    board = queries.board(point)
    if point is not None:
        sign_in.offer_volunteers(board.volunteers, board.signed_in, _("— choose —"),
                                 _("signed in"))
    sign_outs = {}
    for s in board.open_shifts:
        f = SignOutForm(formdata=None)
        f.shift_id.data = str(s.id)
        sign_outs[s.id] = f
    return {"open_shifts": board.open_shifts, "sign_outs": sign_outs,
            "done_today": board.done_today}


@bp.route("/shifts", methods=["GET", "POST"])
@access("volunteers.shift")
def shift_board():
    points = visible_points("volunteers.shift")
    action = request.form.get("action") if request.method == "POST" else None
    if action == "sign_out":
        return _sign_out()
    if action == "sign_in":
        # The point the form was filled in at, never silently another one.
        point = offered(request.form.get("point_id"), points)
    else:
        point = offered(request.args.get("point"), points) or (
            points[0] if len(points) == 1 else None)
    form = SignInForm() if action == "sign_in" else SignInForm(formdata=None)
    if action != "sign_in":
        own = queries.own_volunteer_id(current_user)
        if own is not None:
            form.volunteer_id.data = str(own)
    if point is not None:
        form.point_id.data = str(point.id)
    if action == "sign_in" and form.validate_on_submit():
        response = _sign_in(form, point)
        if response is not None:
            return response
    return render_template("people/volunteer_shifts.html", form=form, point=point,
                           points=points, point_label=point_label,
                           service_labels=SERVICE_TYPE_LABELS, **_board(point, form))


def _sign_in(form, point):
    if point is None:
        form.form_errors.append(_("Choose the charity point first."))
        return None
    volunteer_id = parse_id(form.volunteer_id.data)
    volunteer = db.session.get(Volunteer, volunteer_id) if volunteer_id else None
    if volunteer is None or volunteer.organization_id != point.organization_id \
            or not volunteer.active:
        form.volunteer_id.errors = [*form.volunteer_id.errors, _("Choose a volunteer.")]
        return None
    return post_form(
        form, lambda: services.sign_in(current_user, db.session, volunteer, point,
                                       form.service_type.data),
        kind="shift", fallback=_board_url(point.id),
        success=lambda _s: (_("%(name)s signed in.", name=volunteer.name),
                            _board_url(point.id)))


def _sign_out():
    form = SignOutForm()
    shift_id = parse_id(form.shift_id.data)
    shift = db.session.get(Shift, shift_id) if shift_id else None
    if shift is None:
        abort(404)
    point = db.session.get(CharityPoint, shift.point_id) if shift.point_id else None
    if not can(current_user, "volunteers.shift", point if point is not None
               else shift.volunteer):
        abort(403)
    back = _board_url(shift.point_id)
    if not form.validate_on_submit():
        return redirect(back)
    # A refusal (already signed out, too long) is flashed: the board has no form to show it.
    return post_form(
        None, lambda: services.sign_out(current_user, db.session, shift),
        token=form.submission_token.data, kind="shift", fallback=back,
        success=lambda s: (_("%(name)s signed out after %(hours)s hours.",
                             name=s.volunteer.name, hours=s.hours), back))


# --- hours and participation -----------------------------------------------------------------

@bp.route("/hours")
@access("volunteers.view")
def hours():
    orgs, org, year = _report_scope()
    rows, month_totals = queries.hours_grid(org, year) if org is not None \
        else ([], [Decimal("0")] * 12)
    return render_template("people/volunteer_hours.html", org=org, orgs=orgs, year=year,
                           rows=rows, month_totals=month_totals,
                           grand_total=sum(month_totals, Decimal("0")),
                           pick_org=current_user.role == Role.ADMIN)


@bp.route("/dashboard")
@access("volunteers.view")
def dashboard():
    orgs, org, year = _report_scope()
    rows, overall = queries.participation_by_community(org, year) if org is not None \
        else ([], None)
    return render_template("people/volunteer_dashboard.html", org=org, orgs=orgs, year=year,
                           rows=rows, overall=overall, target=queries.PARTICIPATION_TARGET,
                           pick_org=current_user.role == Role.ADMIN)
