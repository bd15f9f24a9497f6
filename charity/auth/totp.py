"""Optional two-factor sign-in (TOTP, RFC 6238, via pyotp) for managers and administrators.

The secret is sealed under the installation key before it is stored: a copy of the database
alone does not give the codes. It is shown to its owner only while enrolling (until the
first code confirms it), never logged, never shown again.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

import pyotp
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from charity.audit.services import record
from charity.auth.models import User, new_session_token
from charity.auth.permissions import require
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l

ISSUER = "Charity"


# --- sealing: HMAC-SHA256 as a keystream (counter mode), then an HMAC tag over it ------------

def _subkey(key: bytes, purpose: bytes) -> bytes:
    return hmac.new(key, b"totp-secret:" + purpose, hashlib.sha256).digest()


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hmac.new(_subkey(key, b"enc"), nonce + counter.to_bytes(4, "big"),
                        hashlib.sha256).digest()
        counter += 1
    return out[:length]


def seal(secret: str, key: bytes) -> str:
    nonce = secrets.token_bytes(16)
    plain = secret.encode()
    body = nonce + bytes(a ^ b for a, b in zip(plain, _keystream(key, nonce, len(plain))))
    tag = hmac.new(_subkey(key, b"mac"), body, hashlib.sha256).digest()
    return "v1$" + base64.urlsafe_b64encode(body + tag).decode()


def unseal(sealed: str, key: bytes) -> str | None:
    """The secret, or None if it was sealed under another key or altered."""
    try:
        version, data = sealed.split("$", 1)
        raw = base64.urlsafe_b64decode(data.encode())
    except (ValueError, AttributeError):
        return None
    if version != "v1" or len(raw) < 16 + 32:
        return None
    body, tag = raw[:-32], raw[-32:]
    if not hmac.compare_digest(tag, hmac.new(_subkey(key, b"mac"), body, hashlib.sha256).digest()):
        return None
    nonce, cipher = body[:16], body[16:]
    return bytes(a ^ b for a, b in zip(cipher, _keystream(key, nonce, len(cipher)))).decode()


# --- codes -------------------------------------------------------------------------------------

def _clean_code(code: str | None) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


def matching_step(secret: str, code: str | None, now: dt.datetime | None = None) -> int | None:
    """The 30-second step whose code this is (this step or one either side), or None."""
    code = _clean_code(code)
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or utcnow())
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_code(user: User, code: str | None, key: bytes, now: dt.datetime | None = None) -> bool:
    """True once per code: a code already accepted (or an older one) is refused."""
    secret = unseal(user.totp_secret or "", key)
    if not user.totp_enabled or secret is None:
        return False
    step = matching_step(secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


# --- enrolment -------------------------------------------------------------------------------

def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def pending_secret(user: User, key: bytes) -> str | None:
    """The secret being enrolled (shown to its owner until confirmed), else None."""
    if user.totp_enabled or not user.totp_secret:
        return None
    return unseal(user.totp_secret, key)


def begin_enrolment(actor: User, session: Session, key: bytes) -> str:
    """Give the signed-in manager or admin a new secret to enrol (not active until confirmed)."""
    require(actor, "account.2fa")
    if actor.totp_enabled:
        raise ValidationFailed(_l("Two-factor sign-in is already on."))
    secret = pyotp.random_base32()
    actor.totp_secret = seal(secret, key)
    actor.totp_last_step = None
    session.flush()
    return secret


def confirm_enrolment(actor: User, session: Session, code: str, key: bytes,
                      now: dt.datetime | None = None) -> None:
    """Turn two-factor sign-in on once a code from the app matches; other sessions end."""
    require(actor, "account.2fa")
    secret = pending_secret(actor, key)
    if secret is None:
        raise ValidationFailed(_l("Start the set-up again."))
    step = matching_step(secret, code, now)
    if step is None:
        raise ValidationFailed(_l("The code is wrong or has expired."), field="code")
    actor.totp_enabled_at = now or utcnow()
    actor.totp_last_step = step
    actor.session_token = new_session_token()
    record(session, actor, "user.2fa_enable", actor)
    session.flush()


def disable(actor: User, session: Session, password: str, code: str, key: bytes,
            now: dt.datetime | None = None) -> None:
    """Turn one's own two-factor sign-in off: needs the password and a current code."""
    if not actor.totp_enabled:
        raise ValidationFailed(_l("Two-factor sign-in is off."))
    if not check_password_hash(actor.password_hash, password or ""):
        raise ValidationFailed(_l("The current password is wrong."), field="password")
    if not verify_code(actor, code, key, now):
        raise ValidationFailed(_l("The code is wrong or has expired."), field="code")
    _clear(actor)
    record(session, actor, "user.2fa_disable", actor)
    session.flush()


def reset(actor, session: Session, user: User) -> None:
    """An administrator turns someone's two-factor sign-in off (a lost phone); they are
    signed out everywhere and may enrol again."""
    require(actor, "users.2fa_reset", user)
    if not user.totp_secret and not user.totp_enabled_at:
        raise ValidationFailed(_l("Two-factor sign-in is off."))
    was_on = user.totp_enabled
    _clear(user)
    record(session, actor, "user.2fa_reset", user, {"was_enabled": was_on})
    session.flush()


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.session_token = new_session_token()
