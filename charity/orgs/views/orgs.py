"""The `orgs` blueprint: admin screens for organisations and charity points."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.extensions import db
from charity.orgs import queries, services
from charity.orgs.forms import OrganizationForm, PointForm
from charity.orgs.models import CharityPoint, Organization
from charity.web.access import access, load, paginate
from charity.web.forms import ConfirmForm, choices
from charity.web.posting import post_form
from charity.web.switching import post_switch

bp = Blueprint("orgs", __name__, url_prefix="/admin")


def _q() -> str:
    return request.args.get("q", "").strip()[:100]


# --- organisations ---------------------------------------------------------------------------

@bp.route("/orgs")
@access("orgs.view")
def org_list():
    q, status = _q(), request.args.get("status", "")
    page = paginate(queries.organization_list(current_user, q, status))
    return render_template("orgs/org_list.html", page=page, q=q, status=status,
                           confirm=ConfirmForm())


def _form_page(form, work, message, template: str, back: str, **context):
    """The form page of an organisation or a point: posted when valid (`work()`, then
    `message(obj)` and back to the list), else shown (again, with the refusal)."""
    if form.validate_on_submit():
        response = post_form(form, work, success=lambda obj: (message(obj), back),
                             fallback=back)
        if response:
            return response
    return render_template(template, form=form, **context)


@bp.route("/orgs/new", methods=["GET", "POST"])
@access("orgs.create")
def org_new():
    form = OrganizationForm()
    return _form_page(
        form, lambda: services.create_organization(current_user, db.session,
                                                   form.data_for_service()),
        lambda org: _("Organisation %(name)s created.", name=org.name),
        "orgs/org_form.html", url_for("orgs.org_list"), org=None)


@bp.route("/orgs/<int:org_id>/edit", methods=["GET", "POST"])
@access("orgs.edit")
def org_edit(org_id: int):
    org = load(Organization, org_id, "orgs.edit")
    form = OrganizationForm(obj=org)
    return _form_page(
        form, lambda: services.update_organization(current_user, db.session, org,
                                                   form.data_for_service()),
        lambda _org: _("Changes saved."), "orgs/org_form.html", url_for("orgs.org_list"),
        org=org)


@bp.route("/orgs/<int:org_id>/active", methods=["POST"])
@access("orgs.toggle")
def org_toggle(org_id: int):
    org = load(Organization, org_id, "orgs.toggle")
    return post_switch(
        lambda on: services.set_organization_active(current_user, db.session, org, on),
        on=_("Organisation reactivated."), off=_("Organisation deactivated."),
        back=url_for("orgs.org_list"))


# --- charity points --------------------------------------------------------------------------

@bp.route("/points")
@access("points.view")
def point_list():
    q, kind = _q(), request.args.get("kind", "")
    page = paginate(queries.point_list(current_user, q, kind))
    return render_template("orgs/point_list.html", page=page, q=q, kind=kind,
                           confirm=ConfirmForm(),
                           can_manage=can(current_user, "points.manage"))


@bp.route("/points/new", methods=["GET", "POST"])
@access("points.manage")
def point_new():
    form = PointForm()
    form.organization_id.choices = choices(
        (o.id, o.name) for o in queries.active_organizations(current_user))
    if request.method == "GET" and request.args.get("org", type=int):
        form.organization_id.data = request.args.get("org", type=int)
    return _form_page(
        form, lambda: services.create_point(
            current_user, db.session,
            load(Organization, form.organization_id.data, "points.manage"),
            form.data_for_service()),
        lambda point: _("Charity point %(name)s created.", name=point.name),
        "orgs/point_form.html", url_for("orgs.point_list"), point=None)


@bp.route("/points/<int:point_id>/edit", methods=["GET", "POST"])
@access("points.manage")
def point_edit(point_id: int):
    point = load(CharityPoint, point_id, "points.manage")
    form = PointForm(obj=point)
    form.organization_id.choices = choices([(point.organization_id, point.organization.name)])
    form.organization_id.data = point.organization_id
    if request.method == "GET":
        form.kind.data = point.kind.value
    return _form_page(
        form, lambda: services.update_point(current_user, db.session, point,
                                            form.data_for_service()),
        lambda _point: _("Changes saved."), "orgs/point_form.html",
        url_for("orgs.point_list"), point=point)


@bp.route("/points/<int:point_id>/active", methods=["POST"])
@access("points.manage")
def point_toggle(point_id: int):
    point = load(CharityPoint, point_id, "points.manage")
    return post_switch(
        lambda on: services.set_point_active(current_user, db.session, point, on),
        on=_("Charity point reopened."), off=_("Charity point closed."),
        back=url_for("orgs.point_list"))
