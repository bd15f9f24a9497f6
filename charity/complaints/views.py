"""Staff screens of complaints: the work-order list, a complaint with its history and its
next step, the attachment, and the organisation's categories."""
from __future__ import annotations

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.auth.models import User
from charity.auth.permissions import can, scope_organizations
from charity.core.roles import Role
from charity.core.clock import today_in
from charity.complaints import rules
from charity.complaints.categories import add_category, categories_of, update_category
from charity.complaints.forms import CategoryForm, RecordForm, StepForm
from charity.complaints.models import Complaint, ComplaintCategory, ComplaintStatus as S
from charity.complaints.public_views import complaint_store
from charity.complaints.services import (STEP_FUNCTIONS, overdue_clause, scope_complaints,
                                         visible_to)
from charity.complaints.staff_intake import record_complaint
from charity.complaints.timeline import timeline
from charity.core.errors import DomainError, ValidationFailed
from charity.core.extensions import db
from charity.web.forms import choices
from charity.funds.uploads import download_name
from charity.core.idempotency import AlreadySubmitted, claim, new_token
from charity.orgs.models import CharityPoint, Organization
from charity.web.access import access, contains, load, paginate, query_choice, query_int, show_domain_error

bp = Blueprint("complaints", __name__, url_prefix="/staff/complaints")

# The permission each step needs (the service checks it again, with the object).
STEP_PERMISSIONS = {S.ACCEPTED: "complaints.manage", S.DISPATCHED: "complaints.manage",
                    S.HANDLED: "complaints.handle", S.ANSWERED: "complaints.manage",
                    S.CLOSED: "complaints.manage"}


def _today():
    org = current_user.organization
    return today_in(org.timezone if org else current_app.config["CHARITY_TIMEZONE"])


def _load(complaint_id: int, permission: str = "complaints.view") -> Complaint:
    complaint = load(Complaint, complaint_id, permission)
    if not visible_to(current_user, complaint):
        abort(403)
    return complaint


@bp.route("/")
@access("complaints.view")
def complaint_list():
    today = _today()
    status = query_choice("status", [s.value for s in S])
    category_id = query_int("category")
    overdue = query_choice("overdue", ["1"])
    q = request.args.get("q", "").strip()[:100]
    base = scope_complaints(current_user, sa.select(Complaint))
    overdue_count = db.session.scalar(
        base.with_only_columns(sa.func.count(Complaint.id)).where(overdue_clause(today)))
    stmt = base
    if status:
        stmt = stmt.where(Complaint.status == status)
    if category_id:
        stmt = stmt.where(Complaint.category_id == category_id)
    if overdue:
        stmt = stmt.where(overdue_clause(today))
    if q:
        number = rules.normalize_tracking_no(q)
        stmt = stmt.where(sa.or_(contains(Complaint.subject, q),
                                 Complaint.tracking_no == number))
    stmt = stmt.options(selectinload(Complaint.category), selectinload(Complaint.point),
                        selectinload(Complaint.assignee))
    page = paginate(stmt.order_by(Complaint.submitted_at.desc(), Complaint.id.desc()))
    categories = db.session.scalars(scope_organizations(
        current_user, sa.select(ComplaintCategory), ComplaintCategory.organization_id)
        .order_by(ComplaintCategory.channel, ComplaintCategory.sort_order).limit(300))
    return render_template(
        "complaints/list.html", page=page, status=status, category_id=category_id,
        overdue=overdue, q=q, overdue_count=overdue_count, categories=list(categories),
        today=today, is_overdue=rules.is_overdue, status_labels=rules.STATUS_LABELS,
        format_no=rules.format_tracking_no)


def _targets(complaint: Complaint) -> list:
    users = db.session.scalars(sa.select(User).where(
        User.organization_id == complaint.organization_id, User.active.is_(True),
        User.role != Role.AUDITOR).order_by(User.display_name))
    points = db.session.scalars(sa.select(CharityPoint).where(
        CharityPoint.organization_id == complaint.organization_id,
        CharityPoint.active.is_(True)).order_by(CharityPoint.name))
    return choices([("", _("Choose…"))]
                   + [(f"p:{p.id}", _("Point: %(name)s", name=p.name)) for p in points]
                   + [(f"u:{u.id}", _("Person: %(name)s", name=u.display_name)) for u in users])


