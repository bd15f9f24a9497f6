"""Volunteers, shifts, hours and participation."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.audit.services import diff, record
from charity.auth.models import User
from charity.auth.permissions import can, require, scope_organizations
from charity.core.clock import org_today
from charity.core.db import run_transaction
from charity.core.errors import DomainError, PermissionDenied, ValidationFailed
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.core.roles import Role
from charity.goods.forms.lines import mark, show_line_error
from charity.orgs.models import CharityPoint, Organization
from charity.people import volunteers as service
from charity.people.models import ServiceType, Shift, Volunteer
from charity.people.volunteer_forms import (
    SERVICE_TYPE_LABELS,
    SignInForm,
    SignOutForm,
    VolunteerForm,
)
from charity.web.access import access, contains, load, paginate
from charity.web.forms import choices
from charity.web.points import offered_point, point_label, visible_points

bp = Blueprint("volunteers", __name__, url_prefix="/staff/volunteers")

# The seed article: 90 % of community party members and cadres volunteer.
PARTICIPATION_TARGET = Decimal("90")
MONTHS = range(1, 13)


# --- organisations ---------------------------------------------------------------------------

def _orgs() -> list[Organization]:
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    return list(db.session.scalars(stmt.where(Organization.active.is_(True))
                                   .order_by(Organization.name)))


def _pick(raw, orgs) -> Organization | None:
    try:
        wanted = int(raw)
    except (TypeError, ValueError):
        return None
    return next((o for o in orgs if o.id == wanted), None)


def _report_org(orgs) -> Organization | None:
    """The organisation a report is about: the user's own; for an administrator the one
    picked (?org=), else the first."""
    if current_user.role != Role.ADMIN:
        return current_user.organization
    return _pick(request.args.get("org"), orgs) or (orgs[0] if orgs else None)


def _year(org) -> int:
    this_year = org_today(org).year
    year = request.args.get("year", type=int) or this_year
    return year if 2000 <= year <= this_year + 1 else this_year


def _types_label(values) -> str:
    return "、".join(str(SERVICE_TYPE_LABELS.get(v, v)) for v in values or [])


# --- list ------------------------------------------------------------------------------------

@bp.route("/")
@access("volunteers.view")
def volunteer_list():
    stmt = scope_organizations(current_user, sa.select(Volunteer), Volunteer.organization_id)
    q = request.args.get("q", "").strip()[:100]
    if q:
        stmt = stmt.where(sa.or_(contains(Volunteer.name, q), contains(Volunteer.community, q)))
    party = request.args.get("party", "")
    if party in ("1", "0"):
        stmt = stmt.where(Volunteer.party_member.is_(party == "1"))
    service_type = request.args.get("service", "")
    if service_type in SERVICE_TYPE_LABELS:
        # service_types is a JSON list of enum values; its text holds "value" in quotes.
        stmt = stmt.where(contains(sa.cast(Volunteer.service_types, sa.String),
                                   f'"{service_type}"'))
    page = paginate(stmt.order_by(Volunteer.active.desc(), Volunteer.name, Volunteer.id))
    return render_template("people/volunteer_list.html", page=page, q=q, party=party,
                           service=service_type, service_labels=SERVICE_TYPE_LABELS,
                           types_label=_types_label)


# --- profiles --------------------------------------------------------------------------------

def _check_account(org_id: int, user_id, volunteer_id: int | None) -> None:
    """A linked account belongs to the volunteer's organisation and to no other volunteer."""
    if user_id is None:
        return
    user = db.session.get(User, user_id)
    if user is None or user.organization_id != org_id:
        raise ValidationFailed(_l("Choose an account of this organisation."), field="user_id")
    other = db.session.scalar(sa.select(Volunteer.id).where(Volunteer.user_id == user_id,
                                                           Volunteer.id != (volunteer_id or -1)))
    if other is not None:
        raise ValidationFailed(_l("This account belongs to another volunteer."),
                               field="user_id")


