"""The donation trace's answer: a receipt found by its number and check code, what it
acknowledged and what became of it (money: `charity.portal.trace.money`, goods:
`charity.portal.trace.goods`).

Lookup: a wrong number, a wrong code and a malformed value all give the same answer (None);
the code is compared in constant time, and against a dummy when no receipt has the number,
so the time taken says little about whether a number exists.
"""
from __future__ import annotations

import datetime as dt
import hmac
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.clock import org_today
from charity.funds.models import (Campaign, FundEntry, NonCashGift, Receipt, ReceiptKind,
                                  ReceiptStatus)
from charity.goods.models import Intake
from charity.orgs.models import Organization
from charity.people.models import ANONYMOUS_NAME, Donor
from charity.portal.trace.goods import GoodsLine, GoodsTracer, qty
from charity.portal.trace.money import MoneyPart, money_part

MAX_NUMBER = 32
MAX_CODE = 16
_DUMMY_CODE = b"00000000"


@dataclass
class ReceiptLineView:
    item: str
    quantity: Decimal
    unit: str
    amount: Decimal


@dataclass
class Trace:
    number: str
    issued_on: dt.date
    organization: str
    payer: str
    kind: str
    total: Decimal
    lines: list[ReceiptLineView]
    voided: bool = False
    void_reason: str = ""
    money: list[MoneyPart] = field(default_factory=list)
    goods: list[GoodsLine] = field(default_factory=list)
    goods_campaign: str = ""
    noncash: bool = False


_SEPARATORS = " -_.\u00a0\u3000"


def clean_input(number: str | None, code: str | None) -> tuple[str, str] | None:
    """The number and code as typed or pasted, made canonical, or None when malformed: too
    long or containing control characters (they never reach the database).

    People copy from a PDF or a phone and type from paper: full-width characters (NFKC),
    spaces, dashes and lower case are forgiven. The number is YYYY-NNNNNN (format_number),
    so its digits alone say where the dash goes; the check code's alphabet has no
    separators, so they are dropped."""
    number = unicodedata.normalize("NFKC", (number or "")).strip()
    code = unicodedata.normalize("NFKC", (code or "")).strip().upper()
    if len(number) > 2 * MAX_NUMBER or len(code) > 2 * MAX_CODE:
        return None
    if any(not ch.isprintable() for ch in number + code):
        return None
    code = "".join(ch for ch in code if ch not in _SEPARATORS)
    digits = "".join(ch for ch in number if ch not in _SEPARATORS)
    if digits.isascii() and digits.isdigit() and len(digits) > 4:
        number = f"{digits[:4]}-{digits[4:]}"
    if len(number) > MAX_NUMBER or len(code) > MAX_CODE:
        return None
    return number, code


def find_receipt(session: Session, number: str, code: str) -> Receipt | None:
    """The receipt with this number and check code, else None — the same None whichever
    was wrong. The code is compared with hmac.compare_digest, also when the number is
    unknown (against a dummy), so both cases do the same work."""
    cleaned = clean_input(number, code)
    if cleaned is None or not cleaned[0] or not cleaned[1]:
        return None
    number, code = cleaned
    candidates = session.scalars(sa.select(Receipt).where(Receipt.number == number)).all()
    found = None
    given = code.encode()
    for receipt in candidates or [None]:
        expected = receipt.check_code.encode() if receipt is not None else _DUMMY_CODE
        if hmac.compare_digest(expected, given) and receipt is not None:
            found = receipt
    return found


def public_payer(session: Session, receipt: Receipt) -> str:
    """The payer's name only when the donor consented to be named publicly."""
    if receipt.donor_id is None:
        return ANONYMOUS_NAME
    donor = session.get(Donor, receipt.donor_id)
    return receipt.payer_name if donor is not None and donor.publish_name else ANONYMOUS_NAME


def trace_receipt(session: Session, number: str, code: str) -> Trace | None:
    """What this receipt acknowledged and what became of it; None when the number and code
    do not match a receipt. A voided receipt says so and traces nothing."""
    receipt = find_receipt(session, number, code)
    if receipt is None:
        return None
    org = session.get(Organization, receipt.organization_id)
    trace = Trace(
        number=receipt.number, issued_on=receipt.issued_on, organization=org.name,
        payer=public_payer(session, receipt), kind=receipt.kind.value, total=receipt.total,
        lines=[ReceiptLineView(ln.item, qty(ln.quantity), ln.unit, ln.amount)
               for ln in receipt.lines])
    if receipt.status == ReceiptStatus.VOIDED:
        trace.voided, trace.void_reason = True, receipt.void_reason
        return trace
    if receipt.kind == ReceiptKind.MONEY:
        entries = session.scalars(sa.select(FundEntry).where(
            FundEntry.receipt_id == receipt.id, FundEntry.reverses_id.is_(None))
            .order_by(FundEntry.id)).all()
        trace.money = [money_part(session, e) for e in entries]
    elif receipt.kind == ReceiptKind.GOODS:
        tracer = GoodsTracer(session, today=org_today(org))
        for intake in session.scalars(sa.select(Intake).where(
                Intake.receipt_id == receipt.id).order_by(Intake.id)):
            trace.goods.extend(tracer.trace_intake(intake))
            if intake.campaign_id:
                trace.goods_campaign = session.get(Campaign, intake.campaign_id).name
    else:
        trace.noncash = session.scalar(sa.select(NonCashGift.id).where(
            NonCashGift.receipt_id == receipt.id)) is not None
    return trace
