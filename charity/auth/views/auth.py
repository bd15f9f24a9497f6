"""The `auth` blueprint: signing in (password, then the code when two-factor sign-in is
on) and out, one's own account page (password, two-factor sign-in), the language switch."""
from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from charity.auth import services, throttle, totp
from charity.auth.forms import (
    ChangePasswordForm,
    LoginCodeForm,
    LoginForm,
    TotpConfirmForm,
    TotpDisableForm,
)
from charity.auth.models import User
from charity.auth.permissions import can
from charity.auth.sessions import sign_out_everywhere
from charity.auth.signin import end_this_session, remember_days, safe_next, start_session
from charity.auth.throttle import LoginThrottled
from charity.core.db import run_transaction
from charity.core.extensions import db
from charity.reports.qr import qr_svg
from charity.web.access import PUBLIC, access
from charity.web.forms import ConfirmForm
from charity.web.posting import post_form

bp = Blueprint("auth", __name__)

# The password was right; the code is still to come. Kept in the signed session cookie with
# the user's session token (a password change meanwhile voids it) and a deadline.
PENDING = "pending_2fa"
PENDING_SECONDS = 300


def _key() -> bytes:
    """The installation key: hashes addresses for the throttle, seals TOTP secrets."""
    return current_app.config["CHARITY_ID_HASH_KEY"]


def login_address() -> str:
    """The remote address as the throttle knows it: an HMAC, never the address itself."""
    return throttle.address_hash(request.remote_addr, _key())


def _keep_this_session(message: str, url: str) -> tuple[str, str]:
    """After one's own password or two-factor change (other sessions are signed out): keep
    this one by re-issuing the cookie with the new token."""
    login_user(current_user._get_current_object())
    return message, url


# --- signing in and out ----------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    form.remember.description = _("For at most %(days)d days. Not on a shared computer.",
                                  days=remember_days())
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    session.pop(PENDING, None)
    try:
        # Committed whatever the outcome: the attempt is counted.
        user = run_transaction(db.session, lambda: services.password_step(
            db.session, form.username.data, form.password.data, login_address()))
    except LoginThrottled as e:
        form.form_errors.append(e.message)
        return render_template("auth/login.html", form=form), 429
    if user is None:
        # One message for every cause: unknown user, wrong password, deactivated.
        form.form_errors.append(_("Wrong username or password, or the account is disabled."))
        return render_template("auth/login.html", form=form)
    if user.totp_enabled:
        session[PENDING] = {"user_id": user.id, "token": user.session_token,
                            "remember": bool(form.remember.data),
                            "next": safe_next(form.next.data) or "",
                            "until": time.time() + PENDING_SECONDS}
        return redirect(url_for("auth.login_code"))
    start_session(user, remember=form.remember.data)
    return redirect(safe_next(form.next.data) or url_for("staff.home"))


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
            ok = run_transaction(db.session, lambda: services.code_step(
                db.session, user, form.code.data, login_address(), _key()))
        except LoginThrottled as e:
            form.form_errors.append(e.message)
            return render_template("auth/login_code.html", form=form), 429
        if ok:
            pending = session.pop(PENDING)
            start_session(user, remember=pending.get("remember", False))
            return redirect(safe_next(pending.get("next")) or url_for("staff.home"))
        form.code.errors = [*form.code.errors, _("The code is wrong or has expired.")]
    return render_template("auth/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
@access(PUBLIC)
def logout():
    # CSRF-protected POST: a link on another site cannot sign people out. The session ends on
    # the server: the cookies, and any copy of them, open nothing any more.
    end_this_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("portal.home"))


@bp.route("/language/<code>")
@access(PUBLIC)
def set_language(code: str):
    if code in current_app.config["CHARITY_LOCALES"]:
        session["locale"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("portal.home"))


# --- one's own account -----------------------------------------------------------------------

@bp.route("/account/password", methods=["GET", "POST"])
@access("account.self")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        response = post_form(
            form, lambda: services.change_own_password(
                current_user, db.session, form.current_password.data, form.new_password.data),
            success=lambda _obj: _keep_this_session(
                _("Your password has been changed. Other devices have been signed out."),
                url_for("staff.home")),
            fallback=url_for("staff.home"))
        if response:
            return response
    return render_template("auth/change_password.html", form=form)


def _account_page(confirm_form=None, disable_form=None, status=200):
    user = current_user._get_current_object()
    secret = totp.pending_secret(user, _key()) if can(user, "account.2fa") else None
    qr = None
    if secret:
        qr = Markup(qr_svg(totp.provisioning_uri(user, secret), size="200px",
                           title=_("QR code for the authenticator app")))
    return render_template(
        "auth/account.html", user=user, can_2fa=can(user, "account.2fa"), secret=secret, qr=qr,
        start_form=ConfirmForm(), confirm_form=confirm_form or TotpConfirmForm(),
        disable_form=disable_form or TotpDisableForm(), everywhere_form=ConfirmForm(),
        remember_days=remember_days(),
        idle_hours=current_app.config["CHARITY_SESSION_IDLE_HOURS"]), status


@bp.route("/account")
@access("account.self")
def account():
    return _account_page()


@bp.route("/account/sessions/end", methods=["POST"])
@access("account.self")
def sign_out_all():
    """Sign out everywhere: every session of this account ends, on every device and this
    one (a lost phone, a shared computer left signed in)."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    user = current_user._get_current_object()
    run_transaction(db.session, lambda: sign_out_everywhere(user, db.session))
    logout_user()
    flash(_("You have been signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/2fa/start", methods=["POST"])
@access("account.2fa")
def totp_start():
    back = url_for("auth.account")
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    return post_form(None, lambda: totp.begin_enrolment(current_user, db.session, _key()),
                     success=lambda _secret: ("", back), fallback=back)


def _post_2fa(form, work, message: str, **page):
    """Post a two-factor form of the account page: back to the page saying `message` (this
    session kept, the others ended), or the page again with the form's errors (400)."""
    if form.validate_on_submit():
        response = post_form(
            form, work, fallback=url_for("auth.account"),
            success=lambda _obj: _keep_this_session(message, url_for("auth.account")))
        if response:
            return response
    return _account_page(status=400, **page)


@bp.route("/account/2fa/confirm", methods=["POST"])
@access("account.2fa")
def totp_confirm():
    form = TotpConfirmForm()
    return _post_2fa(form, lambda: totp.confirm_enrolment(current_user, db.session,
                                                          form.code.data, _key()),
                     _("Two-factor sign-in is on. Other devices have been signed out."),
                     confirm_form=form)


@bp.route("/account/2fa/disable", methods=["POST"])
@access("account.self")
def totp_disable():
    # Open to every role: someone demoted after enrolling can still turn it off.
    form = TotpDisableForm()
    return _post_2fa(form, lambda: totp.disable(current_user, db.session, form.password.data,
                                                form.code.data, _key()),
                     _("Two-factor sign-in is off."), disable_form=form)
