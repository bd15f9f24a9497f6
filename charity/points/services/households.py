"""A household's gifted points at the counter. The monthly allowance stays in
`points_entry` (decision 0026); points volunteers gave the household are in its ledger
account and are spent after the month's allowance, and come back on a reversal."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.points.models import EntryKind, PointsAccount, PointsLedgerEntry
from charity.points.services.earning import expiry_of
from charity.points.services.ledger import account_of, post


def gift_balance(session: Session, beneficiary_id: int) -> int:
    """Points given to the household and not yet spent or expired."""
    return int(session.scalar(sa.select(PointsAccount.balance).where(
        PointsAccount.beneficiary_id == beneficiary_id)) or 0)


def spend_gifts(session: Session, beneficiary, points: int, *, actor, day: dt.date,
                distribution_id: int) -> None:
    """Debit `points` of the household's gifted points for a distribution."""
    if points > 0:
        post(session, account_of(session, beneficiary.organization_id,
                                 beneficiary_id=beneficiary.id),
             EntryKind.SPEND, -points, actor=actor, day=day,
             document=("distribution", distribution_id))


def return_gifts(session: Session, dist, *, actor, day: dt.date, reason: str) -> int:
    """On a distribution's reversal, credit back the gifted points it spent (they expire
    like a new credit); returns how many."""
    spent = -int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(
        PointsLedgerEntry.amount), 0)).where(PointsLedgerEntry.kind == EntryKind.SPEND,
                                            PointsLedgerEntry.document_type == "distribution",
                                            PointsLedgerEntry.document_id == dist.id)))
    if spent > 0:
        post(session, account_of(session, dist.organization_id,
                                 beneficiary_id=dist.beneficiary_id),
             EntryKind.ADJUST, spent, actor=actor, day=day, reason=reason,
             document=("distribution", dist.id),
             expires_on=expiry_of(session, dist.organization_id, day))
    return spent
