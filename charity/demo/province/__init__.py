"""`charity demo --scale province`: a deterministic province-sized dataset for benchmarks.

14 cities, 50 organisations, 1,000 points, 100,000 donors, 300,000 goods donations (about a
million stock movements with what goes out), 200,000 money entries, 2,000 campaigns and
projects with their obligations and published disclosures, 50,000 beneficiaries and 5,000
complaints — all scaled by `factor` for quick runs and tests. Two years of history up to
`today`. Same seed, same data.

The documents are simulated in Python (no stock ever goes below zero, no fund spends more
than it received) and written with bulk inserts; the balances kept at posting time are then
computed from the ledgers in one statement each, the same sums `charity verify` checks; the
disclosures go through the real publisher (snapshot, PDF, hashes, chain).
"""
from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.demo.province.bulk import Ids, analyze, fix_sequences
from charity.demo.province.world import HISTORY_DAYS, TARGETS, World

__all__ = ["generate", "TARGETS", "ProvinceExists"]
VERSION = 2  # bump when the generated data changes shape (bench caches key on it)


class ProvinceExists(Exception):
    """The database already holds data; the generator only fills an empty installation."""


def generate(session: Session, *, factor: float = 1.0, seed: int = 2026,
             today: dt.date | None = None, fast_pdfs: bool = False,
             progress: Callable[[str], None] = lambda msg: None) -> dict[str, int]:
    """Fill an empty, migrated database; return the row counts and seconds per stage.
    With `fast_pdfs` the published disclosures carry placeholder PDFs instead of rendered
    ones (same rows, snapshots, digests and chain): minutes instead of a quarter of an hour
    at factor 1, for benchmarks that never read a PDF (the staff crawl)."""
    from charity.auth.models import User
    from charity.orgs.models import Organization

    # Accounts count too: after `charity init` the generator's own "admin" would collide.
    if any(session.scalar(sa.select(model.id).limit(1)) is not None
           for model in (Organization, User)):
        raise ProvinceExists("the database already holds organisations or accounts")
    today = today or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    world = World(session=session, today=today, factor=factor, rng=random.Random(seed),
                  ids=Ids(session), seed=seed)
    timings: dict[str, float] = {}

    def stage(name: str, fn) -> None:
        t0 = time.perf_counter()
        progress(f"{name} …")
        fn(world)
        session.commit()
        timings[name] = round(time.perf_counter() - t0, 1)
        progress(f"{name}: {timings[name]} s")

    from charity.demo.province.core import create_cast
    from charity.demo.province.extras import generate_extras
    from charity.demo.province.goods import generate_goods
    from charity.demo.province.money import generate_money

    stage("organisations, people, subjects", create_cast)
    stage("goods ledger", generate_goods)
    stage("money ledger", generate_money)
    stage("complaints, wishes, volunteers", generate_extras)
    stage("balances", _balances)
    from charity.figures.services import rebuild

    stage("public figures", lambda w: rebuild(w.session))
    from charity.demo.province.disclosure import publish_history

    stage("disclosures", lambda w: publish_history(w, progress, fast_pdfs))
    stage("statistics", lambda w: analyze(w.session))
    world.counts["seconds"] = timings  # type: ignore[assignment]
    return world.counts


def _balances(world: World) -> None:
    """Balances kept at posting time, computed from the ledgers; organisations dated back to
    the start of the history (so their annual reports fall due); id sequences moved on."""
    from charity.demo.province.bulk import insert
    from charity.funds.models import FundBalance
    from charity.funds.services.ledger import recompute_balances
    from charity.goods.models import IntakeLine, StockBalance, StockMovement
    from charity.orgs.models import Organization

    s = world.session
    # Summed through the column types (on SQLite they count thousandths and fen, and a
    # quantity times a value has five places): the value is rounded to the fen on insert.
    # A food batch's expiry date is its intake lines' (one date per batch name and item).
    m, line = StockMovement, IntakeLine
    expiry = (sa.select(line.item_type_id, line.batch,
                        sa.func.min(line.expiry_date).label("expiry_date"))
              .where(line.batch != "").group_by(line.item_type_id, line.batch).subquery())
    stock = s.execute(
        sa.select(m.point_id, m.item_type_id, m.batch, expiry.c.expiry_date,
                  sa.func.sum(m.quantity), sa.func.sum(m.quantity * m.unit_value))
        .select_from(m).outerjoin(expiry, sa.and_(expiry.c.item_type_id == m.item_type_id,
                                                  expiry.c.batch == m.batch))
        .group_by(m.point_id, m.item_type_id, m.batch, expiry.c.expiry_date)).all()
    insert(s, StockBalance.__table__, [
        {"point_id": p, "item_type_id": i, "batch": b, "expiry_date": e, "quantity": q,
         "value": v} for p, i, b, e, q, v in stock])
    org_of = {}
    for org in world.orgs:
        org_of[("org", org.id)] = org_of[("general", org.id)] = org.id
        for subject in org.campaigns:
            org_of[("campaign", subject.id)] = org.id
        for subject in org.projects:
            org_of[("project", subject.id)] = org.id
    rows = []
    for (scope, scope_id), totals in recompute_balances(s).items():
        rows.append({"id": world.ids.one(FundBalance.__table__),
                     "organization_id": org_of[(scope, scope_id)], "scope": scope,
                     "scope_id": scope_id, **_fund_columns(totals)})
    insert(s, FundBalance.__table__, rows)
    start = dt.datetime.combine(world.today - dt.timedelta(days=HISTORY_DAYS + 400),
                                dt.time(2), dt.timezone.utc)
    s.execute(sa.update(Organization).where(Organization.id.in_([o.id for o in world.orgs]))
              .values(created_at=start))
    fix_sequences(s)


def _fund_columns(totals: dict) -> dict:
    from decimal import Decimal

    from charity.funds.services.ledger import COLUMN

    out = {column: Decimal("0") for column in set(COLUMN.values())}
    out.update({k: v for k, v in totals.items() if k != "entry_count"})
    out["entry_count"] = totals.get("entry_count", 0)
    return out
