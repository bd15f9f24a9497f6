"""Accounts: creating users, passwords, activation, login."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from charity.audit.services import record
from charity.audit.edits import apply_changes, create_audited, switch_active
from charity.auth.models import User, new_session_token
from charity.auth.permissions import assignable_roles, in_scope, may_manage_account, require
from charity.auth import throttle, totp
from charity.core.roles import Role
from charity.auth.throttle import normalise_username
from charity.core.db import utcnow
from charity.core.errors import PermissionDenied, ValidationFailed
from charity.core.i18n import _l
from charity.orgs.models import CharityPoint, Organization

MIN_PASSWORD_LENGTH = 10
# A hash of a random password, checked when the username is unknown so that a wrong
# username takes as long as a wrong password (no user enumeration by timing).
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")
# New hashes use werkzeug's default (scrypt, n=2**15, r=8, p=1); a stored hash made with
# anything else is replaced at the next successful sign-in.
CURRENT_HASH_PREFIX = "scrypt:32768:8:1$"
# Passwords found at the top of every leaked-password list (at least 10 characters long,
# or the length rule already refuses them), compared case-insensitively.
COMMON_PASSWORDS = frozenset({
    "1234567890", "0123456789", "0987654321", "12345678910", "123456789a", "a123456789",
    "1q2w3e4r5t", "1qaz2wsx3edc", "qwertyuiop", "qwerty1234", "qwerty123456", "asdfghjkl;",
    "password12", "password123", "password1234", "passw0rd123", "iloveyou12", "1111111111",
    "0000000000", "8888888888", "6666666666", "5201314520", "woaini1314", "abcdefghij",
    "abc1234567", "abcd123456", "administrator", "admin12345", "admin123456", "changeme123",
    "letmein123", "welcome123", "p@ssw0rd123", "aa12345678", "zxcvbnm123", "11223344556",
})
# The published demo passwords (charity/demo.py, README): fine for the demo's own accounts,
# never for a real installation's first administrator.
DEFAULT_PASSWORDS = frozenset({"demo-admin-2026", "demo-manager-2026", "demo-volunteer-2026",
                               "demo-auditor-2026", "admin", "changeme"})


def check_password_rules(password: str, field: str = "password", username: str = "") -> None:
    """Refuse a password shorter than MIN_PASSWORD_LENGTH, a well-known one, or the
    username dressed up with digits."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field=field)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        raise ValidationFailed(_l("This password is too common. Choose another."), field=field)
    # The username itself, or with digits and signs around it ("admin2026!"); a longer
    # phrase that merely contains it (the demo's "demo-admin-2026") is allowed.
    name = (username or "").strip().lower()
    if name and (lowered == name or "".join(ch for ch in lowered if ch.isalpha()) == name):
        raise ValidationFailed(_l("The password must not be the username."), field=field)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (the caller says nothing more).

    Every path checks one password hash (a dummy one for an unknown name), so a wrong
    username takes as long as a wrong password. An outdated hash is replaced.
    """
    user = session.scalar(sa.select(User).where(User.username == normalise_username(username)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    if not user.active:
        return None
    if not user.password_hash.startswith(CURRENT_HASH_PREFIX):
        user.password_hash = generate_password_hash(password)
    return user


def password_step(session: Session, username: str, password: str, address: str) -> User | None:
    """First step of signing in, throttled per account and per address (raises
    LoginThrottled). Returns the user when the password is right; a user with two-factor
    sign-in on is not signed in yet and nothing is recorded until the code step."""
    throttle.check(session, username, address)
    user = authenticate(session, username, password)
    if user is None:
        throttle.record_attempt(session, username, address, success=False)
        return None
    if not user.totp_enabled:
        finish_sign_in(session, user, address)
    return user


def code_step(session: Session, user: User, code: str, address: str, key: bytes) -> bool:
    """Second step for a user with two-factor sign-in: the code from their app, throttled
    like passwords. True when the user may now be signed in."""
    throttle.check(session, user.username, address)
    if not totp.verify_code(user, code, key):
        throttle.record_attempt(session, user.username, address, success=False, step="code")
        return False
    finish_sign_in(session, user, address, step="code")
    return True


def finish_sign_in(session: Session, user: User, address: str, step: str = "password") -> None:
    throttle.record_attempt(session, user.username, address, success=True, step=step)
    user.last_login_at = utcnow()


def _resolve_points(session: Session, org_id: int | None, point_ids) -> list[CharityPoint]:
    ids = sorted({int(i) for i in point_ids or ()})
    if not ids:
        return []
    points = list(session.scalars(sa.select(CharityPoint).where(CharityPoint.id.in_(ids))))
    if len(points) != len(ids) or any(p.organization_id != org_id for p in points):
        raise ValidationFailed(_l("A volunteer can only serve points of their organisation."),
                               field="point_ids")
    return points


def _check_role_and_org(actor, session: Session, role, org_id) -> tuple[Role, int | None]:
    try:
        role = Role(role)
    except ValueError:
        raise ValidationFailed(_l("Choose a role."), field="role") from None
    if role not in assignable_roles(actor):
        raise PermissionDenied(_l("You may not give this role."), field="role")
    if role == Role.ADMIN:
        return role, org_id or None
    if not org_id:
        raise ValidationFailed(_l("Choose the user's organisation."), field="organization_id")
    org = session.get(Organization, int(org_id))
    if org is None or not in_scope(actor, org):
        raise ValidationFailed(_l("Choose the user's organisation."), field="organization_id")
    return role, org.id


def create_user(actor, session: Session, data: dict) -> User:
    """Create an account. Managers create accounts in their own organisation only."""
    require(actor, "users.manage")
    username = (data.get("username") or "").strip().lower()
    if not username:
        raise ValidationFailed(_l("This field is required."), field="username")
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed(_l("This username is taken."), field="username")
    check_password_rules(data.get("password", ""), username=username)
    role, org_id = _check_role_and_org(actor, session, data.get("role"),
                                       data.get("organization_id"))
    display_name = (data.get("display_name") or "").strip() or username
    user = User(username=username, display_name=display_name,
                password_hash=generate_password_hash(data["password"]), role=role,
                organization_id=org_id, active=True,
                must_change_password=bool(data.get("must_change_password", False)))
    user.points = _resolve_points(session, org_id, data.get("point_ids"))
    return create_audited(session, actor, user, "user.create",
                          lambda user: {"username": username, "role": role,
                                        "organization_id": org_id,
                                        "points": [p.id for p in user.points]},
                          organization_id=org_id, unique=_username_free(session, username))


def _username_free(session: Session, username: str):
    """The `unique` of create_audited for a new account's username."""
    return (lambda: session.scalar(sa.select(User.id).where(User.username == username))
            is not None, _l("This username is taken."), "username")


