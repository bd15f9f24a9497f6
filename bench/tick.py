"""Benchmark: a scheduler tick over N subjects with nothing due.

A fresh database gets one organisation and N active campaigns; a first tick creates their
obligations (and publishes what is due), the second — timed — finds nothing to do. The
issue-8 target: ≤ 5 s at 20,000 subjects.

    .venv/bin/python bench/tick.py [--subjects 2000,20000] [--backend sqlite|postgresql|both]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

TODAY = dt.date(2026, 11, 25)
TARGET_S = {20000: 5.0}  # issue 8; other sizes are reported without a target


def make_app(url: str, instance: Path):
    """An app on `url`, migrated to the current schema (by the CLI, as operators do)."""
    import subprocess

    from bench.province import BIN, app_env
    from charity import create_app

    subprocess.run([str(BIN / "charity"), "db", "upgrade"], env=app_env(url, instance),
                   cwd=ROOT, check=True, capture_output=True)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench",
                       "INSTANCE_PATH": str(instance)})


def bench_tick(app, subjects: int) -> dict:
    from charity.core.extensions import db
    from charity.funds.models import Campaign
    from charity.ops.scheduler import tick
    from charity.orgs import uscc
    from charity.orgs.services import create_organization
    from charity.core.system import system_actor

    with app.app_context():
        s = db.session
        org = create_organization(system_actor(), s, {
            "name": "调度基准慈善会", "uscc": uscc.make("51620102MJ0000777")})
        s.commit()
        now = dt.datetime.now(dt.timezone.utc)
        s.execute(sa.insert(Campaign), [{
            "organization_id": org.id, "name": f"批量活动{i}",
            "planned_start": dt.date(2026, 10, 1), "planned_end": dt.date(2027, 9, 30),
            "status": "active", "version": 1,
            "created_at": now} for i in range(subjects)])
        s.commit()
        if s.get_bind().dialect.name == "postgresql":
            s.execute(sa.text("ANALYZE"))
            s.commit()
        t0 = time.perf_counter()
        first = tick(s, TODAY)
        t1 = time.perf_counter()
        second = tick(s, TODAY)
        t2 = time.perf_counter()
    seconds = round(t2 - t1, 2)
    target = TARGET_S.get(subjects)
    return {"subjects": second.subjects, "first_tick_s": round(t1 - t0, 2),
            "tick_nothing_due_s": seconds, "published": len(second.published),
            "first_published": len(first.published), "target_s": target,
            "meets_target": None if target is None else seconds <= target}


def run(backend, sizes: list[int], log=print) -> dict:
    """Each size on its own fresh database of `backend` (a bench.province.Backend)."""
    out = {}
    for n in sizes:
        url, instance = backend.fresh_database(f"tick_{n}")
        r = out[str(n)] = bench_tick(make_app(url, instance), n)
        log(f"    tick over {r['subjects']:,} subjects, nothing due: {r['tick_nothing_due_s']} s "
            f"(first tick {r['first_tick_s']} s)")
    return out


def main() -> None:
    from bench import province

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", default="2000,20000")
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql", "both"])
    args = ap.parse_args()
    sizes = [int(x) for x in args.subjects.split(",")]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = {}
    for name in backends:
        print(f"scheduler tick on {name} …", flush=True)
        with province.Backend(name, None) as backend:
            results[name] = run(backend, sizes)
    print(f"written {province.merge_results({'tick': results})}")


if __name__ == "__main__":
    main()
