"""Read side of accounts: the admin list of users and what the account form offers."""
from __future__ import annotations

import sqlalchemy as sa

from charity.auth.models import User
from charity.auth.permissions import scope_organizations
from charity.core.db import contains
from charity.core.extensions import db
from charity.core.roles import Role
from charity.orgs.models import CharityPoint


def user_list(user, q: str, role: str):
    """The accounts of the user's organisations matching `q` (username or display name)
    and `role` ('' or an unknown role: all), with organisation and points loaded."""
    stmt = scope_organizations(user, sa.select(User).outerjoin(User.organization),
                               User.organization_id)
    if q:
        stmt = stmt.where(sa.or_(contains(User.username, q), contains(User.display_name, q)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    stmt = stmt.options(sa.orm.contains_eager(User.organization),
                        sa.orm.selectinload(User.points))
    return stmt.order_by(User.username)


def open_points(organization_ids) -> list[CharityPoint]:
    """The open points of these organisations (the points an account may serve)."""
    return list(db.session.scalars(
        sa.select(CharityPoint).where(CharityPoint.organization_id.in_(list(organization_ids)),
                                      CharityPoint.active.is_(True))
        .order_by(CharityPoint.organization_id, CharityPoint.name)))
