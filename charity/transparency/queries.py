"""Reading the transparency scores back: the public ranking, one organisation's history and
the organisations a staff user may see scored."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.auth.permissions import scope_organizations
from charity.orgs.models import Organization
from charity.transparency.indicators import INSUFFICIENT_DATA
from charity.transparency.models import TransparencyScore


def latest(session: Session) -> list[TransparencyScore]:
    """Each active organisation's most recent score, best first (the public ranking); those
    without enough data to grade come last."""
    newest = (sa.select(TransparencyScore.organization_id,
                        sa.func.max(TransparencyScore.computed_on).label("day"))
              .group_by(TransparencyScore.organization_id).subquery())
    return list(session.scalars(
        sa.select(TransparencyScore)
        .join(newest, sa.and_(newest.c.organization_id == TransparencyScore.organization_id,
                              newest.c.day == TransparencyScore.computed_on))
        .join(Organization, Organization.id == TransparencyScore.organization_id)
        .where(Organization.active.is_(True))
        .options(sa.orm.contains_eager(TransparencyScore.organization))
        .order_by((TransparencyScore.grade == INSUFFICIENT_DATA).asc(),
                  TransparencyScore.score.desc(), Organization.name)))


def history(session: Session, organization_id: int, days: int = 366) -> list[TransparencyScore]:
    rows = session.scalars(sa.select(TransparencyScore).where(
        TransparencyScore.organization_id == organization_id)
        .order_by(TransparencyScore.computed_on.desc()).limit(days)).all()
    return list(reversed(rows))


def public_history(session: Session, organization_id: int) -> list[TransparencyScore]:
    """`history` for the public pages: empty for an unknown or inactive organisation."""
    rows = history(session, organization_id) if 0 < organization_id < 2**31 else []
    return rows if rows and rows[-1].organization.active else []


def staff_organisations(session: Session, user) -> list[Organization]:
    """The active organisations `user` may see scored, by name."""
    return list(session.scalars(scope_organizations(
        user, sa.select(Organization).where(Organization.active.is_(True)),
        Organization.id).order_by(Organization.name)))
