"""Benchmark: disclosure report generation and the scheduler tick.

1. The periodic report of a campaign with 10,000 donations (2,000 donors, half consenting to
   be named): snapshot + HTML + PDF/A-3u with the donor CSV attached — wall time and peak RSS
   of a child process (targets ≤ 5 s, ≤ 300 MB), against a bare one-page PDF render in the
   same run.
2. A scheduler tick over N subjects with nothing due (target ≤ 2 s at 10,000), after a first
   tick has created their obligations.

    .venv/bin/python bench/disclosure.py [--donations 10000] [--subjects 10000]

SQLite only here (the province-scale bench compares backends). Results are merged into
bench/results.json under "disclosure".
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def make_app(url, instance):
    from flask_migrate import upgrade

    from charity import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(instance)})
    with app.app_context():
        upgrade()
    return app


def setup_campaign(app, donations: int) -> int:
    from charity.extensions import db
    from charity.funds.campaigns import activate_campaign, create_campaign
    from charity.funds.models import FundEntry
    from charity.orgs import uscc
    from charity.orgs.services import create_organization
    from charity.people.models import Donor
    from charity.system import system_actor

    actor = system_actor()
    rng = random.Random(1)
    with app.app_context():
        s = db.session
        org = create_organization(actor, s, {"name": "报告基准慈善会", "uscc": uscc.make("51620102MJ0000555"),
                                             "can_fundraise_publicly": True,
                                             "fundraising_cert_no": "X"})
        c = create_campaign(actor, s, org, {
            "name": "万笔捐赠募捐", "purpose": "p", "region": "r", "donation_methods": "m",
            "beneficiaries": "b", "intended_use": "u", "leftover_plan": "l", "filing_no": "F",
            "planned_start": START, "planned_end": END}, today=START)
        activate_campaign(actor, s, c, today=START)
        s.execute(sa.insert(Donor), [{"organization_id": org.id, "kind": "person",
                                      "name": f"捐赠人{i:05d}", "publish_name": i % 2 == 0,
                                      "created_at": dt.datetime.now(dt.timezone.utc)}
                                     for i in range(2000)])
        donor_ids = list(s.scalars(sa.select(Donor.id)))
        s.execute(sa.insert(FundEntry), [{
            "organization_id": org.id, "kind": "donation",
            "entry_date": START + dt.timedelta(days=rng.randint(0, 88)),
            "amount": Decimal(rng.randint(100, 100000)) / 100, "campaign_id": c.id,
            "donor_id": rng.choice(donor_ids), "channel": rng.choice(["cash", "wechat", "alipay"]),
            "posted_at": dt.datetime.now(dt.timezone.utc)} for _ in range(donations)])
        s.commit()
        return c.id


def child_report(url: str, instance: str, campaign_id: int) -> None:
    """Runs in a child process so its peak RSS is the report's alone."""
    from charity import create_app
    from charity.disclosure.publishing import build_snapshot, canonical, render, sha256
    from charity.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": instance})
    with app.app_context(), app.test_request_context():
        import charity.reports.pdf  # noqa: F401  (import cost is not the report's)

        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        snap = build_snapshot(db.session, "campaign", campaign_id, "periodic", 1, START,
                              dt.date(2026, 3, 31))
        meta = {"report_no": "GK-BENCH", "generated_at": dt.datetime.now(dt.timezone.utc),
                "snapshot_sha256": sha256(canonical(snap)), "due": dt.date(2026, 4, 1),
                "published_on": dt.date(2026, 4, 1), "late": False}
        t1 = time.perf_counter()
        _html, pdf = render(snap, meta)
        t2 = time.perf_counter()
        from charity.reports.pdf import render_pdf

        t3 = time.perf_counter()
        render_pdf("<html lang='zh-CN'><body><h1>空白基准</h1></body></html>",
                   created=meta["generated_at"])
        t4 = time.perf_counter()
        print(json.dumps({"snapshot_s": round(t1 - t0, 3), "render_s": round(t2 - t1, 3),
                          "total_s": round(t2 - t0, 3), "bare_render_s": round(t4 - t3, 3),
                          "pdf_bytes": len(pdf), "named_donors": len(snap["donors"]["named"]),
                          "peak_rss_mb": round(
                              resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                          "rss_before_mb": round(rss0 / 1024, 1)}))


def bench_tick(app, subjects: int) -> dict:
    from charity.extensions import db
    from charity.funds.models import Campaign, CampaignChange
    from charity.jobs.scheduler import tick
    from charity.orgs.models import Organization

    with app.app_context():
        s = db.session
        org_id = s.scalar(sa.select(Organization.id))
        now = dt.datetime.now(dt.timezone.utc)
        s.execute(sa.insert(Campaign), [{
            "organization_id": org_id, "name": f"批量活动{i}", "planned_start": dt.date(2026, 10, 1),
            "planned_end": dt.date(2027, 9, 30), "status": "active", "version": 1,
            "created_at": now} for i in range(subjects)])
        s.commit()
        today = dt.date(2026, 11, 25)
        t0 = time.perf_counter()
        first = tick(s, today)
        t1 = time.perf_counter()
        second = tick(s, today)
        t2 = time.perf_counter()
        return {"subjects": second.subjects, "first_tick_s": round(t1 - t0, 2),
                "tick_nothing_due_s": round(t2 - t1, 2), "published": len(second.published),
                "first_published": len(first.published)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--donations", type=int, default=10000)
    ap.add_argument("--subjects", type=int, default=10000)
    ap.add_argument("--child", nargs=3, metavar=("URL", "INSTANCE", "CAMPAIGN"))
    args = ap.parse_args()
    if args.child:
        child_report(args.child[0], args.child[1], int(args.child[2]))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-disclosure-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    app = make_app(url, tmp / "instance")
    campaign_id = setup_campaign(app, args.donations)
    out = subprocess.run([sys.executable, __file__, "--child", url, str(tmp / "instance"),
                          str(campaign_id)], capture_output=True, text=True, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"report of a campaign with {args.donations:,} donations: {report['total_s']} s "
          f"(snapshot {report['snapshot_s']} s, render {report['render_s']} s; bare render "
          f"{report['bare_render_s']} s), peak RSS {report['peak_rss_mb']} MB, "
          f"PDF {report['pdf_bytes']:,} bytes, {report['named_donors']} named donors in the CSV")
    ticks = bench_tick(app, args.subjects)
    print(f"tick over {ticks['subjects']:,} subjects with nothing due: "
          f"{ticks['tick_nothing_due_s']} s (first tick creating obligations "
          f"{ticks['first_tick_s']} s)")
    path = ROOT / "bench" / "results.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data["disclosure"] = {"measured_at": dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds"), "report": {"donations": args.donations, **report}, "tick": ticks}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()
