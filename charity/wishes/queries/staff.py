"""Micro-wishes as the staff screens read them: the list a user may see, and what the wish
and fulfil forms offer (categories, households, recent intakes)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from charity.auth.permissions import scope_organizations, scope_points
from charity.core.db import contains, where_given
from charity.core.extensions import db
from charity.core.roles import Role
from charity.goods.models import DocStatus, Intake, ItemCategory
from charity.people.models import Beneficiary
from charity.wishes.models import Wish

RECENT_INTAKES = 30
MAX_HOUSEHOLDS = 500


def _scoped(user, stmt):
    """Wishes `user` may see: their organisation's; a volunteer only their points' wishes
    and the organisation's wishes without a point (an administrator: all)."""
    if user.role == Role.ADMIN:
        return stmt
    stmt = stmt.where(Wish.organization_id == user.organization_id)
    if user.role == Role.VOLUNTEER:
        ids = sorted(user.point_ids) or [-1]
        stmt = stmt.where(sa.or_(Wish.point_id.in_(ids), Wish.point_id.is_(None)))
    return stmt


def wish_list(user, status: str | None, point_id: int | None, q: str):
    """The wishes `user` may see with `status` at `point_id` (None: any) whose text, claim
    reference or claimant contains `q`; newest first."""
    stmt = where_given(_scoped(user, sa.select(Wish)), (Wish.status, status),
                       (Wish.point_id, point_id))
    if q:
        stmt = stmt.where(sa.or_(contains(Wish.what, q), contains(Wish.tag, q),
                                 contains(Wish.claim_ref, q), contains(Wish.claimant_name, q)))
    stmt = stmt.options(selectinload(Wish.point), selectinload(Wish.organization))
    return stmt.order_by(Wish.created_at.desc(), Wish.id.desc())


def categories() -> list[ItemCategory]:
    return list(db.session.scalars(sa.select(ItemCategory)
                                   .order_by(ItemCategory.sort, ItemCategory.name)))


def households(user, org_id: int | None) -> list[Beneficiary]:
    """Active, not erased households of the user's organisations (of `org_id` if given),
    by name: at most MAX_HOUSEHOLDS."""
    stmt = sa.select(Beneficiary).where(Beneficiary.erased_at.is_(None),
                                        Beneficiary.active.is_(True))
    stmt = scope_organizations(user, stmt, Beneficiary.organization_id)
    if org_id is not None:
        stmt = stmt.where(Beneficiary.organization_id == org_id)
    return list(db.session.scalars(stmt.order_by(Beneficiary.name, Beneficiary.id)
                                   .limit(MAX_HOUSEHOLDS)))


def recent_intakes(user, wish: Wish) -> list[Intake]:
    """The organisation's latest posted intakes (at the wish's point, if it has one) that
    `user` may see: the ones likely to have brought the gift."""
    stmt = sa.select(Intake).where(Intake.organization_id == wish.organization_id,
                                   Intake.status == DocStatus.POSTED)
    if wish.point_id is not None:
        stmt = stmt.where(Intake.point_id == wish.point_id)
    stmt = scope_points(user, stmt, Intake.point_id)
    return list(db.session.scalars(stmt.options(selectinload(Intake.point))
                                   .order_by(Intake.received_on.desc(), Intake.id.desc())
                                   .limit(RECENT_INTAKES)))
