"""Home delivery (送货上门): the household's need and the delivery order's steps.

reserved (stock held, first-expiry-first-out) → packed → out for delivery → delivered (the
household gives its confirmation code; the goods leave as a posted distribution, so the
household's points and monthly limits apply exactly as at the counter) — or failed with a
reason from any open step (the reservation is released, the goods stay on the shelf).
Every step stamps who and when; the view posts each one through `post_form`.
"""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.models import User
from charity.auth.permissions import can, require
from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.delivery.models import Delivery, DeliveryNeed, DeliveryStatus, NeedReason
from charity.delivery.reservations import release, reserve
from charity.goods.services.checks import (
    filled_lines,
    item_and_quantity,
    require_point_active,
)
from charity.goods.services.distributions import (
    certified_household,
    check_monthly_limits,
    points_balance,
    post_distribution,
)
from charity.people.models import Beneficiary


def may_see_address(user, delivery: Delivery) -> bool:
    """The designed privacy rule: a delivery's address (and the household's phone) is shown
    to the staff member assigned to it and to the organisation's managers — nobody else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return delivery.assigned_to_id == user.id or can(user, "delivery.manage", delivery)


def record_need(actor, session: Session, beneficiary: Beneficiary, data: dict) -> DeliveryNeed:
    """Record (or change) why a household needs delivery and where to (kept private)."""
    require(actor, "beneficiaries.manage", beneficiary)
    reason = data.get("reason")
    if reason not in set(NeedReason):
        raise ValidationFailed(_l("Choose a reason."), field="reason")
    address = (data.get("address") or "").strip()
    if not address:
        raise ValidationFailed(_l("Enter the delivery address."), field="address")
    need = _need_of(session, beneficiary.id)
    if need is None:
        need = DeliveryNeed(organization_id=beneficiary.organization_id,
                            beneficiary_id=beneficiary.id, created_by_id=actor.id)
        session.add(need)
    need.reason, need.address = NeedReason(reason), address[:300]
    need.note = (data.get("note") or "").strip()[:300]
    need.active = bool(data.get("active", True))
    session.flush()
    # No address in the log line: the household by id only.
    record(session, actor, "delivery_need.save", need,
           {"beneficiary_id": beneficiary.id, "reason": need.reason.value,
            "active": need.active})
    return need


def _need_of(session: Session, beneficiary_id: int) -> DeliveryNeed | None:
    return session.scalars(sa.select(DeliveryNeed).where(
        DeliveryNeed.beneficiary_id == beneficiary_id)).one_or_none()


def _assignee(session: Session, point, raw_id) -> User:
    """Someone who may deliver from `point`: an active worker of its organisation (a
    volunteer only at their own points)."""
    try:
        user = session.get(User, int(raw_id))
    except (TypeError, ValueError):
        user = None
    if user is None or not can(user, "delivery.work", point) \
            or not can(user, "goods.distribute", point):
        raise ValidationFailed(_l("Choose a member of staff who works at this point."),
                               field="assigned_to_id")
    return user


def _check_household(session: Session, point, data: dict, lines: list, day: dt.date
                     ) -> Beneficiary:
    """A certified household with a delivery need, enough points and within its monthly
    limits for these lines (checked again when the goods are handed over)."""
    household = certified_household(session, point.organization_id,
                                    data.get("beneficiary_id"), day)
    need = _need_of(session, household.id)
    if need is None or not need.active:
        raise ValidationFailed(_l("Record this household's delivery need first."),
                               field="beneficiary_id")
    needed = sum(int(item.point_price * qty) for _, item, qty, _ in lines)
    left = points_balance(session, household, day)
    if needed > left:
        raise ValidationFailed(_l("Not enough points: %(need)d needed, %(left)d left this month.",
                                  need=needed, left=left), field="lines")
    check_monthly_limits(session, household.id, lines, day)
    return household


def create_delivery(actor, session: Session, point, data: dict,
                    today: dt.date | None = None) -> Delivery:
    """Order a delivery for a household with a delivery need: the goods are reserved at
    `point` first-expiry-first-out (batches expired by the planned day are never chosen),
    so nobody else can hand them out meanwhile."""
    require(actor, "delivery.manage", point)
    require_point_active(point)
    today = today or org_today(point.organization)
    planned = data.get("planned_on") or today
    if not isinstance(planned, dt.date) or planned < today:
        raise ValidationFailed(_l("The delivery day cannot be in the past."), field="planned_on")
    lines = [(i, *item_and_quantity(session, point.organization_id, raw, i),
              raw.get("batch") or None)
             for i, raw in enumerate(filled_lines(data))]
    household = _check_household(session, point, data, lines, today)
    assignee = _assignee(session, point, data.get("assigned_to_id"))
    delivery = Delivery(organization_id=point.organization_id, point_id=point.id,
                        beneficiary_id=household.id, community=household.community,
                        assigned_to_id=assignee.id, planned_on=planned,
                        confirm_code=f"{secrets.randbelow(10000):04d}", created_by_id=actor.id)
    session.add(delivery)
    session.flush()
    for i, item, qty, batch in lines:
        reserve(session, delivery, item, qty, planned, f"lines-{i}-quantity", batch)
    record(session, actor, "delivery.create", delivery,
           {"point_id": point.id, "beneficiary_id": household.id, "lines": len(lines),
            "assigned_to_id": assignee.id})
    return delivery


def _may_step(actor, delivery: Delivery, allowed: tuple, assigned_only: bool) -> None:
    require(actor, "delivery.work", delivery)
    if assigned_only and not may_see_address(actor, delivery):
        raise ValidationFailed(_l("Only the staff member assigned to this delivery or a "
                                  "manager can do this."), field="status")
    if delivery.status not in allowed:
        raise ValidationFailed(_l("That step is not possible at this stage of the "
                                  "delivery."), field="status")


def _step(actor, delivery: Delivery, allowed: tuple, status: DeliveryStatus, stamp: str,
          assigned_only: bool = False) -> None:
    """Move to `status` from one of `allowed`, stamping `<stamp>_at` and `<stamp>_by_id`."""
    _may_step(actor, delivery, allowed, assigned_only)
    delivery.status = status
    setattr(delivery, f"{stamp}_at", utcnow())
    setattr(delivery, f"{stamp}_by_id", actor.id)


def pack(actor, session: Session, delivery: Delivery) -> Delivery:
    """The goods are packed (the packing list was worked through)."""
    _step(actor, delivery, (DeliveryStatus.RESERVED,), DeliveryStatus.PACKED, "packed")
    record(session, actor, "delivery.pack", delivery)
    return delivery


def dispatch(actor, session: Session, delivery: Delivery) -> Delivery:
    """The assignee leaves with the parcel."""
    _step(actor, delivery, (DeliveryStatus.PACKED,), DeliveryStatus.OUT, "out",
          assigned_only=True)
    record(session, actor, "delivery.dispatch", delivery)
    return delivery


def deliver(actor, session: Session, delivery: Delivery, code: str,
            today: dt.date | None = None) -> Delivery:
    """Handed over: the household's code matches, the reservation is released and the goods
    leave as a posted distribution (points deducted, monthly limits and expiry dates kept)."""
    _may_step(actor, delivery, (DeliveryStatus.OUT,), assigned_only=True)
    if not secrets.compare_digest((code or "").strip(), delivery.confirm_code):
        raise ValidationFailed(_l("The confirmation code does not match."), field="code")
    point = delivery.point
    today = today or org_today(point.organization)
    release(session, delivery)
    dist = post_distribution(actor, session, point, {
        "beneficiary_id": delivery.beneficiary_id, "distributed_on": today,
        "lines": [{"item_type_id": ln.item_type_id, "quantity": ln.quantity,
                   "batch": ln.batch or None} for ln in delivery.lines]}, today=today)
    _step(actor, delivery, (DeliveryStatus.OUT,), DeliveryStatus.DELIVERED, "delivered",
          assigned_only=True)
    delivery.distribution_id, delivery.delivered_on = dist.id, today
    record(session, actor, "delivery.deliver", delivery, {"distribution_id": dist.id})
    session.flush()
    return delivery


def fail(actor, session: Session, delivery: Delivery, reason: str) -> Delivery:
    """Not delivered (nobody home, refused…): the reason is kept and the stock released."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Say why the delivery failed."), field="reason")
    _step(actor, delivery, (DeliveryStatus.RESERVED, DeliveryStatus.PACKED,
                                     DeliveryStatus.OUT), DeliveryStatus.FAILED, "failed")
    delivery.fail_reason = reason[:300]
    release(session, delivery)
    record(session, actor, "delivery.fail", delivery)
    return delivery
