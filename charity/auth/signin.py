"""How the app knows who is signed in (Flask-Login wiring: the cookie's user, session
generation and session key, checked against the server's session row; the idle timeout; the
forced password change), signing in and out of one session, and where a sign-in may send the
browser afterwards."""
from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from charity.auth import sessions
from charity.auth.models import User
from charity.core.config import MAX_REMEMBER_DAYS
from charity.core.db import run_transaction, write_intent
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.web.access import parse_id

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
        user = _user_of(user_key)
        if user is None:
            # Refused (signed out, ended everywhere, expired, idle): forget it, so the next
            # request does not ask again and a remember-me cookie may still be tried.
            session.pop("_user_id", None)
            session.pop(SEEN, None)
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


# When this session last made a request (Unix time), in the signed session cookie: the idle
# clock of sessions not kept with "keep me signed in" (charity.auth.sessions.is_idle).
SEEN = "_seen"
# Rewritten at most this often: a cookie per minute, not per request.
SEEN_EVERY_SECONDS = 60


def _user_of(user_key: str) -> User | None:
    """The user a cookie names ("id:token:key"), if that is still a session: the account is
    active, the generation token is current, the session row is live, and a session not kept
    has not been idle too long."""
    parts = (user_key or "").split(":")
    if len(parts) != 3:
        return None  # includes cookies of the earlier "id:token" form: sign in again
    user_id, token, key = parse_id(parts[0]), parts[1], parts[2]
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or user.session_token != token or not user.active:
        return None
    row = sessions.live_session(db.session, user, key)
    if row is None:
        return None
    now = time.time()
    idle_hours = current_app.config["CHARITY_SESSION_IDLE_HOURS"]
    if not row.remember and sessions.is_idle(session.get(SEEN), now, idle_hours):
        flash(_("You were signed out after %(hours)d hours without activity. Please sign in "
                "again.", hours=idle_hours), "info")
        return None
    if now - float(session.get(SEEN) or 0) > SEEN_EVERY_SECONDS:
        session[SEEN] = now
    user.session_key = key
    return user


def remember_days() -> int:
    return min(int(current_app.config["CHARITY_REMEMBER_DAYS"]), MAX_REMEMBER_DAYS)


def start_session(user: User, remember: bool) -> None:
    """Sign `user` in on this browser: a new server-side session (committed), then the
    cookies that carry its key. The remember-me cookie, if asked for, lasts as long as the
    session may (at most CHARITY_REMEMBER_DAYS)."""
    days = remember_days()
    user.session_key = run_transaction(db.session, lambda: sessions.open_session(
        db.session, user, remember=bool(remember), days=days))
    login_user(user, remember=bool(remember), duration=dt.timedelta(days=days))
    session.permanent = False
    session[SEEN] = time.time()


def end_this_session() -> None:
    """Sign out on this browser: the session row ends on the server (committed), then the
    cookies are cleared; copies of them taken earlier open nothing."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        run_transaction(db.session, lambda: sessions.end_session(db.session, user,
                                                                 user.session_key))
    logout_user()
    session.pop(SEEN, None)


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
