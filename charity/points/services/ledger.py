"""The points ledger's one write path: `post` appends an entry and moves the account's
balance in the same statement that checks it stays at or above zero."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.points.models import EntryKind, PointsAccount, PointsLedgerEntry


class InsufficientPoints(ValidationFailed):
    """The account holds fewer points than the entry takes."""


def account_of(session: Session, organization_id: int, *, volunteer_id: int | None = None,
               beneficiary_id: int | None = None) -> PointsAccount:
    """The holder's account, opened on first use (a unique index makes two racing first
    uses open one account)."""
    holder = (PointsAccount.volunteer_id == volunteer_id if volunteer_id is not None
              else PointsAccount.beneficiary_id == beneficiary_id)
    account = session.scalar(sa.select(PointsAccount).where(holder))
    if account is not None:
        return account
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)
    column = "volunteer_id" if volunteer_id is not None else "beneficiary_id"
    session.execute(insert(PointsAccount).values(
        organization_id=organization_id, volunteer_id=volunteer_id,
        beneficiary_id=beneficiary_id, balance=0).on_conflict_do_nothing(
        index_elements=[column]))
    return session.scalar(sa.select(PointsAccount).where(holder))


def post(session: Session, account: PointsAccount, kind: EntryKind, amount: int, *,
         actor, day: dt.date, reason: str = "", document: tuple[str, int | None] = ("", None),
         expires_on: dt.date | None = None, other: PointsAccount | None = None
         ) -> PointsLedgerEntry:
    """Append one entry of `amount` points (credits carry `expires_on`) and return it.

    The balance moves in one conditional UPDATE: two concurrent debits cannot both pass the
    check (PostgreSQL locks the row; SQLite writers are serial), and the CHECK constraints
    on the account and the entry refuse a negative balance even if this were bypassed.
    Raises InsufficientPoints, leaving the database unchanged."""
    if amount == 0:
        raise ValidationFailed(_l("Enter a number of points other than zero."),
                               field="points")
    new_balance = session.execute(
        sa.update(PointsAccount).where(PointsAccount.id == account.id,
                                       PointsAccount.balance + amount >= 0)
        .values(balance=PointsAccount.balance + amount)
        .returning(PointsAccount.balance)
        .execution_options(synchronize_session=False)).scalar()
    if new_balance is None:
        held = session.scalar(sa.select(PointsAccount.balance)
                              .where(PointsAccount.id == account.id))
        raise InsufficientPoints(_l("Not enough points: %(need)d needed, %(left)d held.",
                                    need=-amount, left=held or 0), field="points")
    session.expire(account, ["balance"])
    entry = PointsLedgerEntry(
        account_id=account.id, kind=kind, amount=amount, balance_after=new_balance,
        entry_date=day, expires_on=expires_on if amount > 0 else None, reason=reason[:300],
        document_type=document[0], document_id=document[1],
        other_account_id=other.id if other is not None else None,
        posted_by_id=getattr(actor, "id", None))
    session.add(entry)
    session.flush()
    return entry


def verify_points(session: Session) -> list[str]:
    """Accounts whose stored balance differs from their ledger, negative balances, and
    entries whose running balance does not follow from the one before (`charity verify`)."""
    sums = (sa.select(PointsLedgerEntry.account_id,
                      sa.func.sum(PointsLedgerEntry.amount).label("total"))
            .group_by(PointsLedgerEntry.account_id).subquery())
    problems = []
    for account_id, stored, total in session.execute(
            sa.select(PointsAccount.id, PointsAccount.balance, sums.c.total)
            .outerjoin(sums, sums.c.account_id == PointsAccount.id)):
        if stored != (total or 0):
            problems.append(f"points account {account_id}: stored {stored}, "
                            f"ledger {total or 0}")
        if stored < 0:
            problems.append(f"points account {account_id}: negative balance {stored}")
    running: dict[int, int] = {}
    for entry_id, account_id, amount, after in session.execute(
            sa.select(PointsLedgerEntry.id, PointsLedgerEntry.account_id,
                      PointsLedgerEntry.amount, PointsLedgerEntry.balance_after)
            .order_by(PointsLedgerEntry.id)):
        running[account_id] = running.get(account_id, 0) + amount
        if running[account_id] != after or after < 0:
            problems.append(f"points entry {entry_id}: balance after {after}, "
                            f"ledger {running[account_id]}")
    return problems
