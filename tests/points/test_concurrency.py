"""Two volunteers' counters spending the same points at the same moment, with real commits
(SQLite file, PostgreSQL): the points go once, the balance never below zero."""
import datetime as dt
import threading

import sqlalchemy as sa

from charity.core.db import run_transaction
from charity.core.extensions import db
from charity.core.system import system_actor
from charity.orgs import uscc
from charity.orgs.services import create_organization
from charity.people.volunteers import create_volunteer
from charity.points.models import EntryKind, PointsAccount, PointsLedgerEntry
from charity.points.services.ledger import InsufficientPoints, account_of, post, verify_points

TODAY = dt.date(2026, 11, 25)
THREADS = 6


def _account_with(app, points: int) -> int:
    with app.app_context():
        org = create_organization(system_actor(), db.session, {
            "name": "积分并发测试会", "uscc": uscc.make("51620102MJ0000888")})
        volunteer = create_volunteer(system_actor(), db.session, org, {"name": "志愿者"})
        account = account_of(db.session, org.id, volunteer_id=volunteer.id)
        post(db.session, account, EntryKind.ADJUST, points, actor=None, day=TODAY,
             reason="期初", expires_on=dt.date(2028, 11, 25))
        db.session.commit()
        return account.id


def test_concurrent_spending_never_overdraws(committed_app):
    account_id = _account_with(committed_app, 25)
    outcome, errors = [], []
    barrier = threading.Barrier(THREADS)

    def spend(_i):
        with committed_app.app_context():
            try:
                barrier.wait()
                account = db.session.get(PointsAccount, account_id)
                run_transaction(db.session, lambda: post(
                    db.session, account, EntryKind.SPEND, -10, actor=None, day=TODAY))
                outcome.append("ok")
            except InsufficientPoints:
                outcome.append("refused")
            except Exception as exc:  # noqa: BLE001 - asserted below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(outcome) == ["ok"] * 2 + ["refused"] * (THREADS - 2)
    with committed_app.app_context():
        ledger = db.session.scalar(sa.select(sa.func.sum(PointsLedgerEntry.amount))
                                   .where(PointsLedgerEntry.account_id == account_id))
        assert ledger == 25 - 2 * 10
        assert db.session.get(PointsAccount, account_id).balance == ledger
        assert verify_points(db.session) == []
