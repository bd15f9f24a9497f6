"""The `users` blueprint: admin screens for accounts (list, create, edit, switch on and off,
reset a password, turn off someone's two-factor sign-in)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from charity.auth import queries, services, totp
from charity.auth.forms import ResetPasswordForm, UserCreateForm, UserForm
from charity.auth.models import User
from charity.auth.permissions import assignable_roles, can, may_manage_account
from charity.core.extensions import db
from charity.core.roles import Role
from charity.orgs.queries import active_organizations
from charity.web.access import access, load, paginate
from charity.web.forms import ConfirmForm, choices
from charity.web.nav import ROLE_LABELS
from charity.web.posting import post_form, post_or_show
from charity.web.switching import post_switch

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def _fill_choices(form: UserForm) -> None:
    """The roles the current user may give, their organisations, and those organisations'
    open points."""
    form.role.choices = choices((r.value, ROLE_LABELS[r.value])
                                for r in assignable_roles(current_user))
    orgs = active_organizations(current_user)
    form.organization_id.choices = choices(
        ([("", _("— none (administrators only) —"))] if current_user.role == Role.ADMIN else [])
        + [(o.id, o.name) for o in orgs])
    multi_org = len(orgs) > 1
    form.point_ids.choices = choices(
        (p.id, f"{p.organization.name} · {p.name}" if multi_org else p.name)
        for p in queries.open_points(o.id for o in orgs))


def _edit_form(user: User, fresh: bool = False) -> UserForm:
    """The account form for `user`: as posted, or (`fresh`, or a GET) with the stored
    values."""
    form = UserForm(obj=user, formdata=None) if fresh else UserForm(obj=user)
    _fill_choices(form)
    form.username.data = user.username  # the login name never changes
    if fresh or not form.is_submitted():
        form.role.data = user.role.value
        form.point_ids.data = sorted(user.point_ids)
    return form


def _service_data(form: UserForm) -> dict:
    data = {k: f.data for k, f in form._fields.items() if k != "csrf_token"}
    data["point_ids"] = data.get("point_ids") or []
    return data


def _load_managed(user_id: int) -> User:
    """An account the current user may manage: an administrator's or an auditor's only by an
    administrator."""
    user = load(User, user_id, "users.manage")
    if not may_manage_account(current_user, user):
        abort(403)
    return user


@bp.route("")
@access("users.view")
def user_list():
    q, role = request.args.get("q", "").strip()[:100], request.args.get("role", "")
    page = paginate(queries.user_list(current_user, q, role))
    return render_template("users/user_list.html", page=page, q=q, role=role,
                           roles=ROLE_LABELS, confirm=ConfirmForm(),
                           can_manage=can(current_user, "users.manage"),
                           may_manage=lambda u: may_manage_account(current_user, u))


@bp.route("/new", methods=["GET", "POST"])
@access("users.manage")
def user_new():
    form = UserCreateForm()
    _fill_choices(form)
    if request.method == "GET":
        form.role.data = Role.VOLUNTEER.value  # the least privileged role, never 系统管理员
        if current_user.organization_id:
            form.organization_id.data = current_user.organization_id
    return post_or_show(
        form, lambda: services.create_user(current_user, db.session,
                                           {**_service_data(form), "must_change_password": True}),
        lambda: render_template("users/user_form.html", form=form, user=None),
        success=lambda user: (
            _("Account %(name)s created. Give them the initial password in person.",
              name=user.username), url_for("users.user_list")),
        fallback=url_for("users.user_list"))


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@access("users.manage")
def user_edit(user_id: int):
    user = _load_managed(user_id)
    form = _edit_form(user)
    return post_or_show(
        form, lambda: services.update_user(current_user, db.session, user, _service_data(form)),
        lambda: render_template("users/user_form.html", form=form, user=user,
                                reset_form=ResetPasswordForm(), confirm=ConfirmForm()),
        success=lambda _user: (_("Changes saved."), url_for("users.user_list")),
        fallback=url_for("users.user_list"))


@bp.route("/<int:user_id>/active", methods=["POST"])
@access("users.manage")
def user_toggle(user_id: int):
    user = _load_managed(user_id)
    return post_switch(
        lambda on: services.set_user_active(current_user, db.session, user, on),
        on=_("Account reactivated."),
        off=_("Account deactivated; the user has been signed out."),
        back=url_for("users.user_list"))


def _password_reset(user: User) -> tuple[str, str]:
    if user.id == current_user.id:
        # One's own password, set from this screen: like the password page, keep this
        # session (re-issue the cookie with the new token), end the others.
        login_user(user)
    return (_("Password reset. %(name)s must choose a new one at the next sign-in.",
              name=user.username), url_for("users.user_list"))


@bp.route("/<int:user_id>/password", methods=["POST"])
@access("users.manage")
def user_reset_password(user_id: int):
    user = _load_managed(user_id)
    form = ResetPasswordForm()
    return post_or_show(
        form, lambda: services.reset_password(current_user, db.session, user,
                                              form.new_password.data),
        lambda: (render_template("users/user_form.html", form=_edit_form(user, fresh=True),
                                 user=user, reset_form=form, confirm=ConfirmForm()), 400),
        success=lambda _none: _password_reset(user), fallback=url_for("users.user_list"))


@bp.route("/<int:user_id>/2fa", methods=["GET", "POST"])
@access("users.2fa_reset")
def user_2fa(user_id: int):
    """An administrator turns off someone's two-factor sign-in (a lost phone)."""
    user = load(User, user_id, "users.2fa_reset")
    form = ConfirmForm()
    if form.validate_on_submit():
        back = url_for("users.user_2fa", user_id=user.id)
        return post_form(
            None, lambda: totp.reset(current_user, db.session, user),
            success=lambda _none: (_("Two-factor sign-in of %(name)s is off; they have been "
                                     "signed out.", name=user.username), back),
            fallback=back)
    return render_template("auth/user_2fa.html", user=user, form=form)
