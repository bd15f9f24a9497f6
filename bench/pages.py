"""Benchmark: public pages under load, against a trivial route of the same app in the same run.

The province dataset (bench/province.py) is served by gunicorn with 2 workers × 4 threads, as
`./run` does, and each page (home, the biggest campaign and project, disclosure list,
compliance table, API list) is hit by `wrk` (or, where wrk is missing, a Python load
generator — less precise, it shares the CPU with the server).
Targets (issues 6, 8): each page's throughput ≥ 50 % of `/healthz`, p99 ≤ 100 ms.

    .venv/bin/python bench/pages.py [--duration 5] [--rounds 3] [--connections 16]
                                    [--backend sqlite|postgresql] [--factor 0.02]
                                    [--data DIR --reuse --fast-pdfs]   (a kept dataset)

bench/run runs it with the others; standalone, results are merged into bench/results.json
under "pages_<backend>".
"""
from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
THROUGHPUT_TARGET = 0.5
BASELINE = "trivial /healthz"
P99_TARGET_MS = 100.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PICK_CODE = """
import json, sqlalchemy as sa
from charity import create_app
from charity.core.extensions import db
from charity.funds.models import Campaign, EntryKind, FundEntry, Project
from charity.goods.models import Distribution
app = create_app()
with app.app_context():
    s = db.session
    campaign = s.execute(sa.select(FundEntry.campaign_id, sa.func.count())
                         .where(FundEntry.campaign_id.is_not(None))
                         .group_by(FundEntry.campaign_id)
                         .order_by(sa.func.count().desc()).limit(1)).first()
    spending = dict(s.execute(sa.select(FundEntry.project_id, sa.func.count())
                              .where(FundEntry.project_id.is_not(None),
                                     FundEntry.kind == EntryKind.PROJECT_SPENDING)
                              .group_by(FundEntry.project_id)).all())
    handed = dict(s.execute(sa.select(Distribution.project_id, sa.func.count())
                            .where(Distribution.project_id.is_not(None))
                            .group_by(Distribution.project_id)).all())
    sizes = {p: spending.get(p, 0) + handed.get(p, 0) for p in {*spending, *handed}}
    project = max(sizes, key=sizes.get) if sizes else s.scalar(sa.select(Project.id).limit(1))
    if campaign is None:
        campaign = (s.scalar(sa.select(Campaign.id).limit(1)), 0)
    print(json.dumps({"campaign": campaign[0], "campaign_entries": campaign[1],
                      "project": project, "project_entries": sizes.get(project, 0)}))
"""


def pick_subjects(env: dict) -> dict:
    """The biggest campaign (fund entries) and project (spending entries + distributions)."""
    from bench.province import app_python

    return app_python(env, PICK_CODE)


def pick_paths(subjects: dict) -> dict[str, str]:
    """The pages to measure; the first is the trivial baseline."""
    paths = {BASELINE: "/healthz", "home /": "/"}
    if subjects.get("campaign"):
        paths["campaign page"] = f"/campaigns/{subjects['campaign']}"
    if subjects.get("project"):
        paths["project page"] = f"/projects/{subjects['project']}"
    paths.update({"disclosure list": "/disclosures/", "compliance table": "/disclosures/compliance",
                  "API campaigns": "/api/v1/campaigns"})
    return paths


COLD_CODE = """
import json, statistics, sys, time
from charity import create_app
paths = json.loads(sys.argv[1])
app = create_app({"CHARITY_PORTAL_CACHE_SECONDS": 0})  # every request computes its page
client = app.test_client()
out = {}
for name, path in paths.items():
    client.get(path)  # warm the connection and the templates
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
    out[name] = round(statistics.median(times), 1)
print(json.dumps(out))
"""


def cold_times(env: dict, paths: dict[str, str]) -> dict[str, float]:
    """Each page computed without the page cache (median of 3, in one process, no load):
    what a request pays right after a posting invalidated the cache."""
    run = subprocess.run([str(BIN / "python"), "-c", COLD_CODE, json.dumps(paths)], env=env,
                         cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def start_server(env: dict, port: int, workers: int = 2, stderr=None) -> subprocess.Popen:
    """gunicorn as `./run` starts it (2 workers × 4 threads), once /healthz answers."""
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", "4", "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "600",
         "charity.wsgi:app"], env=env, cwd=ROOT, stderr=stderr)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and len(worker_pids(proc)) == workers:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def worker_pids(server: subprocess.Popen) -> list[int]:
    path = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run_wrk(url: str, duration: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-H", "Accept-Language: zh-CN", url],
                         capture_output=True, text=True, check=True).stdout

    def ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50_ms": ms(50), "p99_ms": ms(99),
            "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(0) if errors else ""}


