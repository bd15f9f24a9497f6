"""Staff screens of complaints: the work-order list, a complaint with its history and its
next step, recording a hotline or grid-centre complaint, the attachment, and the
organisation's categories."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.complaints import queries, rules
from charity.complaints.categories import add_category, update_category
from charity.complaints.forms import CategoryForm, RecordForm, StepForm
from charity.complaints.models import Complaint, ComplaintCategory
from charity.complaints.models import ComplaintStatus as S
from charity.complaints.services import STEP_FUNCTIONS, record_complaint
from charity.complaints.timeline import timeline
from charity.complaints.views.attachments import complaint_store
from charity.complaints.views.followup_context import followup_context
from charity.core.clock import today_in
from charity.core.errors import ValidationFailed
from charity.core.extensions import db
from charity.funds.uploads import download_name
from charity.orgs.models import Organization
from charity.web.access import access, load, paginate, parse_id, query_choice, query_int
from charity.web.downloads import private_file
from charity.web.forms import choices
from charity.web.posting import post_form

bp = Blueprint("complaints", __name__, url_prefix="/staff/complaints")

RESULT_KIND = "complaint"  # stored results read "complaint:<id>"
# The step routes: /<id>/<verb>, endpoint complaint_<verb> (the step's permission applies).
STEP_VERBS = {S.ACCEPTED: "accept", S.DISPATCHED: "dispatch", S.HANDLED: "handle",
              S.ANSWERED: "answer", S.CLOSED: "close"}


def _today():
    org = current_user.organization
    return today_in(org.timezone if org else current_app.config["CHARITY_TIMEZONE"])


def _load(complaint_id: int, permission: str = "complaints.view") -> Complaint:
    complaint = load(Complaint, complaint_id, permission)
    if not queries.visible_to(current_user, complaint):
        abort(403)
    return complaint


def _view_url(complaint_id: int) -> str:
    return url_for("complaints.complaint_view", complaint_id=complaint_id)


@bp.route("/")
@access("complaints.view")
def complaint_list():
    today = _today()
    status = query_choice("status", [s.value for s in S])
    category_id = query_int("category")
    overdue = query_choice("overdue", ["1"])
    q = request.args.get("q", "").strip()[:100]
    page = paginate(queries.complaint_list(current_user, today, status=status,
                                           category_id=category_id, overdue=bool(overdue), q=q))
    return render_template(
        "complaints/list.html", page=page, status=status, category_id=category_id,
        overdue=overdue, q=q, overdue_count=queries.overdue_count(db.session, current_user, today),
        categories=queries.staff_categories(db.session, current_user),
        today=today, is_overdue=rules.is_overdue, status_labels=rules.STATUS_LABELS,
        format_no=rules.format_tracking_no)


def _targets(complaint: Complaint) -> list:
    points, users = queries.dispatch_targets(db.session, complaint)
    return choices([("", _("Choose…"))]
                   + [(f"p:{p.id}", _("Point: %(name)s", name=p.name)) for p in points]
                   + [(f"u:{u.id}", _("Person: %(name)s", name=u.display_name)) for u in users])


def _render(complaint: Complaint, form: StepForm | None = None, status: int = 200, **forms):
    """The complaint page; `forms` (extend_form, callback_form) carry a refused post."""
    step = rules.next_step(complaint.status)
    if step is not None and not can(current_user, rules.STEP_PERMISSIONS[step], complaint):
        step = None
    if form is None:
        form = StepForm()
    if step == S.DISPATCHED:
        form.target.choices = _targets(complaint)
    return render_template(
        "complaints/view.html", complaint=complaint, form=form, step=step,
        steps=timeline(complaint, today_in(complaint.organization.timezone)),
        status_labels=rules.STATUS_LABELS, step_labels=rules.STEP_LABELS,
        number=rules.format_tracking_no(complaint.tracking_no),
        show_contact=can(current_user, "complaints.private", complaint),
        **followup_context(complaint, **forms)), status


@bp.route("/<int:complaint_id>")
@access("complaints.view")
def complaint_view(complaint_id: int):
    return _render(_load(complaint_id))


def _step_arguments(step: S, form: StepForm) -> dict:
    """What the step's service takes from the form: the dispatch target, or the note."""
    if step == S.DISPATCHED:
        kind, _sep, raw = (form.target.data or "").partition(":")
        object_id = parse_id(raw)
        return {"user_id": object_id if kind == "u" else None,
                "point_id": object_id if kind == "p" else None, "note": form.note.data}
    if step in (S.HANDLED, S.ANSWERED):
        return {"note" if step == S.HANDLED else "text": form.note.data}
    return {}