def _render(complaint: Complaint, form: StepForm | None = None, status: int = 200):
    step = rules.next_step(complaint.status)
    if step is not None and not can(current_user, STEP_PERMISSIONS[step], complaint):
        step = None
    if form is None:
        form = StepForm()
        form.submission_token.data = new_token()
    if step == S.DISPATCHED:
        form.target.choices = _targets(complaint)
    return render_template(
        "complaints/view.html", complaint=complaint, form=form, step=step,
        steps=timeline(complaint, today_in(complaint.organization.timezone)),
        status_labels=rules.STATUS_LABELS, step_labels=rules.STEP_LABELS,
        number=rules.format_tracking_no(complaint.tracking_no),
        show_contact=can(current_user, "complaints.private", complaint)), status


@bp.route("/<int:complaint_id>")
@access("complaints.view")
def complaint_view(complaint_id: int):
    return _render(_load(complaint_id))


def _take_step(complaint_id: int, step: S):
    complaint = _load(complaint_id, STEP_PERMISSIONS[step])
    form = StepForm()
    kwargs: dict = {}
    if step == S.DISPATCHED:
        form.target.choices = _targets(complaint)
        kind, _sep, raw = (form.target.data or "").partition(":")
        object_id = int(raw) if raw.isdigit() and len(raw) < 10 else None
        kwargs = {"user_id": object_id if kind == "u" else None,
                  "point_id": object_id if kind == "p" else None, "note": form.note.data}
    elif step in (S.HANDLED, S.ANSWERED):
        kwargs = {"note" if step == S.HANDLED else "text": form.note.data}
    if form.validate_on_submit():
        try:
            claim(db.session, form.submission_token.data, current_user.id)
            STEP_FUNCTIONS[step](current_user, db.session, complaint, **kwargs)
            db.session.commit()
        except AlreadySubmitted:
            db.session.rollback()
        except DomainError as err:
            db.session.rollback()
            complaint = _load(complaint_id)
            show_domain_error(form, err)
            return _render(complaint, form, 400)
        else:
            flash(_("Step recorded: %(step)s.", step=rules.STATUS_LABELS[step]), "success")
        return redirect(url_for(".complaint_view", complaint_id=complaint_id))
    return _render(complaint, form, 400)


@bp.route("/new", methods=["GET", "POST"])
@access("complaints.manage")
def complaint_record():
    """Record a complaint received by phone or from the grid centre."""
    form = RecordForm()
    orgs = _orgs()
    form.organization_id.choices = choices([(str(o.id), o.name) for o in orgs])
    cats = db.session.scalars(
        sa.select(ComplaintCategory).where(
            ComplaintCategory.organization_id.in_([o.id for o in orgs]),
            ComplaintCategory.active.is_(True))
        .order_by(ComplaintCategory.organization_id, ComplaintCategory.channel,
                  ComplaintCategory.sort_order, ComplaintCategory.name)).all()
    several = len(orgs) > 1
    org_names = {o.id: o.name for o in orgs}
    form.category_id.choices = choices([("", "—")] + [(str(c.id), (
        f"{org_names[c.organization_id]} · " if several else "")
        + f"{rules.CHANNEL_LABELS[c.channel]} · {c.name}") for c in cats])
    status = 200
    if request.method == "GET":
        form.submission_token.data = new_token()
        form.organization_id.data = str(orgs[0].id) if orgs else ""
    elif form.validate_on_submit():
        org = next((o for o in orgs if str(o.id) == form.organization_id.data), None)
        data = {k: getattr(form, k).data for k in (
            "category_id", "received_on", "subject", "description", "contact_name",
            "contact_phone")}
        try:
            if org is None:
                raise ValidationFailed(_("Choose an organisation."), field="organization_id")
            claim(db.session, form.submission_token.data, current_user.id)
            complaint = record_complaint(current_user, db.session, org, data)
            db.session.commit()
        except AlreadySubmitted:
            db.session.rollback()
            return redirect(url_for(".complaint_list"))
        except DomainError as err:
            db.session.rollback()
            show_domain_error(form, err)
            status = 400
        else:
            flash(_("Complaint recorded. Its tracking number is %(no)s: give it to the caller.",
                    no=rules.format_tracking_no(complaint.tracking_no)), "success")
            return redirect(url_for(".complaint_view", complaint_id=complaint.id))
    else:
        status = 400
    return render_template("complaints/record.html", form=form), status


