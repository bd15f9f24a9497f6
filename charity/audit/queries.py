"""Reading the audit log: the auditor's filters (user, action, object, dates), scoped."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.auth.models import User
from charity.auth.permissions import scope_organizations


@dataclass
class AuditFilter:
    user_id: int | None = None
    action: str = ""          # a prefix: "user." finds every user change
    object_type: str = ""     # exact, e.g. "Beneficiary"
    object_id: str = ""       # exact, with object_type
    date_from: dt.date | None = None  # days in `tz_name`, both ends included
    date_to: dt.date | None = None
    tz_name: str = "Asia/Shanghai"


def _start_of(day: dt.date, tz_name: str) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(tz_name))
    return local.astimezone(dt.timezone.utc)


def audit_entries(user, flt: AuditFilter):
    """select() of the entries `user` may read (their organisation's; all for an admin) that
    match `flt`, newest first."""
    stmt = scope_organizations(user, sa.select(AuditLog), AuditLog.organization_id)
    if flt.user_id:
        stmt = stmt.where(AuditLog.user_id == flt.user_id)
    if flt.action:
        stmt = stmt.where(AuditLog.action.startswith(flt.action, autoescape=True))
    if flt.object_type:
        stmt = stmt.where(AuditLog.object_type == flt.object_type)
        if flt.object_id:
            stmt = stmt.where(AuditLog.object_id == flt.object_id)
    if flt.date_from:
        stmt = stmt.where(AuditLog.at >= _start_of(flt.date_from, flt.tz_name))
    if flt.date_to:
        stmt = stmt.where(AuditLog.at < _start_of(flt.date_to + dt.timedelta(days=1),
                                                  flt.tz_name))
    return stmt.options(sa.orm.selectinload(AuditLog.user)).order_by(AuditLog.id.desc())


def audit_users(session, user) -> list[User]:
    """The accounts whose entries `user` may filter by (their organisation's; all for admin)."""
    return list(session.scalars(scope_organizations(
        user, sa.select(User), User.organization_id).order_by(User.username).limit(1000)))


def object_types(session, user) -> list[str]:
    """The kinds of object that occur in the entries `user` may read."""
    stmt = scope_organizations(user, sa.select(AuditLog.object_type).distinct(),
                               AuditLog.organization_id)
    return sorted(session.scalars(stmt))
