"""Read side of organisations and charity points: the admin lists and the organisation
pickers every feature's forms offer."""
from __future__ import annotations

import sqlalchemy as sa

from charity.auth.permissions import scope_organizations, scope_points
from charity.core.db import contains
from charity.core.extensions import db
from charity.orgs.models import CharityPoint, Organization, RegistrationChange

ORG_STATUSES = ("active", "inactive")
POINT_KINDS = ("supermarket", "station")


def active_organizations(user) -> list[Organization]:
    """The active organisations `user` works for (an administrator: all), by name."""
    stmt = scope_organizations(user, sa.select(Organization), Organization.id)
    return list(db.session.scalars(stmt.where(Organization.active.is_(True))
                                   .order_by(Organization.name)))


def organization_list(user, q: str, status: str):
    """The admin list: the user's organisations matching `q` (name, code, contact) and
    `status` ('active', 'inactive' or '' for both)."""
    stmt = scope_organizations(user, sa.select(Organization), Organization.id)
    if q:
        stmt = stmt.where(sa.or_(contains(Organization.name, q), contains(Organization.uscc, q),
                                 contains(Organization.contact_person, q)))
    if status in ORG_STATUSES:
        stmt = stmt.where(Organization.active.is_(status == "active"))
    return stmt.order_by(Organization.name)


def point_list(user, q: str, kind: str):
    """The points the user may see matching `q` (name, address, district, community) and
    `kind` ('' for both kinds), with their organisation loaded."""
    stmt = sa.select(CharityPoint).join(CharityPoint.organization)
    stmt = scope_points(user, stmt, CharityPoint.id, CharityPoint.organization_id)
    if q:
        stmt = stmt.where(sa.or_(*(contains(c, q) for c in (
            CharityPoint.name, CharityPoint.address, CharityPoint.district,
            CharityPoint.community))))
    if kind in POINT_KINDS:
        stmt = stmt.where(CharityPoint.kind == kind)
    stmt = stmt.options(sa.orm.contains_eager(CharityPoint.organization))
    return stmt.order_by(Organization.name, CharityPoint.name)


def registration_history(organization_id: int) -> list[RegistrationChange]:
    """The changes of an organisation's registration facts, newest first, with who made
    them."""
    return list(db.session.scalars(
        sa.select(RegistrationChange)
        .where(RegistrationChange.organization_id == organization_id)
        .options(sa.orm.selectinload(RegistrationChange.changed_by))
        .order_by(RegistrationChange.changed_at.desc(), RegistrationChange.id.desc())))
