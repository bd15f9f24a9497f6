"""Donation receipts (捐赠票据): gap-free numbers per organisation and year, check codes,
voiding. Printing and PDFs are in charity.funds.receipt_pdf."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.funds.models import (Receipt, ReceiptKind, ReceiptLine, ReceiptSequence,
                                  ReceiptStatus)
from charity.core.i18n import _l
from charity.funds.services.receipt_allocation import take_bill_number

# No 0/O, 1/I/L: a check code is read aloud and typed from paper.
CHECK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_LENGTH = 8
# The public trace page (built by the portal) answers this URL; the QR code encodes it.
TRACE_PATH = "/trace"


def trace_url(base_url: str, receipt: Receipt) -> str:
    """The fixed URL scheme of the receipt's QR code: /trace?r=<number>&c=<check code>."""
    return f"{base_url.rstrip('/')}{TRACE_PATH}?r={receipt.number}&c={receipt.check_code}"


@dataclass(frozen=True)
class Line:
    item: str
    amount: Decimal
    unit: str = ""
    quantity: Decimal = Decimal("1")
    unit_value: Decimal | None = None


def next_number(session: Session, organization_id: int, year: int) -> int:
    """Take the next receipt number of (organisation, year) inside the caller's transaction.

    The sequence row is created if missing (INSERT … ON CONFLICT DO NOTHING) and then
    incremented with UPDATE … RETURNING, which holds the row lock until commit: concurrent
    posters queue, a rolled-back posting returns its number, so numbers have no gaps.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(ReceiptSequence).values(organization_id=organization_id, year=year,
                                                   last_seq=0).on_conflict_do_nothing())
    return session.execute(
        sa.update(ReceiptSequence)
        .where(ReceiptSequence.organization_id == organization_id, ReceiptSequence.year == year)
        .values(last_seq=ReceiptSequence.last_seq + 1)
        .returning(ReceiptSequence.last_seq)
    ).scalar_one()


def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:06d}"


def issue_receipt(actor, session: Session, organization, *, kind: ReceiptKind, payer_name: str,
                  lines: list[Line], issued_on: dt.date, donor=None, payer_code: str = "",
                  handler: str = "", remark: str = "") -> Receipt:
    """Issue a receipt with the next number. The caller links it to what it acknowledges.

    With a finance-bureau allocation valid on `issued_on` the receipt also takes the next
    票据号码 of that allocation and is a 公益事业捐赠票据; otherwise it is a 捐赠收据. The
    handler (收款人) is the person who posted: `handler`, else the actor's name (never the
    system's)."""
    require(actor, "receipts.issue", organization)
    if not (payer_name or "").strip():
        raise ValidationFailed(_l("A receipt needs the payer's name."), field="payer_name")
    if not lines:
        raise ValidationFailed(_l("A receipt needs at least one line."))
    total = sum((line.amount for line in lines), Decimal("0"))
    seq = next_number(session, organization.id, issued_on.year)
    receipt = Receipt(
        organization_id=organization.id, year=issued_on.year, seq=seq,
        number=format_number(issued_on.year, seq),
        check_code="".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH)),
        kind=ReceiptKind(kind), donor_id=getattr(donor, "id", None),
        payer_name=payer_name.strip(), payer_code=(payer_code or "").strip(),
        issued_on=issued_on, issued_by_id=getattr(actor, "id", None),
        handler=handler or (actor.display_name if getattr(actor, "id", None) else ""),
        total=total, remark=(remark or "").strip()[:500])
    allocated = take_bill_number(session, organization.id, issued_on)
    if allocated is not None:
        allocation, number = allocated
        receipt.allocation_id, receipt.bill_code = allocation.id, allocation.bill_code
        receipt.bill_number = allocation.format_number(number)
    session.add(receipt)
    session.flush()
    for line in lines:
        session.add(ReceiptLine(receipt_id=receipt.id, item=line.item, unit=line.unit,
                                quantity=line.quantity, unit_value=line.unit_value,
                                amount=line.amount))
    record(session, actor, "receipt.issue", receipt,
           {"number": receipt.number, "total": str(total), "kind": receipt.kind.value,
            "bill": f"{receipt.bill_code}/{receipt.bill_number}" if receipt.bill_number else ""})
    session.flush()
    return receipt


def review_receipt(actor, session: Session, receipt: Receipt) -> Receipt:
    """Sign the receipt as its reviewer (复核人): a second person, never the one who issued
    it, and once."""
    require(actor, "receipts.review", receipt)
    if receipt.status == ReceiptStatus.VOIDED:
        raise ValidationFailed(_l("This receipt is already void."))
    if receipt.reviewed_by_id is not None:
        raise ValidationFailed(_l("This receipt has already been reviewed."))
    if getattr(actor, "id", None) is None or actor.id == receipt.issued_by_id:
        raise ValidationFailed(_l("The person who issued a receipt cannot review it: a "
                                  "second person must."))
    receipt.reviewed_by_id = actor.id
    receipt.reviewed_at = utcnow()
    record(session, actor, "receipt.review", receipt, {"number": receipt.number})
    session.flush()
    return receipt


def record_platform_number(actor, session: Session, receipt: Receipt, number: str) -> Receipt:
    """Record the number of the electronic receipt issued for this gift on the finance
    department's platform (财政电子票据)."""
    require(actor, "receipts.finance", receipt)
    number = (number or "").strip().replace(" ", "")
    if not number or len(number) > 64 or not all(ch.isascii() and (ch.isalnum() or ch == "-")
                                                  for ch in number):
        raise ValidationFailed(_l("Enter the receipt number as printed: letters, digits and "
                                  "dashes."), field="platform_number")
    before = receipt.platform_number
    receipt.platform_number = number
    record(session, actor, "receipt.platform_number", receipt,
           {"number": receipt.number, "platform_number": [before, number]})
    session.flush()
    return receipt


def void_receipt(actor, session: Session, receipt: Receipt, reason: str) -> Receipt:
    """Void a receipt. Its number stays used and the row stays; the reason is recorded."""
    require(actor, "receipts.void", receipt)
    if receipt.status == ReceiptStatus.VOIDED:
        raise ValidationFailed(_l("This receipt is already void."))
    if not (reason or "").strip():
        raise ValidationFailed(_l("Say why the receipt is voided."), field="reason")
    receipt.status = ReceiptStatus.VOIDED
    receipt.void_reason = reason.strip()
    receipt.voided_at = utcnow()
    receipt.voided_by_id = getattr(actor, "id", None)
    record(session, actor, "receipt.void", receipt, {"number": receipt.number,
                                                     "reason": receipt.void_reason})
    session.flush()
    return receipt
