"""Benchmark: the biggest exports through gunicorn — bytes, rows, seconds, worker memory.

Signs in as the administrator through the real login form (with its CSRF token), then
downloads the money ledger and the stock export (CSV and XLSX) and the public API's biggest
CSVs. For each: the serving worker's peak RSS (its VmHWM, reset before the download through
/proc/<pid>/clear_refs, and RSS sampled during it) and its growth over the idle worker.
Target (issue 8): no export holds more than 300 MB in a worker (streamed: memory stays flat).

    .venv/bin/python bench/export.py [--backend sqlite|postgresql] [--factor 0.02]
"""
from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import re
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEAK_MB_TARGET = 300.0
EXPORTS = {
    "ledger CSV": "/staff/funds/export.csv",
    "ledger XLSX": "/staff/funds/export.xlsx",
    "stock CSV": "/staff/stock/export.csv",
    "stock XLSX": "/staff/stock/export.xlsx",
    "API obligations CSV": "/api/v1/obligations.csv",
    "API publications CSV": "/api/v1/publications.csv",
}


def _status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def _reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # 5: reset the peak RSS (VmHWM)
        return True
    except OSError:
        return False


def login(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/login", timeout=60).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "username": username,
                                   "password": password, "next": ""}).encode()
    landed = opener.open(f"{base}/login", data=body, timeout=60)
    if "/login" in landed.url:
        raise RuntimeError(f"could not sign in as {username!r}")
    return opener


def download(opener, url: str, workers: list[int]) -> dict:
    idle = {pid: _status(pid)["VmRSS"] for pid in workers}
    reset = all(_reset_peak(pid) for pid in workers)
    sampled = dict(idle)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in workers:
                sampled[pid] = max(sampled[pid], _status(pid)["VmRSS"])
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    size = lines = 0
    t0 = time.perf_counter()
    try:
        with opener.open(url, timeout=1800) as response:
            status = response.status
            while chunk := response.read(1 << 16):
                size += len(chunk)
                lines += chunk.count(b"\n")
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - t0
    peaks = {pid: max(sampled[pid], _status(pid)["VmHWM"] if reset else 0) for pid in workers}
    worker = max(workers, key=lambda pid: peaks[pid] - idle[pid])  # the one that served it
    return {"status": status, "bytes": size, "lines": lines, "seconds": round(seconds, 2),
            "worker_idle_mb": round(idle[worker], 1), "worker_peak_mb": round(peaks[worker], 1),
            "growth_mb": round(peaks[worker] - idle[worker], 1), "hwm_reset": reset,
            "meets_target": status == 200 and peaks[worker] <= PEAK_MB_TARGET}


def run(ds, log=print) -> dict:
    from bench.pages import free_port, start_server, stop_server, worker_pids

    port = free_port()
    errors = tempfile.TemporaryFile()  # the server's own log: its errors go into the results
    server = start_server(ds.env, port, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    try:
        opener = login(base, *ds.admin)
        workers = worker_pids(server)
        out = {}
        for name, path in EXPORTS.items():
            try:
                r = out[name] = {"path": path, **download(opener, base + path, workers)}
            except (OSError, http.client.HTTPException) as exc:  # a broken-off body
                out[name] = {"path": path, "error": f"{type(exc).__name__}: {exc}"}
                log(f"    {name:22} FAILED: {out[name]['error']}")
                continue
            if path.endswith(".csv"):
                r["rows"] = max(0, r["lines"] - 1)  # less the header
            log(f"    {name:22} {r['bytes'] / 1e6:8.1f} MB {r['seconds']:7.1f} s  worker peak "
                f"{r['worker_peak_mb']:.0f} MB (+{r['growth_mb']:.0f} MB over idle)")
    finally:
        stop_server(server)
        errors.seek(0)
        log_lines = errors.read().decode(errors="replace").splitlines()
        errors.close()
    # The last line of each server traceback (the exception) tells why a download broke off.
    out["server_errors"] = [line for line in log_lines
                            if re.match(r"^[\w.]+(Error|Exception)\b", line)][:20]
    for line in out["server_errors"][:5]:
        log(f"    server: {line[:160]}")
    return out


def main() -> None:
    from bench import province

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    ap.add_argument("--factor", type=float, default=0.02)
    args = ap.parse_args()
    with province.Backend(args.backend, None) as backend:
        result = run(backend.dataset(args.factor, province.DEFAULT_SEED))
    path = province.merge_backend(args.backend, {"export": result},
                                  province.standalone_run(args.factor, "export"))
    print(f"written {path}")


if __name__ == "__main__":
    main()