def _update_volunteer(actor, session, volunteer: Volunteer, data: dict) -> Volunteer:
    """Change a volunteer's profile (the counterpart of volunteers.create_volunteer)."""
    require(actor, "volunteers.manage", volunteer)
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed(_l("This field is required."), field="name")
    types = []
    for t in data.get("service_types") or []:
        try:
            types.append(ServiceType(t).value)
        except ValueError:
            raise ValidationFailed(_l("Unknown service type."), field="service_types") from None
    values = {"name": name, "phone": (data.get("phone") or "").strip()[:50],
              "community": (data.get("community") or "").strip()[:100],
              "party_member": bool(data.get("party_member")),
              "service_types": sorted(set(types)), "user_id": data.get("user_id"),
              "active": bool(data.get("active", True))}
    changes = diff(volunteer, values)
    for key, value in values.items():
        setattr(volunteer, key, value)
    session.flush()
    record(session, actor, "volunteer.update", volunteer, changes)
    return volunteer


def _account_choices(form, org, volunteer=None) -> None:
    """Accounts of the organisation not linked to another volunteer."""
    pairs = [("", _("— none —"))]
    if org is not None:
        taken = sa.select(Volunteer.user_id).where(Volunteer.user_id.is_not(None))
        if volunteer is not None:
            taken = taken.where(Volunteer.id != volunteer.id)
        users = db.session.scalars(
            sa.select(User).where(User.organization_id == org.id, User.active.is_(True),
                                  User.id.not_in(taken)).order_by(User.display_name))
        pairs += [(str(u.id), f"{u.display_name} ({u.username})") for u in users]
    form.user_id.choices = choices(pairs)


def _already(err: AlreadySubmitted, fallback: str, **args):
    flash(_("This form was already sent; it was posted once. Here is the result."), "info")
    return redirect(url_for(fallback, **args))


@bp.route("/new", methods=["GET", "POST"])
@access("volunteers.manage")
def volunteer_new():
    form = VolunteerForm()
    orgs = _orgs()
    form.organization_id.choices = choices(
        [("", _("— choose —"))] * (len(orgs) > 1) + [(str(o.id), o.name) for o in orgs])
    if current_user.role == Role.ADMIN:
        org = _pick(form.organization_id.data if request.method == "POST"
                    else request.args.get("org"), orgs) or (orgs[0] if len(orgs) == 1 else None)
    else:
        org = current_user.organization
    if org is not None:
        form.organization_id.data = str(org.id)
    _account_choices(form, org)
    if request.method == "GET":
        form.submission_token.data = new_token()
    if form.validate_on_submit():
        if org is None:
            mark(form.organization_id, _("Choose the organisation."))
        else:
            data = form.data_for_service()

            def work():
                token = claim(db.session, form.submission_token.data, current_user.id)
                _check_account(org.id, data["user_id"], None)
                volunteer = service.create_volunteer(current_user, db.session, org, data)
                record_result(token, f"volunteer:{volunteer.id}")
                return volunteer

            try:
                volunteer = run_transaction(db.session, work)
            except AlreadySubmitted as err:
                return _already(err, "volunteers.volunteer_list")
            except PermissionDenied:
                abort(403)
            except DomainError as err:
                show_line_error(form, err)
            else:
                flash(_("Volunteer %(name)s registered.", name=volunteer.name), "success")
                return redirect(url_for("volunteers.volunteer_list"))
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
    _account_choices(form, org, volunteer)
    if request.method == "GET":
        form.submission_token.data = new_token()
        form.user_id.data = str(volunteer.user_id) if volunteer.user_id else ""
    if form.validate_on_submit():
        data = form.data_for_service()

        def work():
            token = claim(db.session, form.submission_token.data, current_user.id)
            _check_account(org.id, data["user_id"], volunteer.id)
            _update_volunteer(current_user, db.session, volunteer, data)
            record_result(token, f"volunteer:{volunteer.id}")

        try:
            run_transaction(db.session, work)
        except AlreadySubmitted as err:
            return _already(err, "volunteers.volunteer_list")
        except PermissionDenied:
            abort(403)
        except DomainError as err:
            show_line_error(form, err)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("volunteers.volunteer_list"))
    return render_template("people/volunteer_form.html", form=form, volunteer=volunteer,
                           pick_org=False)


