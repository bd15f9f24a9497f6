"""Benchmark: disclosure report generation and the scheduler tick (kept for the README's
command; the code lives in bench/reports.py and bench/tick.py, which bench/run also runs).

    .venv/bin/python bench/disclosure.py [--donations 10000] [--subjects 10000]

SQLite. Results are merged into bench/results.json under "disclosure".
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from bench import province, reports, tick

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--donations", type=int, default=10000)
    ap.add_argument("--subjects", type=int, default=10000)
    args = ap.parse_args()
    with province.Backend("sqlite", None) as backend:
        url, instance = backend.fresh_database("reports")
        campaign_id = reports.setup_campaign(tick.make_app(url, instance), args.donations)
        report = reports.measure(province.app_env(url, instance), "campaign", campaign_id)
        print(f"report of a campaign with {args.donations:,} donations: {report['total_s']} s "
              f"(bare render {report['bare_render_s']} s), peak RSS {report['peak_rss_mb']} MB")
        ticks = tick.run(backend, [args.subjects])[str(args.subjects)]
    path = province.merge_results({"disclosure": {
        "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "report": {"donations": args.donations, **report}, "tick": ticks}})
    print(f"written {path}")


if __name__ == "__main__":
    main()
