"""Benchmark: posting cost must not grow with the ledger.

Posts a 10-line intake and a 5-line distribution through the real services with 10,000 and
then with 1,000,000 stock movements already in the ledger, on SQLite and on PostgreSQL, and
reports the median time per posting and the ratio large/small (target ≤ 1.2).

    .venv/bin/python bench/posting.py [--backend sqlite|postgresql|both] [--rows 10000,1000000]
                                      [--postings 40]

The ledger is filled with bulk inserts that keep balances equal to the movement sums
(`charity verify` passes afterwards); the timed postings go through the same services as the
web forms. Results are merged into bench/results.json under "posting".
"""
from __future__ import annotations

import argparse
import datetime as dt
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


def setup_world(app):
    from charity.core.extensions import db
    from charity.goods.catalogue import create_item_type
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


def time_postings(app, world, postings: int) -> dict[str, float]:
    from charity.core.db import run_transaction
    from charity.core.extensions import db
    from charity.goods import distribution, intake
    from charity.orgs.models import CharityPoint
    from charity.core.system import system_actor

    rng = random.Random(7)
    actor = system_actor()
    out = {"intake_10_lines": [], "distribution_5_lines": []}
    with app.app_context():
        s = db.session
        for i in range(postings):
            point = s.get(CharityPoint, rng.choice(world["points"]))
            items = rng.sample(world["items"], 10)
            t0 = time.perf_counter()
            run_transaction(s, lambda: intake.post_intake(actor, s, point, {
                "received_on": TODAY, "lines": [{"item_type_id": it, "quantity": "3"}
                                                for it in items]}, today=TODAY))
            out["intake_10_lines"].append(time.perf_counter() - t0)
            hh = world["households"][i % len(world["households"])]
            t0 = time.perf_counter()
            run_transaction(s, lambda: distribution.post_distribution(actor, s, point, {
                "beneficiary_id": hh, "distributed_on": TODAY,
                "lines": [{"item_type_id": it, "quantity": "1"} for it in items[:5]]},
                today=TODAY))
            out["distribution_5_lines"].append(time.perf_counter() - t0)
    # Drop the first few postings: connection warm-up and query caches.
    return {k: statistics.median(v[3:]) * 1000 for k, v in out.items()}


def verify(app) -> list[str]:
    from charity.core.extensions import db
    from charity.goods.stock import verify_stock

    with app.app_context():
        return verify_stock(db.session)


def run(backend, sizes: list[int], postings: int, log=print) -> dict:
    """On a fresh database of `backend` (a bench.province.Backend)."""
    from bench.tick import make_app

    url, instance = backend.fresh_database("posting")
    app = make_app(url, instance)
    world = setup_world(app)
    result = {}
    for size in sizes:
        t0 = time.perf_counter()
        rows = fill_ledger(app, world, size)
        fill_s = time.perf_counter() - t0
        timings = time_postings(app, world, postings)
        result[str(size)] = {"ledger_rows": rows, "fill_seconds": round(fill_s, 1),
                             **{k: round(v, 2) for k, v in timings.items()}}
        log(f"    {backend.name:<10} {rows:>9,} rows: intake {timings['intake_10_lines']:7.2f} ms"
            f"  distribution {timings['distribution_5_lines']:7.2f} ms  (fill {fill_s:.0f} s)")
    small, large = result[str(sizes[0])], result[str(sizes[-1])]
    result["ratio"] = {k: round(large[k] / small[k], 3)
                       for k in ("intake_10_lines", "distribution_5_lines")}
    result["meets_target"] = all(v <= RATIO_TARGET for v in result["ratio"].values())
    result["verify_clean"] = not verify(app)
    return result


def main() -> None:
    from bench import province

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    ap.add_argument("--rows", default="10000,1000000")
    ap.add_argument("--postings", type=int, default=40)
    args = ap.parse_args()
    sizes = [int(x) for x in args.rows.split(",")]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = {}
    for name in backends:
        print(f"posting benchmark on {name} …", flush=True)
        with province.Backend(name, None) as backend:
            results[name] = run(backend, sizes, args.postings)
        r = results[name]["ratio"]
        print(f"  ratio {sizes[-1]:,}/{sizes[0]:,}: intake {r['intake_10_lines']}, "
              f"distribution {r['distribution_5_lines']} (target ≤ {RATIO_TARGET}); "
              f"verify clean: {results[name]['verify_clean']}")
    path = province.merge_results({"posting": {
        "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "postings_per_size": args.postings, **results}})
    print(f"written {path}")


if __name__ == "__main__":
    main()
