"""Benchmark: `charity verify` over the whole dataset — wall time and peak memory.

Runs the real command as a child process; its peak RSS comes from wait4's rusage (this
child's alone). Target (issue 8): ≤ 60 s over the province dataset.

    .venv/bin/python bench/verify.py [--backend sqlite|postgresql] [--factor 0.02]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
TARGET_S = 60.0


def run(ds, log=print) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "charity"), "verify"], env=ds.env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = proc.stdout.read()
    proc.stdout.close()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = round(time.perf_counter() - t0, 2)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen.wait
    lines = output.strip().splitlines()
    clean = proc.returncode == 0
    log(f"    charity verify: {seconds} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB, "
        f"{'clean' if clean else 'PROBLEMS'}")
    return {"seconds": seconds, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "exit_code": proc.returncode, "clean": clean, "output_tail": lines[-8:],
            "target_s": TARGET_S, "meets_target": clean and seconds <= TARGET_S}


def main() -> None:
    from bench import province

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    ap.add_argument("--factor", type=float, default=0.02)
    args = ap.parse_args()
    with province.Backend(args.backend, None) as backend:
        ds = backend.dataset(args.factor, province.DEFAULT_SEED)
        result = run(ds)
    path = province.merge_backend(args.backend, {"verify": result},
                                  province.standalone_run(args.factor, "verify"))
    print(f"written {path}")


if __name__ == "__main__":
    main()
