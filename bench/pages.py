"""Benchmark: public pages under load, against a trivial route of the same app in the same run.

The demo installation (a year of money, goods, disclosures, complaints, wishes) is served by
gunicorn with 2 workers × 4 threads, as `./run` does, and each page is hit by `wrk` (or, where
wrk is missing, a Python load generator — less precise, it shares the CPU with the server).
Targets (issue 6): each page's throughput ≥ 50 % of `/healthz`, p99 ≤ 100 ms.

    .venv/bin/python bench/pages.py [--duration 5] [--rounds 3] [--connections 16]
                                    [--backend sqlite|postgresql]

Results are merged into bench/results.json under "pages_<backend>".
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
THROUGHPUT_TARGET = 0.5
P99_TARGET_MS = 100.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict) -> None:
    """Migrate and load the demo through the real CLI."""
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run([str(BIN / "charity"), *args], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def pick_paths(env: dict) -> dict[str, str]:
    """The pages to measure, with ids of real demo objects."""
    code = (
        "import json, sqlalchemy as sa\n"
        "from charity import create_app\n"
        "from charity.extensions import db\n"
        "from charity.funds.models import Campaign\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    c = db.session.scalars(sa.select(Campaign).where(Campaign.status == 'active')"
        ".order_by(Campaign.id)).first()\n"
        "    print(json.dumps({'campaign': c.id if c else None}))\n")
    out = subprocess.run([str(BIN / "python"), "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout
    ids = json.loads(out.strip().splitlines()[-1])
    paths = {"trivial /healthz": "/healthz", "home /": "/",
             "disclosure list": "/disclosures/", "compliance table": "/disclosures/compliance"}
    if ids["campaign"]:
        paths["campaign page"] = f"/campaigns/{ids['campaign']}"
    paths["points directory"] = "/points/"
    paths["API campaigns"] = "/api/v1/campaigns"
    return paths


def start_server(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "charity:create_app()"],
        env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3,
                        help="every page is measured this many times, each time right after "
                             "the trivial route; the median counts (shared machines are noisy)")
    parser.add_argument("--connections", type=int, default=16,
                        help="keep-alive connections; many, so both workers get a share")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="charity-bench-pages-"))
    env = {**os.environ, "CHARITY_INSTANCE_PATH": str(tmp / "instance"),
           "CHARITY_SECRET_KEY": "bench-pages"}
    cluster = None
    if args.backend == "postgresql":
        from tests import pg

        cluster = pg.PostgresCluster(pg.find_bindir())
        cluster.start()
        env["CHARITY_DATABASE_URL"] = cluster.create_database("bench_pages")
    else:
        env["CHARITY_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    use_wrk = shutil.which("wrk") is not None
    server = None
    try:
        t0 = time.perf_counter()
        prepare(env)
        print(f"demo loaded in {time.perf_counter() - t0:.1f} s ({args.backend}); "
              f"load generator: {'wrk' if use_wrk else 'Python threads (install wrk)'}")
        paths = pick_paths(env)
        port = free_port()
        server = start_server(env, port)

        def measure(path, seconds):
            if use_wrk:
                return run_wrk(f"http://127.0.0.1:{port}{path}", seconds, args.connections)
            return run_python("127.0.0.1", port, path, seconds, args.connections)

        for path in paths.values():
            measure(path, 2)  # warm up: fill each worker's caches, compile the templates
        # Each page is measured right after a run of the trivial route, and its ratio is taken
        # against that neighbour: the machine's speed drifts (shared CPUs), the pair does not.
        baseline_name = "trivial /healthz"
        rounds: dict[str, list[dict]] = {name: [] for name in paths}
        for _ in range(args.rounds):
            for name, path in paths.items():
                if name == baseline_name:
                    continue
                base = measure(paths[baseline_name], args.duration)
                rounds[baseline_name].append(base)
                run = measure(path, args.duration)
                run["ratio"] = run["rps"] / base["rps"]
                rounds[name].append(run)
        results = {}
        for name, runs in rounds.items():
            def median(key):
                values = sorted(r.get(key, 1.0) for r in runs)
                return values[len(values) // 2]
            results[name] = {"path": paths[name], "rps": median("rps"), "p50_ms": median("p50_ms"),
                             "p99_ms": median("p99_ms"), "ratio": round(median("ratio"), 3),
                             "rps_all_rounds": [round(r["rps"]) for r in runs],
                             "non_2xx": sum(r["non_2xx"] for r in runs)}
        print(f"\n{'page':20} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7}  ok?")
        for name, r in results.items():
            ok = (r["ratio"] >= THROUGHPUT_TARGET and r["p99_ms"] <= P99_TARGET_MS
                  and r["non_2xx"] == 0)
            r["meets_target"] = ok
            print(f"{name:20} {r['rps']:8.0f} {r['ratio']:6.2f} {r['p50_ms']:7.1f} "
                  f"{r['p99_ms']:7.1f}  {'yes' if ok else 'NO'}"
                  + (f"  ({r['non_2xx']} errors)" if r["non_2xx"] else ""))
        out = ROOT / "bench" / "results.json"
        data = json.loads(out.read_text()) if out.exists() else {}
        data[f"pages_{args.backend}"] = {
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "cpus": os.cpu_count(), "generator": "wrk" if use_wrk else "python",
            "duration_s": args.duration, "rounds": args.rounds,
            "connections": args.connections,
            "server": "gunicorn 2 workers x 4 threads", "results": results}
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
