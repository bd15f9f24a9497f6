"""Sessions kept on the server, so that signing out signs out (issue 16).

Two layers, both checked on every request (charity.auth.signin):

- the user's **session generation** (`User.session_token`): rotating it ends every session of
  the user at once — a password change or reset, a new role, deactivation, two-factor changes,
  and "sign out everywhere";
- one **UserSession row per signed-in browser**: the session cookie and the remember-me cookie
  both carry its random key (only the key's SHA-256 is stored). Signing out ends the row, so a
  copy of either cookie taken before is worthless at once. A row also ends by its expiry: at
  most `CHARITY_REMEMBER_DAYS` (≤ 30) after signing in, whether or not "keep me signed in" was
  ticked.

A session that was not kept ("keep me signed in" unticked) also ends after
`CHARITY_SESSION_IDLE_HOURS` without a request. That clock runs in the signed session cookie
(`is_idle`): the server checks it, a client cannot move it, and reading a page writes nothing
to the database. A kept session is exempt — keeping it was the user's choice on that device —
and ends at its expiry. docs/decisions/0016-server-side-sessions.md says why.

Plain functions: no Flask here.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.models import User, UserSession, new_session_token
from charity.core.db import utcnow

KEY_BYTES = 32


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(session: Session, user: User, *, remember: bool, days: int,
                 now: dt.datetime | None = None) -> str:
    """Start a session of `user` lasting at most `days`; returns the key for its cookies.
    The user's sessions that have ended or expired are forgotten on the way."""
    now = now or utcnow()
    session.execute(sa.delete(UserSession).where(
        UserSession.user_id == user.id,
        sa.or_(UserSession.ended_at.is_not(None), UserSession.expires_at <= now)))
    key = secrets.token_urlsafe(KEY_BYTES)
    session.add(UserSession(user_id=user.id, key_hash=key_hash(key), remember=remember,
                            created_at=now, expires_at=now + dt.timedelta(days=days)))
    session.flush()
    return key


def live_session(session: Session, user: User, key: str | None,
                 now: dt.datetime | None = None) -> UserSession | None:
    """The session of `user` with this key, if it has neither ended nor expired."""
    if not key:
        return None
    row = session.scalar(sa.select(UserSession).where(UserSession.key_hash == key_hash(key),
                                                      UserSession.user_id == user.id))
    if row is None or row.ended_at is not None or row.expires_at <= (now or utcnow()):
        return None
    return row


def end_session(session: Session, user: User, key: str | None, reason: str = "sign_out",
                now: dt.datetime | None = None) -> bool:
    """End this one session (signing out on this device). False if it was not live."""
    row = live_session(session, user, key, now)
    if row is None:
        return False
    row.ended_at = now or utcnow()
    row.end_reason = reason
    session.flush()
    return True


def sign_out_everywhere(actor: User, session: Session, now: dt.datetime | None = None) -> int:
    """End every session of `actor`, on every device and this one: a new session generation
    (no cookie issued before works any more) and every live row ended. Audited. Returns how
    many live sessions there were."""
    now = now or utcnow()
    ended = session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == actor.id, UserSession.ended_at.is_(None),
               UserSession.expires_at > now)
        .values(ended_at=now, end_reason="everywhere")
        .execution_options(synchronize_session=False)).rowcount
    actor.session_token = new_session_token()
    record(session, actor, "user.sign_out_everywhere", actor, {"sessions": ended})
    session.flush()
    return ended


def is_idle(last_seen: float | None, now: float, idle_hours: int) -> bool:
    """Has a session last seen at `last_seen` (a Unix time) been idle for too long?"""
    try:
        return now - float(last_seen) > idle_hours * 3600
    except (TypeError, ValueError):
        return True