# --- the sign-in board -----------------------------------------------------------------------

def _day_start(org) -> dt.datetime:
    tz = ZoneInfo(getattr(org, "timezone", None) or "Asia/Shanghai")
    today = org_today(org)
    return dt.datetime(today.year, today.month, today.day, tzinfo=tz)


def _board(point, sign_in: SignInForm):
    """What the board shows at `point`: who is signed in now and who served today."""
    if point is None:
        return {"open_shifts": [], "done_today": [], "sign_outs": {}}
    volunteers = list(db.session.scalars(
        sa.select(Volunteer).where(Volunteer.organization_id == point.organization_id,
                                   Volunteer.active.is_(True))
        .order_by(Volunteer.name, Volunteer.id)))
    signed_in = set(db.session.scalars(
        sa.select(Shift.volunteer_id).where(Shift.signed_out_at.is_(None))
        .join(Volunteer).where(Volunteer.organization_id == point.organization_id)))
    here = _("signed in")
    sign_in.volunteer_id.choices = choices(
        [("", _("— choose —"))]
        + [(str(v.id), (f"{v.name} · {v.community}" if v.community else v.name)
            + (f" ({here})" if v.id in signed_in else "")) for v in volunteers])
    shifts = db.session.scalars(
        sa.select(Shift).where(Shift.point_id == point.id, sa.or_(
            Shift.signed_out_at.is_(None), Shift.signed_in_at >= _day_start(point.organization)))
        .options(selectinload(Shift.volunteer)).order_by(Shift.signed_in_at)).all()
    open_shifts = [s for s in shifts if s.signed_out_at is None]
    sign_outs = {}
    for s in open_shifts:
        f = SignOutForm(formdata=None)
        f.submission_token.data = new_token()
        f.shift_id.data = str(s.id)
        sign_outs[s.id] = f
    return {"open_shifts": open_shifts, "sign_outs": sign_outs,
            "done_today": [s for s in shifts if s.signed_out_at is not None]}


def _board_url(point_id):
    return url_for("volunteers.shift_board", point=point_id)


@bp.route("/shifts", methods=["GET", "POST"])
@access("volunteers.shift")
def shift_board():
    points = visible_points("volunteers.shift")
    action = request.form.get("action") if request.method == "POST" else None
    if action == "sign_in":
        # The point the form was filled in at, never silently another one.
        point = offered_point(request.form.get("point_id"), points)
    else:
        point = offered_point(request.args.get("point"), points) or (
            points[0] if len(points) == 1 else None)
    if action == "sign_out":
        return _sign_out()
    form = SignInForm() if action == "sign_in" else SignInForm(formdata=None)
    if request.method == "GET" or action != "sign_in":
        form.submission_token.data = new_token()
        own = db.session.scalar(sa.select(Volunteer.id).where(
            Volunteer.user_id == current_user.id, Volunteer.active.is_(True)))
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
    try:
        volunteer = db.session.get(Volunteer, int(form.volunteer_id.data))
    except (TypeError, ValueError):
        volunteer = None
    if volunteer is None or volunteer.organization_id != point.organization_id \
            or not volunteer.active:
        mark(form.volunteer_id, _("Choose a volunteer."))
        return None

    def work():
        token = claim(db.session, form.submission_token.data, current_user.id)
        shift = service.sign_in(current_user, db.session, volunteer, point,
                                form.service_type.data)
        record_result(token, f"shift:{shift.id}")
        return shift

    try:
        run_transaction(db.session, work)
    except AlreadySubmitted as err:
        return _already(err, "volunteers.shift_board", point=point.id)
    except PermissionDenied:
        abort(403)
    except DomainError as err:
        show_line_error(form, err)
        return None
    flash(_("%(name)s signed in.", name=volunteer.name), "success")
    return redirect(_board_url(point.id))