def _require_manage(actor, user: User) -> None:
    """Administrators' and auditors' accounts are changed by administrators only."""
    require(actor, "users.manage", user)
    if not may_manage_account(actor, user):
        raise PermissionDenied(_l("You are not allowed to do this."))


def update_user(actor, session: Session, user: User, data: dict) -> User:
    """Change display name, role, organisation and points of an account."""
    _require_manage(actor, user)
    role, org_id = _check_role_and_org(actor, session, data.get("role", user.role),
                                       data.get("organization_id", user.organization_id))
    if user.id == actor.id and role != user.role:
        raise ValidationFailed(_l("You cannot change your own role."), field="role")
    clean = {"display_name": (data.get("display_name") or user.display_name).strip(),
             "role": role, "organization_id": org_id}
    changes = apply_changes(user, clean)
    if "point_ids" in data:
        points = _resolve_points(session, org_id, data["point_ids"])
        old, new = sorted(user.point_ids), sorted(p.id for p in points)
        if old != new:
            changes["points"] = [old, new]
            user.points = points
    if changes:
        if "role" in changes or "organization_id" in changes:
            user.session_token = new_session_token()  # new rights: sign in again
        record(session, actor, "user.update", user, changes, organization_id=org_id)
    session.flush()
    return user


def set_user_active(actor, session: Session, user: User, active: bool) -> None:
    """Deactivate (signs the user out everywhere) or reactivate an account."""
    _require_manage(actor, user)
    if user.id == actor.id and not active:
        raise ValidationFailed(_l("You cannot deactivate yourself."))
    if user.active != active:
        user.session_token = new_session_token()  # deactivated: signed out everywhere
    switch_active(session, actor, user, active, "user")


def reset_password(actor, session: Session, user: User, new_password: str) -> None:
    """Set a new password for someone else; they must change it at their next login."""
    _require_manage(actor, user)
    check_password_rules(new_password, field="new_password", username=user.username)
    user.password_hash = generate_password_hash(new_password)
    user.must_change_password = user.id != actor.id
    user.session_token = new_session_token()
    record(session, actor, "user.reset_password", user)
    session.flush()


def change_own_password(actor: User, session: Session, current: str, new: str) -> None:
    """The signed-in user changes their password; other sessions are signed out."""
    if not check_password_hash(actor.password_hash, current or ""):
        raise ValidationFailed(_l("The current password is wrong."), field="current_password")
    check_password_rules(new, field="new_password", username=actor.username)
    if check_password_hash(actor.password_hash, new):
        raise ValidationFailed(_l("Choose a password different from the current one."),
                               field="new_password")
    actor.password_hash = generate_password_hash(new)
    actor.must_change_password = False
    actor.session_token = new_session_token()
    record(session, actor, "user.change_password", actor)
    session.flush()


def bootstrap_admin(session: Session, username: str, password: str,
                    display_name: str = "") -> User:
    """Create the first admin (from `charity init`). The system is the actor."""
    username = username.strip().lower()
    check_password_rules(password, username=username)
    if password.strip().lower() in DEFAULT_PASSWORDS:
        # The demo's passwords are published: a real installation must not start with one.
        raise ValidationFailed(_l("This password is published as a default. Choose another."),
                               field="password")
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed(_l("This username is taken."), field="username")
    user = User(username=username, display_name=display_name or username,
                password_hash=generate_password_hash(password), role=Role.ADMIN)
    return create_audited(session, None, user, "user.create",
                          lambda _user: {"username": username, "role": Role.ADMIN})
