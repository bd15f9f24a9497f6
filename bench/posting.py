"""Benchmark: posting cost must not grow with the ledger.

Posts a 10-line intake and a 5-line distribution through the real services into a ledger of
10,000 and one of 1,000,000 stock movements (two databases, filled first), on SQLite and on
PostgreSQL, and reports the median time per posting and the ratio large/small (target ≤ 1.2).

The steady state, honestly (issue 21 §5): a few warm-up postings per database are discarded,
then the two sizes alternate in rounds (small, large; large, small; …) so that whatever the
machine does meanwhile (another benchmark's leftovers, the kernel writing back an export,
other people's tests) weighs on both alike; `--order sequential` runs all the small rounds
first, as this benchmark used to, to show what that does. The result states what ran before
it in the same `bench/run`, the load average, and each database's storage state (SQLite: WAL
size and the connection's cache and checkpoint settings; PostgreSQL: planner statistics).

    .venv/bin/python bench/posting.py [--backend sqlite|postgresql|both] [--rows 10000,1000000]
                                      [--postings 40] [--order interleaved|sequential]

The ledger is filled with bulk inserts that keep balances equal to the movement sums
(`charity verify` passes afterwards); the timed postings go through the same services as the
web forms. Results are merged into bench/results.json under "posting".
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

TODAY = dt.date(2026, 11, 25)
POINTS, ITEMS, HOUSEHOLDS = 50, 100, 200
RATIO_TARGET = 1.2
WARMUP = 5  # postings per database before the timed rounds, not counted


def setup_world(app):
    from charity.core.extensions import db
    from charity.goods.services.catalogue import create_item_type
    from charity.goods.models import ItemCategory
    from charity.orgs import uscc
    from charity.orgs.services import create_organization, create_point
    from charity.people.beneficiaries import register
    from charity.people.identity import make_id
    from charity.core.system import system_actor

    actor = system_actor()
    with app.app_context():
        s = db.session
        org = create_organization(actor, s, {"name": "基准测试慈善会",
                                             "uscc": uscc.make("51620102MJ0000888")})
        points = [create_point(actor, s, org, {"kind": "supermarket", "name": f"网点{i}"}).id
                  for i in range(POINTS)]
        cat = s.scalar(sa.select(ItemCategory.id).where(ItemCategory.code == "household"))
        items = [create_item_type(actor, s, org, {
            "name": f"物品{i}", "category_id": cat, "unit": "件", "point_price": 0,
            "default_fair_value": Decimal("10")}).id for i in range(ITEMS)]
        hh = [register(actor, s, org, {
            "name": f"户{i}", "categories": ["dibao"], "members": 2,
            "id_number": make_id(f"6201021960{i:07d}"),
            "certified_until": dt.date(2030, 1, 1)}).id for i in range(HOUSEHOLDS)]
        s.commit()
        return {"org": org.id, "points": points, "items": items, "households": hh}


def fill_ledger(app, world, target_rows: int, batch: int = 20000):
    """Bulk-insert donation movements until the ledger holds `target_rows`, keeping every
    balance equal to the sum of its movements."""
    from charity.core.extensions import db
    from charity.goods.models import StockBalance, StockMovement

    rng = random.Random(target_rows)
    with app.app_context():
        s = db.session
        have = s.scalar(sa.select(sa.func.count(StockMovement.id)))
        while have < target_rows:
            n = min(batch, target_rows - have)
            rows = []
            for _ in range(n):
                key = (rng.choice(world["points"]), rng.choice(world["items"]))
                q = rng.randint(1, 5)
                rows.append({"organization_id": world["org"], "point_id": key[0],
                             "item_type_id": key[1], "batch": "", "kind": "donation_in",
                             "quantity": Decimal(q), "unit_value": Decimal("10"),
                             "movement_date": TODAY - dt.timedelta(days=rng.randint(1, 700)),
                             "document_type": "bulk", "document_id": 0,
                             "posted_at": dt.datetime.now(dt.timezone.utc), "reason": ""})
            s.execute(sa.insert(StockMovement), rows)
            have += n
        # Balances recomputed from the ledger in one statement (as `charity verify` sums them).
        s.execute(sa.delete(StockBalance))
        s.execute(sa.text(
            "INSERT INTO stock_balance (point_id, item_type_id, batch, quantity, value) "
            "SELECT point_id, item_type_id, batch, SUM(quantity), SUM(quantity * unit_value) "
            "FROM stock_movement GROUP BY point_id, item_type_id, batch"))
        s.commit()
        if s.get_bind().dialect.name == "postgresql":
            s.execute(sa.text("ANALYZE"))
            s.commit()
        return have


def post_some(app, world, count: int, rng: random.Random, serial: list[int]) -> dict:
    """Post `count` 10-line intakes and 5-line distributions; the seconds of each."""
    from charity.core.db import run_transaction
    from charity.core.extensions import db
    from charity.core.system import system_actor
    from charity.goods.services import distributions, intake
    from charity.orgs.models import CharityPoint

    actor = system_actor()
    out = {"intake_10_lines": [], "distribution_5_lines": []}
    with app.app_context():
        s = db.session
        for _ in range(count):
            point = s.get(CharityPoint, rng.choice(world["points"]))
            items = rng.sample(world["items"], 10)
            t0 = time.perf_counter()
            run_transaction(s, lambda: intake.post_intake(actor, s, point, {
                "received_on": TODAY, "lines": [{"item_type_id": it, "quantity": "3"}
                                                for it in items]}, today=TODAY))
            out["intake_10_lines"].append(time.perf_counter() - t0)
            serial[0] += 1
            hh = world["households"][serial[0] % len(world["households"])]
            t0 = time.perf_counter()
            run_transaction(s, lambda: distributions.post_distribution(actor, s, point, {
                "beneficiary_id": hh, "distributed_on": TODAY,
                "lines": [{"item_type_id": it, "quantity": "1"} for it in items[:5]]},
                today=TODAY))
            out["distribution_5_lines"].append(time.perf_counter() - t0)
        s.remove()
    return out


def storage_state(app) -> dict:
    """What could make a commit cost depend on history: on SQLite the WAL file's size and
    the settings of the app's connection; on PostgreSQL the planner statistics' freshness."""
    from charity.core.extensions import db

    with app.app_context():
        conn = db.session.connection()
        if conn.dialect.name == "sqlite":
            path = Path(conn.engine.url.database)
            wal = path.with_name(path.name + "-wal")
            state = {"db_mb": round(path.stat().st_size / 1e6, 1),
                     "wal_mb": round(wal.stat().st_size / 1e6, 1) if wal.exists() else 0}
            for pragma in ("journal_size_limit", "wal_autocheckpoint", "cache_size",
                           "mmap_size", "synchronous"):
                state[pragma] = conn.exec_driver_sql(f"PRAGMA {pragma}").scalar()
        else:
            row = conn.exec_driver_sql(
                "SELECT n_live_tup, n_mod_since_analyze, "
                "coalesce(last_analyze, last_autoanalyze) IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'stock_movement'").one()
            state = {"live_rows": row[0], "modified_since_analyze": row[1], "analyzed": row[2]}
        db.session.remove()
    return state


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def verify(app) -> list[str]:
    from charity.core.extensions import db
    from charity.goods.services.stock_ledger import verify_stock

    with app.app_context():
        return verify_stock(db.session)


def schedule(sizes: list[int], rounds: int, order: str) -> list[int]:
    """Which size each round posts to: alternating (ABBA…), or all of one size first."""
    if order == "sequential":
        return [size for size in sizes for _ in range(rounds)]
    return [size for r in range(rounds) for size in (sizes if r % 2 == 0 else sizes[::-1])]


def prepare(backend, size: int, log=print) -> dict:
    """A fresh database of `backend` with its own world and a ledger of `size` rows."""
    from bench.tick import make_app

    url, instance = backend.fresh_database(f"posting_{size}")
    app = make_app(url, instance)
    world = setup_world(app)
    t0 = time.perf_counter()
    rows = fill_ledger(app, world, size)
    fill_s = round(time.perf_counter() - t0, 1)
    log(f"    {backend.name:<10} {rows:>9,} rows filled in {fill_s} s")
    return {"app": app, "world": world, "rows": rows, "fill_seconds": fill_s,
            "rng": random.Random(size), "serial": [0]}


def run(backend, sizes: list[int], postings: int, log=print, before: list[str] = (),
        rounds: int = 8, order: str = "interleaved") -> dict:
    """Each size on its own fresh database of `backend` (a bench.province.Backend), then
    interleaved rounds (small, large; large, small; …) so that whatever the machine does
    meanwhile weighs on both sizes alike. `before`: the benchmarks this run did earlier."""
    dbs = {size: prepare(backend, size, log) for size in sizes}
    per_round = max(5, postings // rounds)  # --quick asks for 15: still 40 per size
    for d in dbs.values():  # warm-up postings, discarded: connections, statement caches
        post_some(d["app"], d["world"], WARMUP, d["rng"], d["serial"])
        d["state_before"] = storage_state(d["app"])
        d["times"] = {"intake_10_lines": [], "distribution_5_lines": []}
    load_start = os.getloadavg()
    for size in schedule(sizes, rounds, order):
        d = dbs[size]
        for key, values in post_some(d["app"], d["world"], per_round, d["rng"],
                                     d["serial"]).items():
            d["times"][key] += values
    result = {"preceded_by": list(before), "order": order, "rounds": rounds,
              "postings_per_round": per_round, "warm_up_discarded": WARMUP,
              "load_average": {"start": [round(x, 2) for x in load_start],
                               "end": [round(x, 2) for x in os.getloadavg()]}}
    for size, d in dbs.items():
        result[str(size)] = {"ledger_rows": d["rows"], "fill_seconds": d["fill_seconds"],
                             **{k: median_ms(v) for k, v in d["times"].items()},
                             "storage_before": d["state_before"],
                             "storage_after": storage_state(d["app"])}
    small, large = result[str(sizes[0])], result[str(sizes[-1])]
    for size in sizes:
        r = result[str(size)]
        log(f"    {backend.name:<10} {r['ledger_rows']:>9,} rows: intake "
            f"{r['intake_10_lines']:7.2f} ms  distribution {r['distribution_5_lines']:7.2f} ms"
            f"  (median of {rounds} × {per_round}; storage {r['storage_after']})")
    result["ratio"] = {k: round(large[k] / small[k], 3)
                       for k in ("intake_10_lines", "distribution_5_lines")}
    result["meets_target"] = all(v <= RATIO_TARGET for v in result["ratio"].values())
    result["verify_clean"] = not any(verify(d["app"]) for d in dbs.values())
    log(f"    ratio: {result['ratio']} after {', '.join(before) or 'nothing'}; load "
        f"{result['load_average']}")
    return result


def main() -> None:
    from bench import province

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    ap.add_argument("--rows", default="10000,1000000")
    ap.add_argument("--postings", type=int, default=40)
    ap.add_argument("--order", default="interleaved", choices=["interleaved", "sequential"])
    args = ap.parse_args()
    sizes = [int(x) for x in args.rows.split(",")]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for name in backends:
        print(f"posting benchmark on {name} …", flush=True)
        with province.Backend(name, None) as backend:
            result = run(backend, sizes, args.postings, order=args.order)
        print(f"  ratio {sizes[-1]:,}/{sizes[0]:,}: {result['ratio']} (target ≤ {RATIO_TARGET}); "
              f"verify clean: {result['verify_clean']}")
        path = province.merge_backend(name, {"posting": result},
                                      province.standalone_run(None, "posting"))
    print(f"written {path}")


if __name__ == "__main__":
    main()
