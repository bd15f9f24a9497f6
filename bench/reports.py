"""Benchmark: disclosure report generation — time and peak memory.

A publish-style report (snapshot + HTML + PDF/A-3u with the donor CSV attached, as
charity/disclosure/publishing.py publishes it) of a subject, in a child process so that its
peak RSS is the report's alone, against a bare one-page PDF render in the same process.
Target (issue 8): no report holds more than 300 MB.

bench/run renders the province's campaign with the most fund entries and its project with the
most spending entries + distributions. Standalone, it renders a synthetic campaign with
10,000 donations from 2,000 donors (half consenting to be named):

    .venv/bin/python bench/reports.py [--donations 10000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEAK_MB_TARGET = 300.0
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def child(subject_type: str, subject_id: int) -> None:
    """Runs in a child process (app settings from the environment); prints one JSON line."""
    from charity import create_app
    from charity.core.extensions import db
    from charity.disclosure.publishing import build_snapshot, canonical, render, sha256
    from charity.funds.models import Campaign, Project

    app = create_app()
    with app.app_context(), app.test_request_context():
        from charity.reports.pdf import render_pdf

        def bare():
            render_pdf("<html lang='zh-CN'><body><h1>空白基准</h1></body></html>",
                       created=dt.datetime.now(dt.timezone.utc))

        bare()  # imports, fonts: a worker that publishes has paid for these already
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        subject = db.session.get(Campaign if subject_type == "campaign" else Project, subject_id)
        start = subject.planned_start
        end = subject.actual_end or subject.planned_end or dt.date.today()
        t0 = time.perf_counter()
        snap = build_snapshot(db.session, subject_type, subject_id, "final", 1, start, end)
        meta = {"report_no": "GK-BENCH", "generated_at": dt.datetime.now(dt.timezone.utc),
                "snapshot_sha256": sha256(canonical(snap)), "due": end, "published_on": end,
                "late": False}
        t1 = time.perf_counter()
        _html, pdf = render(snap, meta)
        t2 = time.perf_counter()
        bare()
        t3 = time.perf_counter()
        donors = snap.get("donors") or {}
        print(json.dumps({
            "subject": f"{subject_type} {subject_id}", "snapshot_s": round(t1 - t0, 3),
            "render_s": round(t2 - t1, 3), "total_s": round(t2 - t0, 3),
            "bare_render_s": round(t3 - t2, 3), "pdf_bytes": len(pdf),
            "named_donors": len(donors.get("named") or []),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_before_mb": round(rss0 / 1024, 1)}))


def measure(env: dict, subject_type: str, subject_id: int) -> dict:
    run = subprocess.run([sys.executable, __file__, "--child", subject_type, str(subject_id)],
                         env=env, cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"report of {subject_type} {subject_id} failed:\n{run.stderr[-3000:]}")
    out = json.loads(run.stdout.strip().splitlines()[-1])
    out["ratio"] = round(out["total_s"] / out["bare_render_s"], 1) if out["bare_render_s"] else None
    out["meets_target"] = out["peak_rss_mb"] <= PEAK_MB_TARGET
    return out


def run(ds, subjects: dict, log=print) -> dict:
    """The biggest campaign and project of a prepared dataset (ids from pages.pick_subjects)."""
    out = {}
    for kind in ("campaign", "project"):
        if subjects.get(kind):
            out[kind] = measure(ds.env, kind, subjects[kind])
            out[kind]["entries"] = subjects.get(f"{kind}_entries")
            r = out[kind]
            log(f"    report of {r['subject']}: {r['total_s']} s (bare {r['bare_render_s']} s), "
                f"peak RSS {r['peak_rss_mb']} MB, PDF {r['pdf_bytes']:,} bytes")
    return out


def setup_campaign(app, donations: int) -> int:
    """A synthetic campaign with `donations` donations (standalone use)."""
    import sqlalchemy as sa

    from charity.core.extensions import db
    from charity.core.system import system_actor
    from charity.funds.models import FundEntry
    from charity.funds.services.campaigns import activate_campaign, create_campaign
    from charity.orgs import uscc
    from charity.orgs.services import create_organization
    from charity.people.models import Donor

    actor = system_actor()
    rng = random.Random(1)
    with app.app_context():
        s = db.session
        org = create_organization(actor, s, {
            "name": "报告基准慈善会", "uscc": uscc.make("51620102MJ0000555"),
            "can_fundraise_publicly": True, "fundraising_cert_no": "X"})
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--donations", type=int, default=10000)
    ap.add_argument("--child", nargs=2, metavar=("TYPE", "ID"))
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    from bench import province
    from bench.tick import make_app

    with province.Backend("sqlite", None) as backend:
        url, instance = backend.fresh_database("reports")
        campaign_id = setup_campaign(make_app(url, instance), args.donations)
        r = measure(province.app_env(url, instance), "campaign", campaign_id)
    print(f"report of a campaign with {args.donations:,} donations: {r['total_s']} s "
          f"(snapshot {r['snapshot_s']} s, render {r['render_s']} s; bare render "
          f"{r['bare_render_s']} s), peak RSS {r['peak_rss_mb']} MB, "
          f"PDF {r['pdf_bytes']:,} bytes, {r['named_donors']} named donors in the CSV")
    print(f"written {province.merge_results({'report': {'donations': args.donations, **r}})}")


if __name__ == "__main__":
    main()
