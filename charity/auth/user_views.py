"""Admin screens for user accounts."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from charity.auth import services
from charity.auth.forms import ROLE_LABELS, ResetPasswordForm, UserCreateForm, UserForm
from charity.auth.models import User
from charity.auth.permissions import assignable_roles, can, scope_organizations
from charity.core.roles import Role
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.web.forms import choices
from charity.orgs.forms import ConfirmForm
from charity.orgs.models import CharityPoint, Organization
from charity.web.access import access, contains, load, paginate, show_domain_error

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def _fill_choices(form: UserForm) -> None:
    form.role.choices = choices((r.value, ROLE_LABELS[r.value])
                                for r in assignable_roles(current_user))
    orgs = db.session.scalars(scope_organizations(
        current_user, sa.select(Organization).where(Organization.active.is_(True)),
        Organization.id).order_by(Organization.name)).all()
    form.organization_id.choices = choices(
        ([("", _("— none (administrators only) —"))] if current_user.role == Role.ADMIN else [])
        + [(o.id, o.name) for o in orgs])
    points = db.session.scalars(
        sa.select(CharityPoint).where(CharityPoint.organization_id.in_([o.id for o in orgs]),
                                      CharityPoint.active.is_(True))
        .order_by(CharityPoint.organization_id, CharityPoint.name)).all()
    multi_org = len(orgs) > 1
    form.point_ids.choices = choices(
        (p.id, f"{p.organization.name} · {p.name}" if multi_org else p.name) for p in points)


def _service_data(form: UserForm) -> dict:
    data = {k: f.data for k, f in form._fields.items() if k != "csrf_token"}
    data["point_ids"] = data.get("point_ids") or []
    return data


@bp.route("")
@access("users.view")
def user_list():
    stmt = sa.select(User).outerjoin(User.organization)
    stmt = scope_organizations(current_user, stmt, User.organization_id)
    q = request.args.get("q", "").strip()[:100]
    if q:
        stmt = stmt.where(sa.or_(contains(User.username, q), contains(User.display_name, q)))
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    stmt = stmt.options(sa.orm.contains_eager(User.organization), sa.orm.selectinload(User.points))
    page = paginate(stmt.order_by(User.username))
    return render_template("users/user_list.html", page=page, q=q, role=role,
                           roles=ROLE_LABELS, confirm=ConfirmForm(),
                           can_manage=can(current_user, "users.manage"))


@bp.route("/new", methods=["GET", "POST"])
@access("users.manage")
def user_new():
    form = UserCreateForm()
    _fill_choices(form)
    if request.method == "GET" and current_user.organization_id:
        form.organization_id.data = current_user.organization_id
    if form.validate_on_submit():
        data = _service_data(form)
        data["must_change_password"] = True
        try:
            user = services.create_user(current_user, db.session, data)
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Account %(name)s created. Give them the initial password in person.",
                    name=user.username), "success")
            return redirect(url_for("users.user_list"))
    return render_template("users/user_form.html", form=form, user=None)


def _load_managed(user_id: int) -> User:
    user = load(User, user_id, "users.manage")
    if user.role == Role.ADMIN and current_user.role != Role.ADMIN:
        from flask import abort

        abort(403)
    return user


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@access("users.manage")
def user_edit(user_id: int):
    user = _load_managed(user_id)
    form = UserForm(obj=user)
    _fill_choices(form)
    form.username.data = user.username  # the login name never changes
    if request.method == "GET":
        form.role.data = user.role.value
        form.point_ids.data = sorted(user.point_ids)
    if form.validate_on_submit():
        try:
            services.update_user(current_user, db.session, user, _service_data(form))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("users.user_list"))
    return render_template("users/user_form.html", form=form, user=user,
                           reset_form=ResetPasswordForm(), confirm=ConfirmForm())


@bp.route("/<int:user_id>/active", methods=["POST"])
@access("users.manage")
def user_toggle(user_id: int):
    user = _load_managed(user_id)
    if ConfirmForm().validate_on_submit():
        activate = request.form.get("active") == "1"
        try:
            services.set_user_active(current_user, db.session, user, activate)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
            flash(_("Account reactivated.") if activate else
                  _("Account deactivated; the user has been signed out."), "success")
    return redirect(url_for("users.user_list"))


@bp.route("/<int:user_id>/password", methods=["POST"])
@access("users.manage")
def user_reset_password(user_id: int):
    user = _load_managed(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(current_user, db.session, user, form.new_password.data)
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            if user.id == current_user.id:
                # One's own password, set from this screen: like the password page, keep
                # this session (re-issue the cookie with the new token), end the others.
                login_user(user)
            flash(_("Password reset. %(name)s must choose a new one at the next sign-in.",
                    name=user.username), "success")
            return redirect(url_for("users.user_list"))
    edit_form = UserForm(obj=user)
    _fill_choices(edit_form)
    edit_form.role.data = user.role.value
    edit_form.point_ids.data = sorted(user.point_ids)
    return render_template("users/user_form.html", form=edit_form, user=user,
                           reset_form=form, confirm=ConfirmForm()), 400


@bp.route("/<int:user_id>/2fa", methods=["GET", "POST"])
@access("users.2fa_reset")
def user_2fa(user_id: int):
    """An administrator turns off someone's two-factor sign-in (a lost phone)."""
    from charity.auth import totp

    user = load(User, user_id, "users.2fa_reset")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            totp.reset(current_user, db.session, user)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
            flash(_("Two-factor sign-in of %(name)s is off; they have been signed out.",
                    name=user.username), "success")
        return redirect(url_for("users.user_2fa", user_id=user.id))
    return render_template("auth/user_2fa.html", user=user, form=form)
