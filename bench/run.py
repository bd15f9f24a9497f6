"""Every benchmark of the project, on SQLite and on PostgreSQL, in one run (issue 8).

Started by `bench/run` (which sets up the venv and wrk first). Per backend: the province
dataset is generated or reused (bench/province.py), then public pages under load, `charity
verify`, report generation, the biggest exports, the scheduler tick and posting cost run in
turn. Every figure is compared with a baseline measured the same way in the same run. Prints
one table and merges its sections into bench/results.json (per backend and section, each
stamped with its run: a partial run keeps the other figures).

    bench/run [--backend sqlite|postgresql|both] [--factor F | --quick]
              [--only pages,cold,staff,posting,reports,tick,verify,export,import] [--data DIR] [--seed S]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import (cold, export, imports, pages, posting, province, reports, staff,  # noqa: E402
                   tick, verify)

BENCHES = ["pages", "cold", "staff", "verify", "reports", "export", "tick", "posting", "import"]
NEEDS_DATASET = {"pages", "cold", "staff", "verify", "reports", "export"}


def settings(args) -> dict:
    quick = args.quick
    return {"factor": args.factor if args.factor is not None else (0.02 if quick else 1.0),
            "pages_duration": 2 if quick else 5, "pages_rounds": 1 if quick else 3,
            "posting_rows": [10_000, 100_000] if quick else [10_000, 1_000_000],
            "postings": 15 if quick else 40, "tick_subjects": [2000, 20000]} | (
                {"posting_rows": [int(x) for x in args.posting_rows.split(",")]}
                if args.posting_rows else {})


def log(msg: str) -> None:
    print(msg, flush=True)


def run_backend(name: str, only: list[str], opts: dict, args) -> dict:
    section: dict = {}
    with province.Backend(name, args.data) as backend:
        section["server_version"] = backend.version()
        ds = subjects = None
        if NEEDS_DATASET & set(only):
            ds = backend.dataset(opts["factor"], args.seed, log=log,
                                 fast_pdfs=args.fast_pdfs)
            section["dataset"] = {"kind": ds.kind, "factor": ds.factor, "seed": ds.seed,
                                  "generator_version": ds.version,
                                  "generation_s": ds.generation_s,
                                  "reused": ds.generation_s is None, "rows": ds.counts,
                                  "generator_output": ds.generator_output}
            if {"pages", "cold", "reports"} & set(only):
                subjects = pages.pick_subjects(ds.env)
        steps = {
            "pages": lambda: pages.run(ds, opts["pages_duration"], opts["pages_rounds"], log=log,
                                subjects=subjects),
            "cold": lambda: cold.run(ds, log=log, subjects=subjects),
            "staff": lambda: staff.run(ds, 3 if args.quick else 20, log=log),
            "verify": lambda: verify.run(ds, log=log),
            "reports": lambda: reports.run(ds, subjects, log=log),
            "export": lambda: export.run(ds, log=log),
            "tick": lambda: tick.run(backend, opts["tick_subjects"], log=log),
            "posting": lambda: posting.run(backend, opts["posting_rows"], opts["postings"],
                                           log=log, before=done,
                                           order=args.posting_order),
            "import": lambda: imports.run(backend, log=log),
        }
        done: list[str] = []  # what ran before, in this run and on this backend
        for bench in BENCHES:
            if bench not in only:
                continue
            log(f"[{name}] {bench} …")
            t0 = time.perf_counter()
            try:
                section[bench] = steps[bench]()
            except Exception as exc:  # one broken bench must not lose the others' figures
                traceback.print_exc()
                section[bench] = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
            log(f"[{name}] {bench} done in {time.perf_counter() - t0:.0f} s")
            done.append(bench)
    return section


# --- the table -------------------------------------------------------------------------------

def _yes(ok) -> str:
    return "-" if ok is None else ("yes" if ok else "NO")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _cold_rows(backend: str, s: dict) -> list[tuple]:
    cold_ = s.get("cold") or {}
    return [(f"cold {name}", backend,
             f"first request {r['first_ms']:.0f} ms, then {r['uncached_ms']:.0f} ms",
             f"/healthz first {cold_['baseline']['first_ms']:.0f} ms", "",
             f"uncached ≤ {cold.TARGET_MS:.0f} ms", _yes(r["meets_target"]))
            for name, r in cold_.get("pages", {}).items()]


def _staff_rows(backend: str, s: dict) -> list[tuple]:
    st = s.get("staff")
    if not (st and "pages" in st):
        return []
    worst = max(st["pages"], key=lambda r: r["p95_ms"])
    most = max(st["pages"], key=lambda r: r["queries"])
    missed = sum(1 for r in st["pages"] if not r["meets_target"])
    return [("staff pages (4 roles)", backend,
             f"{len(st['pages'])} pages, worst p95 {worst['p95_ms']} ms "
             f"({worst['path']}), most SQL {most['queries']}, {missed} over",
             f"/healthz {st['baseline']['median_ms']} ms", "",
             "p95 ≤ 150 ms, ≤ 20 SQL", _yes(st["meets_target"]))]


def _page_rows(backend: str, s: dict) -> list[tuple]:
    rows = []
    if "dataset" in s:
        d = s["dataset"]
        gen = "reused" if d["reused"] else f"{d['generation_s']} s"
        rows.append(("dataset generation", backend, f"{gen} ({d['kind']}, factor {d['factor']})",
                     "", "", "", "-"))
    for bench in BENCHES:
        if "error" in s.get(bench, {}):
            rows.append((bench, backend, "ERROR: " + s[bench]["error"][:60], "", "", "", "NO"))
    p = s.get("pages", {}).get("results") or {}
    uncached_ms = s.get("pages", {}).get("uncached_ms", {})
    for name, r in p.items():
        if name == pages.BASELINE:
            continue
        uncached = f", uncached {uncached_ms[name]:.0f} ms" if name in uncached_ms else ""
        rows.append((f"page {name}", backend,
                     f"{r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} p99 {r['p99_ms']:.1f} ms"
                     + uncached, f"/healthz {r['baseline_rps']:.0f} req/s", f"{r['ratio']:.2f}",
                     "≥ 0.50, p99 ≤ 100 ms", _yes(r["meets_target"])))
    return rows


def _heavy_rows(backend: str, s: dict) -> list[tuple]:
    """verify, reports and exports: seconds and memory."""
    rows = []
    v = s.get("verify")
    if v and "error" not in v:
        rows.append(("charity verify", backend,
                     f"{v['seconds']} s, {v['peak_rss_mb']:.0f} MB"
                     + ("" if v["clean"] else " (mismatches!)"), "", "", "≤ 60 s",
                     _yes(v["meets_target"])))
    for kind, r in (s.get("reports") or {}).items():
        if kind == "error":
            continue
        rows.append((f"report {r['subject']}", backend,
                     f"{r['total_s']} s, peak {r['peak_rss_mb']:.0f} MB",
                     f"bare PDF {r['bare_render_s']} s", f"{r['ratio']}", "≤ 300 MB",
                     _yes(r["meets_target"])))
    for name, r in (s.get("export") or {}).items():
        if name in ("error", "server_errors"):
            continue
        if "error" in r:
            rows.append((f"export {name}", backend, "ERROR: " + r["error"][:60], "", "",
                         "≤ 300 MB", "NO"))
            continue
        rows.append((f"export {name}", backend,
                     f"{_size(r['bytes'])} in {r['seconds']} s, worker {r['worker_peak_mb']:.0f}"
                     f" MB (+{r['growth_mb']:.0f})", f"idle worker {r['worker_idle_mb']:.0f} MB",
                     f"{r['worker_peak_mb'] / r['worker_idle_mb']:.2f}", "≤ 300 MB",
                     _yes(r["meets_target"])))
    return rows


def _write_path_rows(backend: str, s: dict) -> list[tuple]:
    """tick, import and posting: what the writing side costs."""
    rows = []
    for n, r in (s.get("tick") or {}).items():
        if n == "error":
            continue
        rows.append((f"tick {int(n):,} subjects", backend,
                     f"warm {r['tick_nothing_due_s']} s, {r.get('statements_warm')} SQL",
                     f"first after a start {r['first_tick_s']} s", "",
                     f"≤ {r['target_s']} s warm, ≤ {r.get('target_first_s')} s first"
                     if r["target_s"] else "", _yes(r["meets_target"])))
    imp = s.get("import")
    if imp and "import_s" in imp:
        rows.append((f"import {imp['rows']:,} donors", backend, f"{imp['import_s']} s",
                     f"dry run {imp['dry_run_s']} s, again {imp['again_s']} s", "",
                     f"≤ {imp['target_s']} s", _yes(imp["meets_target"])))
    post = s.get("posting")
    if post and "ratio" in post:
        sizes = [k for k in post if k.isdigit()]
        small, large = post[sizes[0]], post[sizes[-1]]
        for key, label in (("intake_10_lines", "intake"),
                           ("distribution_5_lines", "distribution")):
            ratio = post["ratio"][key]
            after = ", ".join(post.get("preceded_by") or []) or "nothing"
            rows.append((f"posting {label} (after {after})", backend,
                         f"{large[key]} ms @ {int(sizes[-1]):,}",
                         f"{small[key]} ms @ {int(sizes[0]):,}", f"{ratio:.2f}", "≤ 1.2",
                         _yes(ratio <= posting.RATIO_TARGET)))
    return rows


def table_rows(backend: str, s: dict) -> list[tuple]:
    """The printed table's rows of one backend's section, in the order of the benches."""
    return (_page_rows(backend, s) + _cold_rows(backend, s) + _staff_rows(backend, s)
            + _heavy_rows(backend, s) + _write_path_rows(backend, s))


def print_table(rows: list[tuple]) -> None:
    head = ("benchmark", "backend", "measured", "baseline", "ratio", "target", "met?")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join("{:<%d}" % w for w in widths)
    print("\n" + line.format(*head))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line.format(*r))


# --- machine -----------------------------------------------------------------------------------

def commit() -> str | None:
    """HEAD's commit, read from .git (no git process)."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        if (git / ref).exists():
            return (git / ref).read_text().strip()
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except OSError:
        pass
    return None