def _take_step(complaint_id: int, step: S):
    complaint = _load(complaint_id, rules.STEP_PERMISSIONS[step])
    form = StepForm()
    if step == S.DISPATCHED:
        form.target.choices = _targets(complaint)
    if form.validate_on_submit():
        response = post_form(
            form, lambda: STEP_FUNCTIONS[step](current_user, db.session, complaint,
                                               **_step_arguments(step, form)),
            kind=RESULT_KIND,
            success=lambda _c: (_("Step recorded: %(step)s.", step=rules.STATUS_LABELS[step]),
                                _view_url(complaint_id)),
            first=_view_url, fallback=_view_url(complaint_id))
        if response:
            return response
    return _render(complaint, form, 400)


def _step_view(step: S):
    def view(complaint_id: int):
        return _take_step(complaint_id, step)

    view.__name__ = f"complaint_{STEP_VERBS[step]}"
    return access(rules.STEP_PERMISSIONS[step])(view)


for _step, _verb in STEP_VERBS.items():
    bp.add_url_rule(f"/<int:complaint_id>/{_verb}", f"complaint_{_verb}", _step_view(_step),
                    methods=["POST"])


def _record_choices(form: RecordForm, orgs: list[Organization]) -> None:
    form.organization_id.choices = choices([(str(o.id), o.name) for o in orgs])
    several = len(orgs) > 1
    org_names = {o.id: o.name for o in orgs}
    form.category_id.choices = choices([("", "—")] + [(str(c.id), (
        f"{org_names[c.organization_id]} · " if several else "")
        + f"{rules.CHANNEL_LABELS[c.channel]} · {c.name}")
        for c in queries.recording_categories(db.session, [o.id for o in orgs])])


def _record(form: RecordForm, org: Organization | None) -> Complaint:
    if org is None:
        raise ValidationFailed(_("Choose an organisation."), field="organization_id")
    data = {k: getattr(form, k).data for k in (
        "category_id", "received_on", "subject", "description", "contact_name",
        "contact_phone")}
    return record_complaint(current_user, db.session, org, data)


@bp.route("/new", methods=["GET", "POST"])
@access("complaints.manage")
def complaint_record():
    """Record a complaint received by phone or from the grid centre."""
    form = RecordForm()
    orgs = queries.managed_organisations(db.session, current_user)
    _record_choices(form, orgs)
    if request.method == "GET":
        form.organization_id.data = str(orgs[0].id) if orgs else ""
        return render_template("complaints/record.html", form=form), 200
    if form.validate_on_submit():
        org = next((o for o in orgs if str(o.id) == form.organization_id.data), None)
        response = post_form(
            form, lambda: _record(form, org), kind=RESULT_KIND,
            success=lambda c: (_("Complaint recorded. Its tracking number is %(no)s: give it "
                                 "to the caller.", no=rules.format_tracking_no(c.tracking_no)),
                               _view_url(c.id)),
            first=_view_url, fallback=url_for(".complaint_list"))
        if response:
            return response
    return render_template("complaints/record.html", form=form), 400


@bp.route("/<int:complaint_id>/attachment")
@access("complaints.private")
def complaint_attachment(complaint_id: int):
    complaint = _load(complaint_id, "complaints.private")
    path = (complaint_store().path_of(complaint.attachment_stored_name)
            if complaint.attachment_stored_name else None)
    if path is None:
        abort(404)
    return private_file(path, complaint.attachment_mime,
                        download_name(complaint.attachment_name, complaint.attachment_mime))


# --- categories --------------------------------------------------------------------------------

def _category_page(form: CategoryForm, status: int = 200):
    groups = queries.category_groups(db.session, current_user)
    return render_template("complaints/categories.html", form=form, groups=groups,
                           channel_labels=rules.CHANNEL_LABELS), status


def _category_form() -> CategoryForm:
    form = CategoryForm()
    form.organization_id.choices = choices(
        [(str(o.id), o.name) for o in queries.managed_organisations(db.session, current_user)])
    return form


def _save_category(form: CategoryForm, work, message: str):
    """Post a category change; back to the list, or None (the refusal is on the form)."""
    back = url_for(".category_list")
    return post_form(form, work, success=lambda _category: (message, back), fallback=back)


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
        org = load(Organization, raw, "complaints.manage")
        saved = _save_category(form, lambda: add_category(current_user, db.session, org,
                                                          form.data), _("Category added."))
        if saved:
            return saved
    return _category_page(form, 400)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@access("complaints.manage")
def category_edit(category_id: int):
    category = load(ComplaintCategory, category_id, "complaints.manage")
    form = CategoryForm(obj=category) if request.method == "GET" else CategoryForm()
    if request.method == "GET":
        form.channel.data = category.channel.value
    if form.validate_on_submit():
        saved = _save_category(form, lambda: update_category(current_user, db.session,
                                                             category, form.data),
                               _("Category saved."))
        if saved:
            return saved
    status = 400 if request.method == "POST" else 200
    return render_template("complaints/category_edit.html", form=form,
                           category=category), status
