"""Sign-in throttling, counted in the database so every worker process sees the same counts.

Two limits, over a sliding window:
- per account (the username as typed, whether or not it exists): ACCOUNT_LIMIT failures;
  a success from an address forgives the earlier failures *from that address only*, so a
  user who mistyped can go on, while an attacker elsewhere keeps their count;
- per remote address: ADDRESS_LIMIT failures, never forgiven by a success (a valid account
  must not buy more guesses against the others).
Refused attempts are not recorded: hammering a locked account does not grow the table.

The public forms' limits (wish claims, drop-off pre-registrations, pre-registration lookups)
are plain counts per address over a window: `count_hits` and `record_hit` below, on the
`rate_hit` table, used through charity.web.ratelimit.AddressLimiter.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.models import LoginAttempt, RateHit, User
from charity.core.db import utcnow
from charity.core.errors import DomainError
from charity.core.i18n import _l

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = dt.timedelta(minutes=15)
# Rows older than this are deleted as new attempts come in (an indexed range delete).
KEEP = dt.timedelta(days=1)


class LoginThrottled(DomainError):
    """Too many failures for this account or from this address: try later."""

    def __init__(self):
        super().__init__(_l("Too many failed sign-in attempts. Please try again in up to "
                            "15 minutes."))


def normalise_username(username: str | None) -> str:
    return (username or "").strip().lower()[:64]


def address_hash(address: str | None, key: bytes) -> str:
    """HMAC-SHA256 of the remote address under the installation key (never the address)."""
    return hmac.new(key, b"login-address:" + (address or "").encode(),
                    hashlib.sha256).hexdigest()


def _account_failures(session: Session, username: str, since: dt.datetime) -> int:
    rows = session.execute(
        sa.select(LoginAttempt.address_hash, LoginAttempt.at, LoginAttempt.success)
        .where(LoginAttempt.username == username, LoginAttempt.at >= since)).all()
    last_success: dict[str, dt.datetime] = {}
    for address, at, success in rows:
        if success and (address not in last_success or at > last_success[address]):
            last_success[address] = at
    return sum(1 for address, at, success in rows
               if not success and (address not in last_success or at > last_success[address]))


def _address_failures(session: Session, address: str, since: dt.datetime) -> int:
    return session.scalar(sa.select(sa.func.count(LoginAttempt.id)).where(
        LoginAttempt.address_hash == address, LoginAttempt.at >= since,
        LoginAttempt.success.is_(False))) or 0


def check(session: Session, username: str, address: str, now: dt.datetime | None = None) -> None:
    """Raise LoginThrottled if this account or this address is over its limit."""
    since = (now or utcnow()) - WINDOW
    username = normalise_username(username)
    if (_account_failures(session, username, since) >= ACCOUNT_LIMIT
            or _address_failures(session, address, since) >= ADDRESS_LIMIT):
        raise LoginThrottled()


def record_attempt(session: Session, username: str, address: str, success: bool,
                   step: str = "password", now: dt.datetime | None = None) -> None:
    """Store one attempt (never the password); audit a lock-out when this failure starts one."""
    now = now or utcnow()
    username = normalise_username(username)
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    attempt = LoginAttempt(username=username, address_hash=address, at=now, success=success,
                           step=step)
    session.add(attempt)
    session.flush()
    if success:
        return
    since = now - WINDOW
    scopes = []
    if _account_failures(session, username, since) == ACCOUNT_LIMIT:
        scopes.append("account")
    if _address_failures(session, address, since) == ADDRESS_LIMIT:
        scopes.append("address")
    if scopes:
        user = session.scalar(sa.select(User).where(User.username == username))
        # The username typed is logged only when it names an account: an unknown "username"
        # may well be a password typed into the wrong field.
        record(session, None, "auth.lockout", user or attempt,
               {"scope": scopes, "step": step, "username": user.username if user else None,
                "known_account": user is not None})


# --- plain per-address limits of public actions ----------------------------------------------

def count_hits(session: Session, bucket: str, address: str, since: dt.datetime) -> int:
    """How many times `address` (a keyed hash) did `bucket` since `since`."""
    return session.scalar(sa.select(sa.func.count(RateHit.id)).where(
        RateHit.bucket == bucket, RateHit.address_hash == address, RateHit.at >= since)) or 0


def record_hit(session: Session, bucket: str, address: str,
               now: dt.datetime | None = None) -> None:
    """Count one use of `bucket` by `address`; rows older than KEEP go (no limit's window is
    longer), so the table stays small. The caller commits."""
    now = now or utcnow()
    session.execute(sa.delete(RateHit).where(RateHit.at < now - KEEP))
    session.add(RateHit(bucket=bucket, address_hash=address, at=now))
    session.flush()
