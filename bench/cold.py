"""Benchmark: every public page computed cold (issue 21 §2).

For each public page a fresh app process is started as the servers start it (`charity.wsgi`:
a warm start pays the mapper configuration, catalogues and public templates before the first
request; `--no-warm-start` starts without it) and its first request is timed: what the page
computes without the page cache plus whatever the process still pays once. Its second
request, still uncached (`CHARITY_PORTAL_CACHE_SECONDS` 0), is the steady uncached cost.
`/healthz` is timed the same way as the baseline of a first request; the time to build the
app (`start_ms`) is recorded beside. Target: each page ≤ 100 ms, first and uncached.

    .venv/bin/python bench/cold.py [--backend sqlite|postgresql] [--factor 0.02] [--no-warm-start]
                                   [--data DIR --reuse]   (a kept dataset, e.g. bench/staff.py's)
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pages  # noqa: E402

TARGET_MS = 100.0

FIRST_CODE = """
import json, sys, time
from charity import create_app
path, warm = sys.argv[1], sys.argv[2] == "1"
t0 = time.perf_counter()
app = create_app({"CHARITY_PORTAL_CACHE_SECONDS": 0, "WARM_START": warm})
start_ms = round((time.perf_counter() - t0) * 1000, 1)
client = app.test_client()
times = []
for _ in range(2):
    t0 = time.perf_counter()
    status = client.get(path).status_code
    times.append(round((time.perf_counter() - t0) * 1000, 1))
print(json.dumps({"first_ms": times[0], "uncached_ms": times[1], "status": status,
                  "start_ms": start_ms}))
"""


def first_request(env: dict, path: str, warm: bool = True) -> dict:
    from bench.province import BIN

    run = subprocess.run([str(BIN / "python"), "-c", FIRST_CODE, path, "1" if warm else "0"],
                         env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def run(ds, log=print, subjects: dict | None = None, warm: bool = True) -> dict:
    paths = pages.pick_paths(subjects or pages.pick_subjects(ds.env))
    results = {name: {"path": path, **first_request(ds.env, path, warm)}
               for name, path in paths.items()}
    base = results.pop(pages.BASELINE)
    for r in results.values():
        r["first_over_healthz_ms"] = round(r["first_ms"] - base["first_ms"], 1)
        r["meets_target"] = (max(r["first_ms"], r["uncached_ms"]) <= TARGET_MS
                             and r["status"] == 200)
    log(f"  {'warm' if warm else 'cold'} start; first request: " + ", ".join(
        f"{k} {v['first_ms']:.0f} ms (then {v['uncached_ms']:.0f})" for k, v in results.items())
        + f"; /healthz first {base['first_ms']:.0f} ms; app built in "
        f"{base['start_ms']:.0f} ms")
    return {"warm_start": warm, "baseline": base, "pages": results,
            "meets_target": all(r["meets_target"] for r in results.values())}


def main() -> None:
    from bench import province

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    ap.add_argument("--factor", type=float, default=0.02)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--no-warm-start", action="store_true",
                    help="build the app without paying the one-time costs first")
    ap.add_argument("--fast-pdfs", action="store_true",
                    help="a dataset with placeholder PDFs will do (the public pages link to "
                         "them, never lay them out)")
    ap.add_argument("--reuse", action="store_true",
                    help="time the kept dataset even if an older generator made it (its "
                         "working copy is upgraded to this tree's migrations)")
    args = ap.parse_args()
    with province.Backend(args.backend, args.data) as backend:
        result = run(backend.dataset(args.factor, province.DEFAULT_SEED,
                                     fast_pdfs=args.fast_pdfs, reuse=args.reuse),
                     warm=not args.no_warm_start)
    path = province.merge_backend(args.backend, {"cold": result},
                                  province.standalone_run(args.factor, "cold"))
    print(f"written {path}")


if __name__ == "__main__":
    main()
