"""Points expire (default 24 months after they were earned or received). Debits use the
oldest credits first, so what expires by a day is what is left of the credits expiring by
then after every debit so far. The scheduler recomputes it each tick: a missed tick or a
second scheduler expires nothing twice."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.disclosure.rules import add_months
from charity.points.models import EntryKind, PointsAccount, PointsLedgerEntry
from charity.points.services.ledger import post

NOTICE_MONTHS = 1  # the volunteer's page warns this long before points expire


def _expiring_by(day: dt.date, account_ids=None):
    """(account id, points left of the credits expiring on or before `day`) per account."""
    entry = PointsLedgerEntry
    credits = sa.func.sum(sa.case((sa.and_(entry.amount > 0, entry.expires_on <= day),
                                   entry.amount), else_=0))
    debits = sa.func.sum(sa.case((entry.amount < 0, -entry.amount), else_=0))
    stmt = (sa.select(entry.account_id, credits - debits).group_by(entry.account_id)
            .having(credits - debits > 0))
    if account_ids is not None:
        stmt = stmt.where(entry.account_id.in_(account_ids))
    return stmt


def expiring_by(session: Session, account: PointsAccount | None, day: dt.date) -> int:
    """Points of `account` whose validity ends on or before `day`, unless spent first."""
    if account is None:
        return 0
    row = session.execute(_expiring_by(day, [account.id])).first()
    return int(row[1]) if row else 0


def expiring_soon(session: Session, account: PointsAccount | None, today: dt.date) -> int:
    """What the notice on the volunteer's page announces: points expiring within a month."""
    return expiring_by(session, account, add_months(today, NOTICE_MONTHS))


def expire_points(session: Session, today: dt.date, actor=None) -> dict[int, int]:
    """Post an `expire` entry for every account holding points whose last valid day
    (`expires_on`) is before `today`; returns {account id: points expired}."""
    done = {}
    last_lapsed = today - dt.timedelta(days=1)
    for account_id, _amount in session.execute(_expiring_by(last_lapsed)).all():
        # Lock the account, then recount: a spending posted meanwhile used old points first.
        account = session.execute(sa.select(PointsAccount).where(
            PointsAccount.id == account_id).with_for_update()).scalar_one()
        amount = expiring_by(session, account, last_lapsed)
        if not amount:
            continue
        entry = post(session, account, EntryKind.EXPIRE, -int(amount), actor=actor,
                     day=today)
        record(session, actor, "points.expire", entry, {"points": int(amount)},
               organization_id=account.organization_id)
        done[account_id] = int(amount)
    return done
