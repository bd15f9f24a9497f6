"""Signing in and out, one's own password, and the language switch."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from charity.auth import services, throttle
from charity.auth.forms import ChangePasswordForm, LoginCodeForm, LoginForm
from charity.auth.models import User
from charity.auth.throttle import LoginThrottled
from charity.core.db import write_intent
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.web.access import LOGIN, PUBLIC, access, show_domain_error

bp = Blueprint("auth", __name__)


def init_login(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_key: str):
        # The cookie holds "id:session_token"; a rotated token (password change,
        # deactivation) makes every older session invalid.
        try:
            user_id, token = user_key.split(":", 1)
            user = db.session.get(User, int(user_id))
        except (ValueError, TypeError):
            return None
        if user is None or user.session_token != token or not user.active:
            return None
        return user

    @app.before_request
    def _force_password_change():
        # This hook runs before create_app's own request hook and is the first to touch the
        # database (loading the user), which begins the request's transaction: declare the
        # request's write intent now, or every signed-in GET would take SQLite's write lock.
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in ("auth.change_password", "auth.logout", "static",
                                             "auth.set_language")):
            flash(_("Please choose a new password before you continue."), "info")
            return redirect(url_for("auth.change_password"))
        return None


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative '//' trick."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ord(c) < 32 for c in target):
        return None
    return target


def login_address() -> str:
    """The remote address as the throttle knows it: an HMAC, never the address itself."""
    return throttle.address_hash(request.remote_addr, current_app.config["CHARITY_ID_HASH_KEY"])


# The password was right; the code is still to come. Kept in the signed session cookie with
# the user's session token (a password change meanwhile voids it) and a deadline.
PENDING = "pending_2fa"
PENDING_SECONDS = 300


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        session.pop(PENDING, None)
        try:
            user = services.password_step(db.session, form.username.data, form.password.data,
                                          login_address())
        except LoginThrottled as e:
            db.session.rollback()
            form.form_errors.append(e.message)
            return render_template("auth/login.html", form=form), 429
        db.session.commit()  # the attempt is counted, whatever its outcome
        if user is None:
            # One message for every cause: unknown user, wrong password, deactivated.
            form.form_errors.append(_("Wrong username or password, or the account is disabled."))
        elif user.totp_enabled:
            session[PENDING] = {"user_id": user.id, "token": user.session_token,
                                "remember": bool(form.remember.data),
                                "next": safe_next(form.next.data) or "",
                                "until": time.time() + PENDING_SECONDS}
            return redirect(url_for("auth.login_code"))
        else:
            login_user(user, remember=form.remember.data)
            session.permanent = False
            return redirect(safe_next(form.next.data) or url_for("staff.home"))
    return render_template("auth/login.html", form=form)


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    try:
        if float(pending["until"]) < time.time():
            return None
        user = db.session.get(User, int(pending["user_id"]))
    except (KeyError, TypeError, ValueError):
        return None
    if (user is None or not user.active or not user.totp_enabled
            or user.session_token != pending.get("token")):
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@access(PUBLIC)
def login_code():
    """Second step of a two-factor sign-in: nobody is signed in until the code is right."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    user = _pending_user()
    if user is None:
        # Expired, never started, or the password changed meanwhile: back to the first step.
        session.pop(PENDING, None)
        return render_template("auth/login_code.html", form=None)
    form = LoginCodeForm()
    if form.validate_on_submit():
        try:
            ok = services.code_step(db.session, user, form.code.data, login_address(),
                                    current_app.config["CHARITY_ID_HASH_KEY"])
        except LoginThrottled as e:
            db.session.rollback()
            form.form_errors.append(e.message)
            return render_template("auth/login_code.html", form=form), 429
        db.session.commit()
        if ok:
            pending = session.pop(PENDING)
            login_user(user, remember=pending.get("remember", False))
            session.permanent = False
            return redirect(safe_next(pending.get("next")) or url_for("staff.home"))
        form.code.errors = [*form.code.errors, _("The code is wrong or has expired.")]
    return render_template("auth/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
@access(PUBLIC)
def logout():
    # CSRF-protected POST: a link on another site cannot sign people out.
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("portal.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@access("account.self")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, db.session, form.current_password.data,
                                         form.new_password.data)
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session: re-issue the cookie with the new token
            flash(_("Your password has been changed. Other devices have been signed out."),
                  "success")
            return redirect(url_for("staff.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/language/<code>")
@access(PUBLIC)
def set_language(code: str):
    from flask import current_app

    if code in current_app.config["CHARITY_LOCALES"]:
        session["locale"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("portal.home"))


from charity.auth import account_views  # noqa: E402,F401  (the account page's routes)

__all__ = ["bp", "init_login", "safe_next", "LOGIN"]
