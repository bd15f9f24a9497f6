"""Benchmark: a scheduler tick over N subjects with nothing due.

A fresh database gets one organisation and N active campaigns, and a set-up tick creates
their obligations (and publishes what is due). Then a fresh process — as `charity scheduler`
after a start — runs the first tick (timed alone: it pays what a process pays once, such as
the mapper configuration and lazy imports) and then warm ticks (the median of several), and
counts the SQL statements of each. Target (issue 21): ≤ 5 s first, ≤ 2 s warm at 20,000.

    .venv/bin/python bench/tick.py [--subjects 2000,20000] [--backend sqlite|postgresql|both]
                                   [--rounds 5] [--profile]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

TODAY = dt.date(2026, 11, 25)
TARGET_FIRST_S, TARGET_WARM_S = 5.0, 2.0  # issue 21 §4, at 20,000 subjects
TARGET_AT = 20000  # other sizes are reported without a target


def make_app(url: str, instance: Path):
    """An app on `url`, migrated to the current schema (by the CLI, as operators do)."""
    from bench.province import BIN, app_env
    from charity import create_app

    subprocess.run([str(BIN / "charity"), "db", "upgrade"], env=app_env(url, instance),
                   cwd=ROOT, check=True, capture_output=True)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench",
                       "INSTANCE_PATH": str(instance)})


def set_up(app, subjects: int) -> float:
    """One organisation, `subjects` active campaigns and their obligations (a first tick);
    returns that set-up tick's seconds."""
    from charity.core.extensions import db
    from charity.core.system import system_actor
    from charity.funds.models import Campaign
    from charity.ops.scheduler import tick
    from charity.orgs import uscc
    from charity.orgs.services import create_organization

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
        t0 = time.perf_counter()
        tick(s, TODAY)
        seconds = time.perf_counter() - t0
        if s.get_bind().dialect.name == "postgresql":
            s.execute(sa.text("ANALYZE"))  # as autovacuum would after a bulk load
            s.commit()
        db.engine.dispose()
    return seconds


def measure(url: str, instance: str, rounds: int, profile: Path | None) -> dict:
    """In this (fresh) process: the first tick, then `rounds` warm ones."""
    from charity import create_app
    from charity.core.extensions import db
    from charity.ops.scheduler import tick

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": instance})
    times, cpu, statements, published = [], [], [], 0
    with app.app_context():
        count = [0]
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda *_a: count.__setitem__(0, count[0] + 1))
        for i in range(rounds + 1):
            prof = None
            if profile is not None and i in (0, rounds):
                import cProfile

                prof = cProfile.Profile()
                prof.enable()
            count[0] = 0
            t0, c0 = time.perf_counter(), time.process_time()
            r = tick(db.session, TODAY)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            statements.append(count[0])
            published += len(r.published)
            db.session.remove()
            if prof is not None:
                prof.disable()
                prof.dump_stats(str(profile) + ("-first" if i == 0 else "-warm"))
    return {"subjects": r.subjects, "first_tick_s": round(times[0], 2),
            "warm_tick_s": round(statistics.median(times[1:]), 2),
            "warm_ticks_s": [round(t, 2) for t in times[1:]],
            # This process's CPU seconds: what the tick costs apart from waiting for a core
            # (wall times on a shared machine grow with its load average).
            "first_tick_cpu_s": round(cpu[0], 2),
            "warm_tick_cpu_s": round(statistics.median(cpu[1:]), 2),
            "statements_first": statements[0], "statements_warm": statements[-1],
            "published": published}


def bench_tick(url: str, instance: Path, subjects: int, rounds: int,
               profile: Path | None = None) -> dict:
    setup_s = set_up(make_app(url, instance), subjects)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", url, str(instance),
           "--rounds", str(rounds)]
    if profile is not None:
        cmd += ["--profile-to", str(profile)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    first, warm = r["first_tick_s"], r["warm_tick_s"]
    target = subjects == TARGET_AT
    r.update({"setup_tick_s": round(setup_s, 2), "tick_nothing_due_s": warm,
              "target_first_s": TARGET_FIRST_S if target else None,
              "target_s": TARGET_WARM_S if target else None,
              "meets_target": (first <= TARGET_FIRST_S and warm <= TARGET_WARM_S)
              if target else None,
              "load_average": [round(x, 2) for x in os.getloadavg()]})
    return r


def run(backend, sizes: list[int], log=print, rounds: int = 5,
        profile_dir: Path | None = None) -> dict:
    """Each size on its own fresh database of `backend` (a bench.province.Backend)."""
    out = {}
    for n in sizes:
        url, instance = backend.fresh_database(f"tick_{n}")
        profile = profile_dir / f"tick-{backend.name}-{n}.prof" if profile_dir else None
        r = out[str(n)] = bench_tick(url, instance, n, rounds, profile)
        log(f"    tick over {r['subjects']:,} subjects, nothing due: first after a start "
            f"{r['first_tick_s']} s (CPU {r['first_tick_cpu_s']} s, {r['statements_first']} SQL)"
            f", warm {r['warm_tick_s']} s (CPU {r['warm_tick_cpu_s']} s, median of {rounds}, "
            f"{r['statements_warm']} SQL); load {r['load_average']}")
        if profile:
            log(f"    profiles: {profile}-first, {profile}-warm")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", default="2000,20000")
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql", "both"])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--profile", type=Path, metavar="DIR", help="write cProfile dumps here")
    ap.add_argument("--measure", nargs=2, metavar=("URL", "INSTANCE"), help=argparse.SUPPRESS)
    ap.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:  # the fresh process
        print(json.dumps(measure(*args.measure, args.rounds, args.profile_to)))
        return
    from bench import province

    sizes = [int(x) for x in args.subjects.split(",")]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for name in backends:
        print(f"scheduler tick on {name} …", flush=True)
        with province.Backend(name, None) as backend:
            result = run(backend, sizes, rounds=args.rounds, profile_dir=args.profile)
        path = province.merge_backend(name, {"tick": result},
                                      province.standalone_run(None, "tick"))
    print(f"written {path}")


if __name__ == "__main__":
    main()