def run_python(host: str, port: int, path: str, duration: int, connections: int) -> dict:
    """A keep-alive load generator in threads: a fallback when wrk is not installed."""
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine, errors = [], 0
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Accept-Language": "zh-CN"})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t0)
            errors += response.status >= 400
        with lock:
            latencies.extend(mine)
            bad[0] += errors

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000

    return {"rps": len(latencies) / duration, "p50_ms": pct(50), "p99_ms": pct(99),
            "non_2xx": bad[0], "socket_errors": ""}


def measure_pages(port: int, paths: dict[str, str], duration: int, rounds: int,
                  connections: int, use_wrk: bool, log=print) -> dict:
    """Every page measured `rounds` times, each right after the trivial route; medians."""
    def measure(path, seconds):
        if use_wrk:
            return run_wrk(f"http://127.0.0.1:{port}{path}", seconds, connections)
        return run_python("127.0.0.1", port, path, seconds, connections)

    for path in paths.values():
        measure(path, 2)  # warm up: fill each worker's caches, compile the templates
    # Each page's ratio is taken against its neighbouring run of the trivial route: the
    # machine's speed drifts (shared CPUs), the pair does not.
    runs: dict[str, list[dict]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, path in paths.items():
            if name == BASELINE:
                continue
            base = measure(paths[BASELINE], duration)
            runs[BASELINE].append(base)
            run = measure(path, duration)
            run["ratio"] = run["rps"] / base["rps"]
            run["baseline_rps"] = base["rps"]
            runs[name].append(run)
            log(f"    {name:18} {run['rps']:8.0f} req/s (baseline {base['rps']:.0f}) "
                f"p99 {run['p99_ms']:.1f} ms")
    results = {}
    for name, rs in runs.items():
        def median(key):
            values = sorted(r.get(key, 1.0) for r in rs)
            return values[len(values) // 2]
        r = {"path": paths[name], "rps": round(median("rps"), 1),
             "p50_ms": round(median("p50_ms"), 2), "p99_ms": round(median("p99_ms"), 2),
             "ratio": round(median("ratio"), 3),
             "baseline_rps": round(median("baseline_rps"), 1),
             "rps_all_rounds": [round(x["rps"]) for x in rs],
             "non_2xx": sum(x["non_2xx"] for x in rs)}
        r["meets_target"] = (r["ratio"] >= THROUGHPUT_TARGET and r["p99_ms"] <= P99_TARGET_MS
                             and r["non_2xx"] == 0)
        results[name] = r
    return results


def run(ds, duration: int = 5, rounds: int = 3, connections: int = 16, log=print,
        subjects: dict | None = None) -> dict:
    """The pages benchmark on a prepared dataset (bench/province.py)."""
    use_wrk = shutil.which("wrk") is not None
    subjects = subjects or pick_subjects(ds.env)
    paths = pick_paths(subjects)
    port = free_port()
    server = start_server(ds.env, port)
    try:
        results = measure_pages(port, paths, duration, rounds, connections, use_wrk, log)
    finally:
        stop_server(server)
    cold = cold_times(ds.env, paths)
    log("  uncached: " + ", ".join(f"{k} {v:.0f} ms" for k, v in cold.items()))
    return {"generator": "wrk" if use_wrk else "python", "duration_s": duration,
            "rounds": rounds, "connections": connections, "subjects": subjects,
            "server": "gunicorn 2 workers x 4 threads", "results": results,
            "uncached_ms": cold}


def main() -> None:
    from bench import province

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3,
                        help="every page is measured this many times, each time right after "
                             "the trivial route; the median counts (shared machines are noisy)")
    parser.add_argument("--connections", type=int, default=16,
                        help="keep-alive connections; many, so both workers get a share")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--factor", type=float, default=0.02,
                        help="province dataset scale (the plain demo until that generator exists)")
    parser.add_argument("--data", type=Path, help="where datasets are kept (bench/staff.py's)")
    parser.add_argument("--fast-pdfs", action="store_true",
                        help="a dataset with placeholder PDFs will do (no page lays one out)")
    parser.add_argument("--reuse", action="store_true",
                        help="serve the kept dataset even if an older generator made it")
    args = parser.parse_args()
    with province.Backend(args.backend, args.data) as backend:
        ds = backend.dataset(args.factor, province.DEFAULT_SEED, fast_pdfs=args.fast_pdfs,
                             reuse=args.reuse)
        result = run(ds, args.duration, args.rounds, args.connections)
    print(f"\n{'page':20} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7}  ok?")
    for name, r in result["results"].items():
        print(f"{name:20} {r['rps']:8.0f} {r['ratio']:6.2f} {r['p50_ms']:7.1f} "
              f"{r['p99_ms']:7.1f}  {'yes' if r['meets_target'] else 'NO'}"
              + (f"  ({r['non_2xx']} errors)" if r["non_2xx"] else ""))
    province.merge_backend(args.backend, {"pages": result},
                           {**province.standalone_run(ds.factor, "pages"), "dataset": ds.kind})


if __name__ == "__main__":
    main()
