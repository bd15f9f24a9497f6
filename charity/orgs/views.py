"""Admin screens for organisations and charity points."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can, scope_organizations
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.web.forms import choices
from charity.orgs import services
from charity.orgs.forms import ConfirmForm, OrganizationForm, PointForm
from charity.orgs.models import CharityPoint, Organization
from charity.web.access import access, contains, load, paginate, show_domain_error

bp = Blueprint("orgs", __name__, url_prefix="/admin")


def _search(stmt, *columns):
    q = request.args.get("q", "").strip()[:100]
    if q:
        stmt = stmt.where(sa.or_(*(contains(c, q) for c in columns)))
    return stmt, q


# --- organisations ---------------------------------------------------------------------------

@bp.route("/orgs")
@access("orgs.view")
def org_list():
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    stmt, q = _search(stmt, Organization.name, Organization.uscc, Organization.contact_person)
    status = request.args.get("status", "")
    if status in ("active", "inactive"):
        stmt = stmt.where(Organization.active.is_(status == "active"))
    page = paginate(stmt.order_by(Organization.name))
    return render_template("orgs/org_list.html", page=page, q=q, status=status,
                           confirm=ConfirmForm())


@bp.route("/orgs/new", methods=["GET", "POST"])
@access("orgs.create")
def org_new():
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            org = services.create_organization(current_user, db.session, form.data_for_service())
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Organisation %(name)s created.", name=org.name), "success")
            return redirect(url_for("orgs.org_list"))
    return render_template("orgs/org_form.html", form=form, org=None)


@bp.route("/orgs/<int:org_id>/edit", methods=["GET", "POST"])
@access("orgs.edit")
def org_edit(org_id: int):
    org = load(Organization, org_id, "orgs.edit")
    form = OrganizationForm(obj=org)
    if form.validate_on_submit():
        try:
            services.update_organization(current_user, db.session, org, form.data_for_service())
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("orgs.org_list"))
    return render_template("orgs/org_form.html", form=form, org=org)


@bp.route("/orgs/<int:org_id>/active", methods=["POST"])
@access("orgs.toggle")
def org_toggle(org_id: int):
    org = load(Organization, org_id, "orgs.toggle")
    if ConfirmForm().validate_on_submit():
        activate = request.form.get("active") == "1"
        services.set_organization_active(current_user, db.session, org, activate)
        db.session.commit()
        flash(_("Organisation reactivated.") if activate else _("Organisation deactivated."),
              "success")
    return redirect(url_for("orgs.org_list"))


# --- charity points --------------------------------------------------------------------------

def _org_choices():
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    stmt = stmt.where(Organization.active.is_(True)).order_by(Organization.name)
    return choices((o.id, o.name) for o in db.session.scalars(stmt))


@bp.route("/points")
@access("points.view")
def point_list():
    from charity.auth.permissions import scope_points

    stmt = sa.select(CharityPoint).join(CharityPoint.organization)
    stmt = scope_points(current_user, stmt, CharityPoint.id, CharityPoint.organization_id)
    stmt, q = _search(stmt, CharityPoint.name, CharityPoint.address, CharityPoint.district,
                      CharityPoint.community)
    kind = request.args.get("kind", "")
    if kind in ("supermarket", "station"):
        stmt = stmt.where(CharityPoint.kind == kind)
    stmt = stmt.options(sa.orm.contains_eager(CharityPoint.organization))
    page = paginate(stmt.order_by(Organization.name, CharityPoint.name))
    return render_template("orgs/point_list.html", page=page, q=q, kind=kind,
                           confirm=ConfirmForm(),
                           can_manage=can(current_user, "points.manage"))


@bp.route("/points/new", methods=["GET", "POST"])
@access("points.manage")
def point_new():
    form = PointForm()
    form.organization_id.choices = _org_choices()
    if request.method == "GET" and request.args.get("org", type=int):
        form.organization_id.data = request.args.get("org", type=int)
    if form.validate_on_submit():
        org = load(Organization, form.organization_id.data, "points.manage")
        try:
            point = services.create_point(current_user, db.session, org, form.data_for_service())
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Charity point %(name)s created.", name=point.name), "success")
            return redirect(url_for("orgs.point_list"))
    return render_template("orgs/point_form.html", form=form, point=None)


@bp.route("/points/<int:point_id>/edit", methods=["GET", "POST"])
@access("points.manage")
def point_edit(point_id: int):
    point = load(CharityPoint, point_id, "points.manage")
    form = PointForm(obj=point)
    form.organization_id.choices = choices([(point.organization_id, point.organization.name)])
    form.organization_id.data = point.organization_id
    if request.method == "GET":
        form.kind.data = point.kind.value
    if form.validate_on_submit():
        try:
            services.update_point(current_user, db.session, point, form.data_for_service())
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("orgs.point_list"))
    return render_template("orgs/point_form.html", form=form, point=point)


@bp.route("/points/<int:point_id>/active", methods=["POST"])
@access("points.manage")
def point_toggle(point_id: int):
    point = load(CharityPoint, point_id, "points.manage")
    if ConfirmForm().validate_on_submit():
        activate = request.form.get("active") == "1"
        services.set_point_active(current_user, db.session, point, activate)
        db.session.commit()
        flash(_("Charity point reopened.") if activate else _("Charity point closed."),
              "success")
    return redirect(url_for("orgs.point_list"))
