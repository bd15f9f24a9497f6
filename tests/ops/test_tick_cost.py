"""Issue 21 §4: a scheduler tick with nothing due runs a handful of set-based statements,
whatever the number of campaigns and projects (the bench times 20,000; this counts 5 vs 50).
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.sql_count import counted

TODAY = dt.date(2026, 11, 25)
START = dt.date(2026, 10, 1)  # first periodic deadline 2027-01-01: nothing due on TODAY


def add_subjects(db, org, n: int, first: int = 0) -> None:
    """`n` active campaigns of a year (periodic and final obligations) and `n` active
    projects, half open-ended, inserted in bulk as the benchmark does."""
    from charity.funds.models import Campaign, Project

    now = dt.datetime.now(dt.timezone.utc)
    db.execute(sa.insert(Campaign), [{
        "organization_id": org.id, "name": f"活动{i}", "planned_start": START,
        "planned_end": dt.date(2027, 9, 30), "status": "active", "version": 1,
        "created_at": now} for i in range(first, first + n)])
    db.execute(sa.insert(Project), [{
        "organization_id": org.id, "name": f"项目{i}", "planned_start": START,
        "planned_end": None if i % 2 else dt.date(2027, 12, 31), "status": "active",
        "created_at": now} for i in range(first, first + n)])
    db.commit()


def quiet_tick(db) -> tuple[int, int, list[str]]:
    """A first tick (it creates the new subjects' obligations), then the counted one."""
    from charity.disclosure.models import Obligation
    from charity.ops.scheduler import tick

    tick(db, TODAY)
    with counted(db) as statements:
        result = tick(db, TODAY)
    assert result.published == [] and result.failed == []
    unpublished_due = db.scalar(sa.select(sa.func.count(Obligation.id)).where(
        Obligation.published_on.is_(None), Obligation.due <= TODAY))
    assert unpublished_due == 0  # nothing due: the tick had nothing to publish
    return result.subjects, db.scalar(sa.select(sa.func.count(Obligation.id))), statements


def test_a_tick_with_nothing_due_runs_the_same_statements_for_5_or_50_subjects(db, make_org):
    org = make_org()
    add_subjects(db, org, 5)
    subjects_5, obligations_5, at_5 = quiet_tick(db)
    add_subjects(db, org, 45, first=5)
    subjects_50, obligations_50, at_50 = quiet_tick(db)
    # The worlds really differ tenfold (plus the organisation itself, a subject of its own).
    assert (subjects_5, subjects_50) == (2 * 5 + 1, 2 * 50 + 1)
    assert obligations_50 > 9 * obligations_5 > 0
    assert len(at_50) == len(at_5), "\n".join(at_50)
    # A handful of set-based queries (the test's SAVEPOINTs stand for the transactions).
    queries = [s for s in at_5 if not s.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(queries) <= 20, "\n".join(queries)
