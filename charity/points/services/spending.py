"""Spending a volunteer's points: goods at the counter (same point prices and monthly limits
as a household) and gifts of points to a certified household."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.errors import PermissionDenied, ValidationFailed
from charity.core.roles import Role
from charity.core.i18n import _l
from charity.goods.models import MovementKind
from charity.goods.services.checks import (filled_lines, item_and_quantity, not_future,
                                           require_point_active)
from charity.goods.services.distributions import certified_household
from charity.goods.services.stock_ledger import take
from charity.orgs.models import Organization
from charity.people.models import Volunteer
from charity.points.models import EntryKind, PointsRedemption, PointsRedemptionLine
from charity.points.services.earning import expiry_of
from charity.points.services.ledger import InsufficientPoints, account_of, post


def volunteer_of(session: Session, org_id: int, raw_id) -> Volunteer:
    """An active volunteer of the organisation, else refused next to `volunteer_id`."""
    try:
        volunteer = session.get(Volunteer, int(raw_id))
    except (TypeError, ValueError):
        volunteer = None
    if volunteer is None or volunteer.organization_id != org_id or not volunteer.active:
        raise ValidationFailed(_l("Choose a volunteer."), field="volunteer_id")
    return volunteer


def taken_this_month(session: Session, volunteer_id: int, day: dt.date) -> dict[int, Decimal]:
    """What the volunteer took per item this calendar month, up to `day`."""
    rows = session.execute(
        sa.select(PointsRedemptionLine.item_type_id, sa.func.sum(PointsRedemptionLine.quantity))
        .join(PointsRedemption)
        .where(PointsRedemption.volunteer_id == volunteer_id,
               PointsRedemption.redeemed_on >= day.replace(day=1),
               PointsRedemption.redeemed_on <= day)
        .group_by(PointsRedemptionLine.item_type_id))
    return {item_id: Decimal(total) for item_id, total in rows}


def _within_limits(session: Session, volunteer_id: int, lines: list, day: dt.date) -> None:
    """The household rule for volunteers too: no more of an item a month than its limit."""
    wanted: dict[int, Decimal] = {}
    taken = taken_this_month(session, volunteer_id, day)
    for index, item, qty, _batch in lines:
        wanted[item.id] = wanted.get(item.id, Decimal("0")) + qty
        limit = item.monthly_limit
        if limit is not None and taken.get(item.id, Decimal("0")) + wanted[item.id] > limit:
            raise ValidationFailed(
                _l("Monthly limit for %(item)s: %(limit)s per person; %(had)s already "
                   "taken.", item=item.name, limit=limit.normalize(),
                   had=taken.get(item.id, Decimal("0")).normalize()),
                field=f"lines-{index}-quantity")


def redeem(actor, session: Session, point, data: dict, today: dt.date | None = None
           ) -> PointsRedemption:
    """A volunteer takes goods at the counter for points: stock out first-expiry-first,
    the points debited from the volunteer's account (never below zero), limits kept."""
    require(actor, "goods.distribute", point)
    require_point_active(point)
    org = point.organization
    today = today or org_today(org)
    day = not_future(data.get("redeemed_on") or today, today, "redeemed_on")
    volunteer = volunteer_of(session, org.id, data.get("volunteer_id"))
    lines = [(i, *item_and_quantity(session, org.id, raw, i), raw.get("batch") or None)
             for i, raw in enumerate(filled_lines(data))]
    _within_limits(session, volunteer.id, lines, day)
    doc = PointsRedemption(organization_id=org.id, point_id=point.id,
                           volunteer_id=volunteer.id, redeemed_on=day,
                           posted_by_id=getattr(actor, "id", None))
    session.add(doc)
    session.flush()
    for i, item, qty, batch in sorted(lines, key=lambda ln: (ln[1].id, ln[3] or "")):
        for m in take(session, organization_id=org.id, point_id=point.id, item_type=item,
                      quantity=qty, batch=batch, kind=MovementKind.DISTRIBUTION,
                      movement_date=day, document_type="points_redemption",
                      document_id=doc.id, actor=actor, field=f"lines-{i}-quantity"):
            points = int(item.point_price * -m.quantity)
            doc.points_total += points
            session.add(PointsRedemptionLine(redemption_id=doc.id, item_type_id=item.id,
                                             batch=m.batch, quantity=-m.quantity,
                                             unit_value=m.unit_value, points=points))
    if doc.points_total:
        try:
            post(session, account_of(session, org.id, volunteer_id=volunteer.id),
                 EntryKind.SPEND, -doc.points_total, actor=actor, day=day,
                 document=("points_redemption", doc.id))
        except InsufficientPoints as short:
            raise InsufficientPoints(short.message, field="lines") from None
    record(session, actor, "points.redeem", doc,
           {"point_id": point.id, "volunteer_id": volunteer.id, "lines": len(lines),
            "points": doc.points_total})
    session.flush()
    return doc


def give(actor, session: Session, volunteer: Volunteer, data: dict,
         today: dt.date | None = None):
    """The volunteer gives points to a certified household of the organisation: a debit on
    the volunteer's account and a credit (expiring like any credit) on the household's.
    Returns the volunteer's entry."""
    require(actor, "timebank.give", volunteer)
    if getattr(actor, "role", None) == Role.VOLUNTEER and volunteer.user_id != actor.id:
        raise PermissionDenied(_l("You are not allowed to do this."))  # only one's own points
    org = session.get(Organization, volunteer.organization_id)
    today = today or org_today(org)
    household = certified_household(session, org.id, data.get("beneficiary_id"), today)
    try:
        amount = int(str(data.get("points")).strip())
    except (TypeError, ValueError):
        amount = 0
    if amount <= 0:
        raise ValidationFailed(_l("Enter a whole number of points above zero."),
                               field="points")
    giver = account_of(session, org.id, volunteer_id=volunteer.id)
    receiver = account_of(session, org.id, beneficiary_id=household.id)
    note = (data.get("note") or "").strip()[:300]
    out = post(session, giver, EntryKind.GIVE, -amount, actor=actor, day=today, reason=note,
               other=receiver)
    post(session, receiver, EntryKind.GIVE, amount, actor=actor, day=today, reason=note,
         other=giver, document=("points_ledger", out.id),
         expires_on=expiry_of(session, org.id, today))
    record(session, actor, "points.give", out,
           {"volunteer_id": volunteer.id, "beneficiary_id": household.id, "points": amount},
           organization_id=org.id)
    return out