@bp.route("/<int:complaint_id>/accept", methods=["POST"])
@access("complaints.manage")
def complaint_accept(complaint_id: int):
    return _take_step(complaint_id, S.ACCEPTED)


@bp.route("/<int:complaint_id>/dispatch", methods=["POST"])
@access("complaints.manage")
def complaint_dispatch(complaint_id: int):
    return _take_step(complaint_id, S.DISPATCHED)


@bp.route("/<int:complaint_id>/handle", methods=["POST"])
@access("complaints.handle")
def complaint_handle(complaint_id: int):
    return _take_step(complaint_id, S.HANDLED)


@bp.route("/<int:complaint_id>/answer", methods=["POST"])
@access("complaints.manage")
def complaint_answer(complaint_id: int):
    return _take_step(complaint_id, S.ANSWERED)


@bp.route("/<int:complaint_id>/close", methods=["POST"])
@access("complaints.manage")
def complaint_close(complaint_id: int):
    return _take_step(complaint_id, S.CLOSED)


@bp.route("/<int:complaint_id>/attachment")
@access("complaints.private")
def complaint_attachment(complaint_id: int):
    complaint = _load(complaint_id, "complaints.private")
    path = (complaint_store().path_of(complaint.attachment_stored_name)
            if complaint.attachment_stored_name else None)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=complaint.attachment_mime, as_attachment=True,
                         download_name=download_name(complaint.attachment_name,
                                                     complaint.attachment_mime), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- categories --------------------------------------------------------------------------------

def _orgs() -> list[Organization]:
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    return list(db.session.scalars(stmt.where(Organization.active.is_(True))
                                   .order_by(Organization.name)))


def _category_page(form: CategoryForm, status: int = 200):
    orgs = _orgs()
    groups = [(org, categories_of(db.session, org.id)) for org in orgs]
    return render_template("complaints/categories.html", form=form, groups=groups,
                           channel_labels=rules.CHANNEL_LABELS), status


def _category_form() -> CategoryForm:
    form = CategoryForm()
    form.organization_id.choices = choices([(str(o.id), o.name) for o in _orgs()])
    return form


@bp.route("/categories")
@access("complaints.manage")
def category_list():
    return _category_page(_category_form())


@bp.route("/categories/new", methods=["POST"])
@access("complaints.manage")
def category_new():
    form = _category_form()
    if form.validate_on_submit():
        raw = form.organization_id.data or ""
        org = load(Organization, int(raw) if raw.isdigit() and len(raw) < 10 else 0,
                   "complaints.manage")
        try:
            add_category(current_user, db.session, org, form.data)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            show_domain_error(form, err)
        else:
            flash(_("Category added."), "success")
            return redirect(url_for(".category_list"))
    return _category_page(form, 400)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@access("complaints.manage")
def category_edit(category_id: int):
    category = load(ComplaintCategory, category_id, "complaints.manage")
    form = CategoryForm(obj=category) if request.method == "GET" else CategoryForm()
    if request.method == "GET":
        form.channel.data = category.channel.value
    if form.validate_on_submit():
        try:
            update_category(current_user, db.session, category, form.data)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            show_domain_error(form, err)
        else:
            flash(_("Category saved."), "success")
            return redirect(url_for(".category_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("complaints/category_edit.html", form=form,
                           category=category), status
