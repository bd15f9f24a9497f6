"""Finance-bureau receipt allocations (票据代码 and number range) and the organisation's
receipt settings. A receipt numbered from an allocation is a 公益事业捐赠票据; without one
the organisation issues a 捐赠收据 (charity.funds.services.receipts)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.funds.models import ReceiptAllocation, ReceiptPolicy

MAX_NUMBER = 10**12


def _text(data: dict, name: str, max_length: int, required: bool = True) -> str:
    value = (data.get(name) or "").strip()
    if required and not value:
        raise ValidationFailed(_l("This field is required."), field=name)
    if len(value) > max_length:
        raise ValidationFailed(_l("Too long."), field=name)
    return value


def _clean(data: dict) -> dict:
    code = _text(data, "bill_code", 32).upper().replace(" ", "")
    if not (code.isascii() and code.isalnum()):
        raise ValidationFailed(_l("Only letters and digits."), field="bill_code")
    first, last = data.get("first_number"), data.get("last_number")
    for name, value in (("first_number", first), ("last_number", last)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_NUMBER:
            raise ValidationFailed(_l("Enter a whole number."), field=name)
    if last < first:
        raise ValidationFailed(_l("The last number must not be below the first."),
                               field="last_number")
    valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
    if not isinstance(valid_from, dt.date):
        raise ValidationFailed(_l("Not a valid date."), field="valid_from")
    if valid_until is not None and (not isinstance(valid_until, dt.date)
                                    or valid_until < valid_from):
        raise ValidationFailed(_l("The end of validity must not be before its start."),
                               field="valid_until")
    return {"bill_code": code, "first_number": first, "last_number": last,
            "authority": _text(data, "authority", 200),
            "project_code": _text(data, "project_code", 32, required=False),
            "valid_from": valid_from, "valid_until": valid_until,
            "number_width": max(len(str(last)), 8)}


def add_allocation(actor, session: Session, organization, data: dict) -> ReceiptAllocation:
    """Record a range the finance department allocated; ranges of one 票据代码 never overlap."""
    require(actor, "receipts.finance", organization)
    clean = _clean(data)
    overlap = session.scalar(sa.select(ReceiptAllocation.id).where(
        ReceiptAllocation.bill_code == clean["bill_code"],
        ReceiptAllocation.first_number <= clean["last_number"],
        ReceiptAllocation.last_number >= clean["first_number"]))
    if overlap is not None:
        raise ValidationFailed(_l("These numbers overlap a range already recorded for this "
                                  "receipt code."), field="first_number")
    allocation = ReceiptAllocation(organization_id=organization.id,
                                   next_number=clean["first_number"],
                                   created_by_id=getattr(actor, "id", None), **clean)
    session.add(allocation)
    session.flush()
    record(session, actor, "receipt_allocation.add", allocation, {
        "bill_code": allocation.bill_code, "first": allocation.first_number,
        "last": allocation.last_number, "authority": allocation.authority,
        "valid_from": allocation.valid_from.isoformat(),
        "valid_until": allocation.valid_until.isoformat() if allocation.valid_until else None})
    return allocation


def set_review_required(actor, session: Session, organization, required: bool) -> ReceiptPolicy:
    """Whether each receipt of `organization` needs a second person's review (复核人)."""
    require(actor, "receipts.finance", organization)
    policy = session.get(ReceiptPolicy, organization.id)
    if policy is None:
        policy = ReceiptPolicy(organization_id=organization.id)
        session.add(policy)
    before = bool(policy.review_required)
    policy.review_required = bool(required)
    policy.updated_at = utcnow()
    policy.updated_by_id = getattr(actor, "id", None)
    session.flush()
    record(session, actor, "receipt_policy.update", policy,
           {"review_required": [before, policy.review_required]})
    return policy


def review_required(session: Session, organization_id: int) -> bool:
    policy = session.get(ReceiptPolicy, organization_id)
    return bool(policy and policy.review_required)


def take_bill_number(session: Session, organization_id: int,
                     issued_on: dt.date) -> tuple[ReceiptAllocation, int] | None:
    """The next 票据号码 from the oldest allocation valid on `issued_on` that has numbers
    left, taken inside the caller's transaction (the UPDATE holds the row lock until commit,
    so numbers are gap-free); None when the organisation has no usable allocation."""
    usable = (ReceiptAllocation.organization_id == organization_id,
              ReceiptAllocation.valid_from <= issued_on,
              sa.or_(ReceiptAllocation.valid_until.is_(None),
                     ReceiptAllocation.valid_until >= issued_on),
              ReceiptAllocation.next_number <= ReceiptAllocation.last_number)
    for allocation_id in session.scalars(sa.select(ReceiptAllocation.id).where(*usable)
                                         .order_by(ReceiptAllocation.valid_from,
                                                   ReceiptAllocation.id)):
        taken = session.execute(
            sa.update(ReceiptAllocation)
            .where(ReceiptAllocation.id == allocation_id, *usable)
            .values(next_number=ReceiptAllocation.next_number + 1)
            .returning(ReceiptAllocation.next_number)
            .execution_options(synchronize_session=False)).scalar_one_or_none()
        if taken is not None:
            allocation = session.get(ReceiptAllocation, allocation_id)
            session.refresh(allocation)
            return allocation, taken - 1
    return None
