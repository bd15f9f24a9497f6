"""What must hold in the database after a crash: every document whole or absent.

Each posting the test sends carries its one-time token in the document's note, so the
documents of a token can be counted directly (duplicates), and a posting whose response
said "posted" can be looked up (lost).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.models import AuditLog
from charity.core.idempotency import SubmissionToken
from charity.funds.models import (EntryKind, FundEntry, Receipt, ReceiptLine, ReceiptSequence)
from charity.goods.models import Intake, IntakeLine, MovementKind, StockMovement

INTAKE, DONATION = "intake", "donation"
PREFIX = {INTAKE: "intake:", DONATION: "fund_entry:"}


@dataclass
class Attempt:
    """One posting as the test sent it, and what the test knows of its outcome."""

    kind: str
    token: str
    form: dict
    client: object
    expected: dict  # intake: lines [(item_id, qty)], receipt; donation: amount
    outcome: str = "pending"  # ok | interrupted | error
    doc_id: int | None = None
    detail: str = ""
    committed_before_retry: bool | None = None

    @property
    def path(self) -> str:
        return "/staff/intake/new" if self.kind == INTAKE else "/staff/funds/new"


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    documents: int = 0


def documents_by_token(session: Session) -> dict[tuple[str, str], list[int]]:
    docs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for doc_id, note in session.execute(sa.select(Intake.id, Intake.note)):
        docs[(INTAKE, note)].append(doc_id)
    for doc_id, note in session.execute(
            sa.select(FundEntry.id, FundEntry.note).where(FundEntry.kind == EntryKind.DONATION,
                                                          FundEntry.reverses_id.is_(None))):
        docs[(DONATION, note)].append(doc_id)
    return docs


def count_for(session: Session, attempt: Attempt) -> int:
    return len(documents_by_token(session).get((attempt.kind, attempt.token), []))


def check(session: Session, attempts: list[Attempt]) -> Findings:
    """Every document whole, none lost, none twice, no piece of a half-posted one."""
    found = Findings()
    docs = documents_by_token(session)
    found.documents = sum(len(ids) for ids in docs.values())
    by_token = {(a.kind, a.token): a for a in attempts}
    for key, ids in docs.items():
        if key not in by_token:
            found.problems.append(f"{key[0]} {ids} has a note the test never sent: {key[1]!r}")
        if len(ids) > 1:
            found.duplicated += len(ids) - 1
            found.problems.append(f"{key[0]} posted {len(ids)} times for token {key[1]}: {ids}")
    for attempt in attempts:
        ids = docs.get((attempt.kind, attempt.token), [])
        if attempt.outcome == "ok" and attempt.doc_id not in ids:
            found.lost += 1
            found.problems.append(f"{attempt.kind} {attempt.doc_id} was answered as posted but "
                                  f"the database has {ids} for its token")
        if len(ids) == 1:
            _check_token(session, attempt, ids[0], found.problems)
            if attempt.kind == INTAKE:
                _check_intake(session, attempt, ids[0], found.problems)
            else:
                _check_donation(session, attempt, ids[0], found.problems)
    _check_orphans(session, found.problems)
    _check_receipt_numbers(session, found.problems)
    return found


def _check_token(session, attempt: Attempt, doc_id: int, problems: list[str]) -> None:
    row = session.get(SubmissionToken, attempt.token)
    want = f"{PREFIX[attempt.kind]}{doc_id}"
    if row is None or row.result != want:
        problems.append(f"token {attempt.token}: result {row and row.result!r}, want {want!r}")


def _audited(session, action: str, object_type: str, object_id: int) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == action, AuditLog.object_type == object_type,
        AuditLog.object_id == str(object_id))) == 1


def _check_receipt(session, receipt_id, total: Decimal, n_lines: int, what: str,
                   problems: list[str]) -> None:
    receipt = session.get(Receipt, receipt_id) if receipt_id else None
    if receipt is None:
        problems.append(f"{what}: no receipt")
        return
    lines = session.scalars(sa.select(ReceiptLine).where(ReceiptLine.receipt_id == receipt.id)).all()
    if receipt.total != total or len(lines) != n_lines or \
            sum((ln.amount for ln in lines), Decimal("0")) != total:
        problems.append(f"{what}: receipt {receipt.number} total {receipt.total} with "
                        f"{len(lines)} lines, want {total} with {n_lines}")
    if not _audited(session, "receipt.issue", "Receipt", receipt.id):
        problems.append(f"{what}: receipt {receipt.number} not in the audit log")


def _check_intake(session, attempt: Attempt, doc_id: int, problems: list[str]) -> None:
    intake = session.get(Intake, doc_id)
    what = f"intake {doc_id}"
    lines = session.scalars(sa.select(IntakeLine).where(IntakeLine.intake_id == doc_id)).all()
    got = sorted((ln.item_type_id, ln.quantity) for ln in lines)
    want = sorted((item, Decimal(qty)) for item, qty in attempt.expected["lines"])
    if got != want:
        problems.append(f"{what}: lines {got}, sent {want}")
    moves = session.scalars(sa.select(StockMovement).where(
        StockMovement.document_type == "intake", StockMovement.document_id == doc_id)).all()
    if sorted((m.item_type_id, m.quantity) for m in moves) != want or any(
            m.kind != MovementKind.DONATION_IN or m.point_id != intake.point_id for m in moves):
        problems.append(f"{what}: movements {[(m.item_type_id, m.quantity) for m in moves]}, "
                        f"want {want}")
    total = sum((ln.quantity * ln.unit_value for ln in lines), Decimal("0")).quantize(
        Decimal("0.01"))
    if intake.total_value != total:
        problems.append(f"{what}: total {intake.total_value}, lines add up to {total}")
    if not _audited(session, "intake.post", "Intake", doc_id):
        problems.append(f"{what}: not in the audit log")
    if attempt.expected["receipt"]:
        if intake.donor_id is None:
            problems.append(f"{what}: the new donor is missing")
        _check_receipt(session, intake.receipt_id, total, len(lines), what, problems)
    elif intake.receipt_id is not None:
        problems.append(f"{what}: a receipt nobody asked for")


def _check_donation(session, attempt: Attempt, doc_id: int, problems: list[str]) -> None:
    entry = session.get(FundEntry, doc_id)
    what = f"fund entry {doc_id}"
    amount = Decimal(attempt.expected["amount"])
    if entry.amount != amount:
        problems.append(f"{what}: amount {entry.amount}, sent {amount}")
    if not _audited(session, "fund.post", "FundEntry", doc_id):
        problems.append(f"{what}: not in the audit log")
    _check_receipt(session, entry.receipt_id, amount, 1, what, problems)


def _check_orphans(session, problems: list[str]) -> None:
    """Pieces without their document: what a half-posted intake would leave behind."""
    intake_ids = sa.select(Intake.id)
    stray_moves = session.scalar(sa.select(sa.func.count()).select_from(StockMovement).where(
        StockMovement.document_type == "intake", StockMovement.document_id.not_in(intake_ids)))
    stray_lines = session.scalar(sa.select(sa.func.count()).select_from(IntakeLine).where(
        IntakeLine.intake_id.not_in(intake_ids)))
    empty = session.scalar(sa.select(sa.func.count()).select_from(Intake).where(
        ~sa.exists().where(IntakeLine.intake_id == Intake.id)))
    unfinished_tokens = session.scalar(sa.select(sa.func.count()).select_from(SubmissionToken)
                                       .where(SubmissionToken.result == ""))
    for count, what in ((stray_moves, "stock movements without their intake"),
                        (stray_lines, "intake lines without their intake"),
                        (empty, "intakes without lines"),
                        (unfinished_tokens, "tokens claimed without a result")):
        if count:
            problems.append(f"{count} {what}")


def _check_receipt_numbers(session, problems: list[str]) -> None:
    """Receipt numbers stay gap-free: the sequence moved exactly once per stored receipt."""
    for seq in session.scalars(sa.select(ReceiptSequence)):
        count, top = session.execute(sa.select(sa.func.count(), sa.func.max(Receipt.seq)).where(
            Receipt.organization_id == seq.organization_id, Receipt.year == seq.year)).one()
        if not (seq.last_seq == count == (top or 0)):
            problems.append(f"receipt sequence {seq.organization_id}/{seq.year}: last "
                            f"{seq.last_seq}, {count} receipts, highest {top}")
