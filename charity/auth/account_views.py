"""One's own account page: password and optional two-factor sign-in (managers, admins)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from markupsafe import Markup

from charity.auth import totp
from charity.auth.forms import TotpConfirmForm, TotpDisableForm
from charity.auth.permissions import can
from charity.auth.views import bp
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.orgs.forms import ConfirmForm
from charity.reports.qr import qr_svg
from charity.web.access import access, show_domain_error


def _key() -> bytes:
    return current_app.config["CHARITY_ID_HASH_KEY"]


def _render(confirm_form=None, disable_form=None, status=200):
    user = current_user._get_current_object()
    secret = totp.pending_secret(user, _key()) if can(user, "account.2fa") else None
    qr = None
    if secret:
        qr = Markup(qr_svg(totp.provisioning_uri(user, secret), size="200px",
                           title=_("QR code for the authenticator app")))
    return render_template(
        "auth/account.html", user=user, can_2fa=can(user, "account.2fa"), secret=secret, qr=qr,
        start_form=ConfirmForm(), confirm_form=confirm_form or TotpConfirmForm(),
        disable_form=disable_form or TotpDisableForm()), status


@bp.route("/account")
@access("account.self")
def account():
    return _render()


@bp.route("/account/2fa/start", methods=["POST"])
@access("account.2fa")
def totp_start():
    if ConfirmForm().validate_on_submit():
        try:
            totp.begin_enrolment(current_user, db.session, _key())
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
    return redirect(url_for("auth.account"))


@bp.route("/account/2fa/confirm", methods=["POST"])
@access("account.2fa")
def totp_confirm():
    form = TotpConfirmForm()
    if form.validate_on_submit():
        try:
            totp.confirm_enrolment(current_user, db.session, form.code.data, _key())
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session stays, others end
            flash(_("Two-factor sign-in is on. Other devices have been signed out."), "success")
            return redirect(url_for("auth.account"))
    return _render(confirm_form=form, status=400)


@bp.route("/account/2fa/disable", methods=["POST"])
@access("account.self")
def totp_disable():
    # Open to every role: someone demoted after enrolling can still turn it off.
    form = TotpDisableForm()
    if form.validate_on_submit():
        try:
            totp.disable(current_user, db.session, form.password.data, form.code.data, _key())
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("auth.account"))
    return _render(disable_form=form, status=400)
