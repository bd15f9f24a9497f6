"""Expired food off the shelf (Food Safety Law Arts. 53–54): the one-tap write-off of a
point's expired batches, the scheduler's daily check, and `charity verify`'s check that no
outgoing movement ever took a batch past its expiry date.

The ledger itself refuses such movements (`stock_ledger.move`); the verify check finds any
that got in another way (data from before the rule, a bulk import, a hand-edited row).
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.expiry import ExpiryCheck, expired
from charity.goods.models import StockBalance, StockMovement, WriteOff, WriteOffReason
from charity.goods.services.stock_ledger import OUTGOING
from charity.goods.services.write_offs import post_write_off
from charity.orgs.models import CharityPoint, Organization


def write_off_expired(actor, session: Session, point, today: dt.date | None = None
                      ) -> list[WriteOff]:
    """Write off every batch on the point's shelf that is past its expiry date today, whole
    (报损, reason 过期): one write-off document per batch, each through `post_write_off` (so
    each is permitted, posted to the ledger and audited like one typed in by hand). Refused
    when nothing there is expired (another volunteer may just have done it)."""
    require(actor, "goods.write_off", point)
    today = today or org_today(point.organization)
    batches = session.scalars(
        sa.select(StockBalance).where(StockBalance.point_id == point.id,
                                      StockBalance.quantity > 0, expired(today))
        .order_by(StockBalance.item_type_id, StockBalance.expiry_date, StockBalance.batch)
        .with_for_update()).all()
    if not batches:
        raise ValidationFailed(_l("Nothing on this point's shelf is past its expiry date."))
    return [post_write_off(actor, session, point, {
        "reason": WriteOffReason.EXPIRED.value, "item_type_id": b.item_type_id,
        "quantity": b.quantity, "batch": b.batch, "written_off_on": today,
        "note": b.expiry_date.isoformat()}, today=today) for b in batches]


def daily_expiry_check(session: Session, today: dt.date) -> dict[int, int]:
    """The scheduler's daily check (as of `today`, the scheduler's calendar day): for every
    open point of an active organisation, how many batches on its shelf are past their
    expiry date, recorded once per point and day (a second tick that day, or a second
    scheduler, changes nothing). Returns point id → expired batches, for points with any;
    the staff home lists them with a one-tap write-off."""
    points = session.execute(
        sa.select(CharityPoint.id, CharityPoint.organization_id)
        .join(Organization, Organization.id == CharityPoint.organization_id)
        .where(CharityPoint.active.is_(True), Organization.active.is_(True))
        .order_by(CharityPoint.id)).all()
    found = dict(session.execute(
        sa.select(StockBalance.point_id, sa.func.count(StockBalance.id))
        .where(StockBalance.quantity > 0, expired(today))
        .group_by(StockBalance.point_id)).all())
    if points:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(insert(ExpiryCheck).values([
            {"organization_id": org_id, "point_id": point_id, "checked_on": today,
             "expired_batches": int(found.get(point_id, 0))} for point_id, org_id in points])
            .on_conflict_do_nothing(index_elements=["point_id", "checked_on"]))
    session.flush()
    open_ids = {point_id for point_id, _org in points}
    return {p: int(n) for p, n in found.items() if p in open_ids and n}


def expired_outgoing_stmt():
    """Outgoing movements (distribution, sale, transfer out) of a batch whose expiry date was
    before the movement's day, not undone by a reversal (a reversed distribution never
    happened: the goods went back on the shelf). The batch's expiry date is that of its
    balance row at the movement's point."""
    reversal = aliased(StockMovement)
    return (sa.select(StockMovement, StockBalance.expiry_date)
            .join(StockBalance, sa.and_(StockBalance.point_id == StockMovement.point_id,
                                        StockBalance.item_type_id == StockMovement.item_type_id,
                                        StockBalance.batch == StockMovement.batch))
            .where(StockMovement.kind.in_(sorted(OUTGOING)), StockMovement.quantity < 0,
                   StockBalance.expiry_date < StockMovement.movement_date,
                   ~sa.exists().where(reversal.reverses_id == StockMovement.id))
            .order_by(StockMovement.id))


def verify_no_expired_outgoing(session: Session) -> list[str]:
    """`charity verify`: every outgoing movement of a batch past its expiry date that day."""
    return [f"stock movement {m.id}: {m.kind.value} of item {m.item_type_id} batch "
            f"{m.batch!r} at point {m.point_id} on {m.movement_date.isoformat()}, "
            f"expired {expiry.isoformat()}"
            for m, expiry in session.execute(expired_outgoing_stmt())]