def _sign_out():
    form = SignOutForm()
    try:
        shift = db.session.get(Shift, int(form.shift_id.data))
    except (TypeError, ValueError):
        shift = None
    if shift is None:
        abort(404)
    point = db.session.get(CharityPoint, shift.point_id) if shift.point_id else None
    if not can(current_user, "volunteers.shift", point if point is not None
               else shift.volunteer):
        abort(403)
    if form.validate_on_submit():
        def work():
            token = claim(db.session, form.submission_token.data, current_user.id)
            service.sign_out(current_user, db.session, shift)
            record_result(token, f"shift:{shift.id}")

        try:
            run_transaction(db.session, work)
        except AlreadySubmitted as err:
            return _already(err, "volunteers.shift_board", point=shift.point_id)
        except PermissionDenied:
            abort(403)
        except DomainError as err:
            flash(str(err.message), "error")
        else:
            flash(_("%(name)s signed out after %(hours)s hours.", name=shift.volunteer.name,
                    hours=shift.hours), "success")
    return redirect(_board_url(shift.point_id))


# --- hours and participation -----------------------------------------------------------------

def _month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


@bp.route("/hours")
@access("volunteers.view")
def hours():
    orgs = _orgs()
    org = _report_org(orgs)
    year = _year(org)
    rows: dict[int, dict] = {}
    month_totals = [Decimal("0")] * 12
    if org is not None:
        tz = ZoneInfo(org.timezone or "Asia/Shanghai")
        for month in MONTHS:
            start, end = _month_bounds(year, month, tz)
            for volunteer, total in service.hours_by_volunteer(db.session, org.id, start, end):
                row = rows.setdefault(volunteer.id, {"volunteer": volunteer,
                                                     "months": [Decimal("0")] * 12,
                                                     "total": Decimal("0")})
                row["months"][month - 1] += total
                row["total"] += total
                month_totals[month - 1] += total
    ordered = sorted(rows.values(), key=lambda r: (r["volunteer"].name, r["volunteer"].id))
    return render_template("people/volunteer_hours.html", org=org, orgs=orgs, year=year,
                           rows=ordered, month_totals=month_totals,
                           grand_total=sum(month_totals, Decimal("0")),
                           pick_org=current_user.role == Role.ADMIN)


def _share(served: int, total: int) -> Decimal | None:
    if not total:
        return None
    return (Decimal(served * 100) / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@bp.route("/dashboard")
@access("volunteers.view")
def dashboard():
    orgs = _orgs()
    org = _report_org(orgs)
    year = _year(org)
    rows, overall = [], None
    if org is not None:
        communities = list(db.session.scalars(
            sa.select(Volunteer.community).distinct().where(
                Volunteer.organization_id == org.id, Volunteer.active.is_(True),
                Volunteer.party_member.is_(True)).order_by(Volunteer.community)))
        served_all, total_all = service.participation_rate(db.session, org.id, year)
        named_served = named_total = 0
        for community in communities:
            if not community:
                continue
            served, total = service.participation_rate(db.session, org.id, year,
                                                       community=community)
            named_served += served
            named_total += total
            rows.append({"community": community, "served": served, "total": total})
        if "" in communities:
            # participation_rate has no filter for "no community": the rest of the total.
            rows.append({"community": "", "served": served_all - named_served,
                         "total": total_all - named_total})
        for row in rows:
            row["share"] = _share(row["served"], row["total"])
        overall = {"served": served_all, "total": total_all,
                   "share": _share(served_all, total_all)}
    return render_template("people/volunteer_dashboard.html", org=org, orgs=orgs, year=year,
                           rows=rows, overall=overall, target=PARTICIPATION_TARGET,
                           pick_org=current_user.role == Role.ADMIN)
