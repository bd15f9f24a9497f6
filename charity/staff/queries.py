"""What the staff home page shows: the user's open points, a few counts, and the disclosure
deadlines due soon or overdue."""
from __future__ import annotations

import sqlalchemy as sa

from charity.auth.models import User
from charity.auth.permissions import can, scope_organizations, scope_points
from charity.core.extensions import db
from charity.disclosure.models import Obligation
from charity.disclosure.queries import subject_names
from charity.orgs.models import CharityPoint, Organization

POINTS_SHOWN = 50
DEADLINES_SHOWN = 20


def _open_points(user):
    stmt = scope_points(user, sa.select(CharityPoint), CharityPoint.id,
                        CharityPoint.organization_id)
    return stmt.where(CharityPoint.active.is_(True))


def open_points(user) -> list[CharityPoint]:
    """The open points `user` works at, by name (the first POINTS_SHOWN)."""
    return list(db.session.scalars(_open_points(user).order_by(CharityPoint.name)
                                   .limit(POINTS_SHOWN)))


def counts(user) -> dict[str, int]:
    """Open points; for those who may see organisations also organisations and accounts."""
    out = {}
    if can(user, "orgs.view"):
        out["orgs"] = db.session.scalar(scope_organizations(
            user, sa.select(sa.func.count(Organization.id)), Organization.id))
        out["users"] = db.session.scalar(scope_organizations(
            user, sa.select(sa.func.count(User.id)), User.organization_id))
    out["points"] = db.session.scalar(_open_points(user).with_only_columns(
        sa.func.count(CharityPoint.id)))
    return out


def deadlines(user) -> tuple[list, dict]:
    """Disclosure obligations due in the next 7 days or overdue (the reason this system
    exists), soonest first, with their subjects' names; nothing without disclosure.view."""
    if not can(user, "disclosure.view"):
        return [], {}
    due = db.session.scalars(scope_organizations(
        user, sa.select(Obligation), Obligation.organization_id)
        .where(Obligation.status.in_(("due", "overdue")))
        .order_by(Obligation.due).limit(DEADLINES_SHOWN)).all()
    return due, subject_names(due)