def machine() -> dict:
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), 0)
    return {"cores": os.cpu_count(), "ram_gb": round(mem / 1024 / 1024, 1),
            "platform": platform.platform(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "commit": commit()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    ap.add_argument("--factor", type=float, help="dataset scale; 1 = the province (default)")
    ap.add_argument("--quick", action="store_true",
                    help="factor 0.02, short load runs, posting at 10,000 vs 100,000")
    ap.add_argument("--only", default=",".join(BENCHES),
                    help="comma-separated subset of " + ",".join(BENCHES))
    ap.add_argument("--posting-rows", help="ledger sizes of the posting benchmark, e.g. "
                    "10000,1000000 (the default unless --quick)")
    ap.add_argument("--posting-order", default="interleaved",
                    choices=["interleaved", "sequential"],
                    help="sequential: all 10k postings, then all 1M ones (the old schedule)")
    ap.add_argument("--data", type=Path, help="keep and reuse the generated databases here")
    ap.add_argument("--seed", type=int, default=province.DEFAULT_SEED)
    ap.add_argument("--fast-pdfs", action="store_true",
                    help="placeholder PDFs in a newly generated dataset: for --only staff")
    args = ap.parse_args()
    only = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = set(only) - set(BENCHES)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if args.data:
        args.data = args.data.resolve()
    opts = settings(args)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    started = time.perf_counter()
    run = {"measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "commit": commit(), "factor": opts["factor"], "quick": args.quick, "only": only,
           "settings": opts}
    rows = []
    for name in backends:
        log(f"=== {name} ===")
        section = run_backend(name, only, opts, args)
        rows += table_rows(name, section)
        # Merged by section and backend: what this run did not measure keeps its last figures.
        province.merge_backend(name, section, run)
    province.merge_results({"machine": machine()})
    print_table(rows)
    print(f"\nfactor {opts['factor']}{' (quick)' if args.quick else ''}; "
          f"{round(time.perf_counter() - started)} s in all; merged into {province.RESULTS}")

if __name__ == "__main__":
    main()
