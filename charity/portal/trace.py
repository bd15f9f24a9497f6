"""The public donation trace (捐赠追溯): a receipt number plus its check code shows what was
received and what became of it.

Lookup: a wrong number, a wrong code and a malformed value all give the same answer (None);
the code is compared in constant time, and against a dummy when no receipt has the number,
so the time taken says little about whether a number exists.

Money follows first-in-first-out within its fund: the donations into a restricted campaign,
in posting order, form a cumulative inflow, its spending and transfers out a cumulative
outflow (each correction netted into the entry it reverses); where this donation's interval
of the inflow overlaps an outflow, that outflow spent this money. The general fund is
followed the same way. Goods follow the same rule per stock stream (charity.portal.trace_goods).
"""
from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.funds.ledger import INFLOWS, OUTFLOWS
from charity.funds.models import (Campaign, EntryKind, FundEntry, NonCashGift, Project, Receipt,
                                  ReceiptKind, ReceiptStatus)
from charity.goods.models import Intake
from charity.orgs.models import Organization
from charity.people.models import ANONYMOUS_NAME, Donor
from charity.portal.trace_goods import GoodsLine, GoodsTracer, qty

ZERO = Decimal("0")
MAX_NUMBER = 32
MAX_CODE = 16
MAX_USES = 200  # outflow rows shown per donation; the rest are summed
_DUMMY_CODE = b"00000000"


@dataclass
class Use:
    """Part of a donation that left its fund. kind: project_spending, other_spending,
    fundraising_cost, transfer_out, more (the sum of rows beyond MAX_USES)."""

    kind: str
    amount: Decimal
    day: dt.date | None = None
    project: str = ""
    purpose: str = ""
    to_fund: str = ""


@dataclass
class MoneyPart:
    amount: Decimal
    day: dt.date
    campaign: str = ""  # empty: the general fund
    project: str = ""  # a gift directed to one project outside any campaign
    uses: list[Use] = field(default_factory=list)
    unspent: Decimal = ZERO


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


def clean_input(number: str | None, code: str | None) -> tuple[str, str] | None:
    """The number and code as typed (trimmed, code upper-cased), or None when malformed:
    too long or containing control characters (they never reach the database)."""
    number = (number or "").strip()
    code = (code or "").strip().upper()
    if len(number) > MAX_NUMBER or len(code) > MAX_CODE:
        return None
    if any(not ch.isprintable() for ch in number + code):
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
        tracer = GoodsTracer(session)
        for intake in session.scalars(sa.select(Intake).where(
                Intake.receipt_id == receipt.id).order_by(Intake.id)):
            trace.goods.extend(tracer.trace_intake(intake))
            if intake.campaign_id:
                trace.goods_campaign = session.get(Campaign, intake.campaign_id).name
    else:
        trace.noncash = session.scalar(sa.select(NonCashGift.id).where(
            NonCashGift.receipt_id == receipt.id)) is not None
    return trace


def _fund_filter(entry: FundEntry):
    if entry.campaign_id is not None:
        return FundEntry.campaign_id == entry.campaign_id
    general = sa.and_(FundEntry.organization_id == entry.organization_id,
                      FundEntry.campaign_id.is_(None))
    if entry.project_id is not None:
        # A gift directed to one project: followed within that project's general-fund money.
        return sa.and_(general, FundEntry.project_id == entry.project_id)
    return general


def money_part(session: Session, entry: FundEntry) -> MoneyPart:
    """Where this donation's money went, first-in-first-out within its fund.

    One query reads the fund's entries in posting order (O(entries of the fund)); two more
    name the projects and the funds money was moved to.
    """
    part = MoneyPart(amount=entry.amount, day=entry.entry_date)
    if entry.campaign_id is not None:
        part.campaign = session.get(Campaign, entry.campaign_id).name
    elif entry.project_id is not None:
        part.project = session.get(Project, entry.project_id).name
    rows = session.execute(sa.select(
        FundEntry.id, FundEntry.kind, FundEntry.amount, FundEntry.entry_date,
        FundEntry.project_id, FundEntry.purpose, FundEntry.reverses_id,
        FundEntry.transfer_group).where(_fund_filter(entry)).order_by(FundEntry.id)).all()
    net: dict[int, Decimal] = {}
    originals = []
    for row in rows:
        if row.reverses_id is not None:
            net[row.reverses_id] = net.get(row.reverses_id, ZERO) + row.amount
        else:
            net[row.id] = net.get(row.id, ZERO) + row.amount
            originals.append(row)
    start = sum((net[r.id] for r in originals
                 if EntryKind(r.kind) in INFLOWS and r.id < entry.id), ZERO)
    end = start + net.get(entry.id, ZERO)
    used, cum = [], ZERO
    for row in originals:
        if EntryKind(row.kind) not in OUTFLOWS or net[row.id] <= 0:
            continue
        lo, hi = cum, cum + net[row.id]
        cum = hi
        if hi <= start:
            continue
        if lo >= end:
            break
        used.append((row, min(hi, end) - max(lo, start)))
    part.uses = _describe(session, used)
    part.unspent = max(ZERO, (end - start) - sum((amount for _, amount in used), ZERO))
    return part


def _describe(session: Session, used) -> list[Use]:
    project_ids = {row.project_id for row, _ in used if row.project_id}
    projects = dict(session.execute(sa.select(Project.id, Project.name).where(
        Project.id.in_(project_ids))).tuples().all()) if project_ids else {}
    groups = {row.transfer_group for row, _ in used
              if EntryKind(row.kind) == EntryKind.TRANSFER_OUT and row.transfer_group}
    destinations = {}
    if groups:
        for group, campaign in session.execute(
                sa.select(FundEntry.transfer_group, Campaign.name)
                .outerjoin(Campaign, Campaign.id == FundEntry.campaign_id)
                .where(FundEntry.transfer_group.in_(groups),
                       FundEntry.kind == EntryKind.TRANSFER_IN,
                       FundEntry.reverses_id.is_(None))):
            destinations[group] = campaign or ""
    uses = [Use(kind=EntryKind(row.kind).value, amount=amount, day=row.entry_date,
                project=projects.get(row.project_id, ""), purpose=row.purpose,
                to_fund=destinations.get(row.transfer_group, ""))
            for row, amount in used[:MAX_USES]]
    if len(used) > MAX_USES:
        uses.append(Use(kind="more", amount=sum((a for _, a in used[MAX_USES:]), ZERO)))
    return uses
