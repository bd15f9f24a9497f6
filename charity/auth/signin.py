"""How the app knows who is signed in (Flask-Login wiring: the cookie's session token, the
forced password change) and where a sign-in may send the browser afterwards."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.models import User
from charity.core.db import write_intent
from charity.core.extensions import db
from charity.core.i18n import _l

# Pages a user who must change their password may still open.
_ALLOWED_BEFORE_NEW_PASSWORD = ("auth.change_password", "auth.logout", "static",
                                "auth.set_language")


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
                and request.endpoint not in _ALLOWED_BEFORE_NEW_PASSWORD):
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
