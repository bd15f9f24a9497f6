"""Benchmark: importing 10,000 donor rows from an XLSX (issue 20 §1: under 30 s).

A fresh database gets one organisation; a generated 10,000-row donor sheet is imported
(read, every cell checked, natural keys matched, inserted, committed) and then imported
again (nothing to add: every row matched). Both are timed, and the dry run alone.

    .venv/bin/python bench/imports.py [--rows 10000] [--backend sqlite|postgresql|both]
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 30.0


def donor_sheet(rows: int) -> bytes:
    from openpyxl import Workbook

    from charity.imports.kinds import kind_of
    from charity.imports.spelling import chinese

    book = Workbook(write_only=True)
    sheet = book.create_sheet("捐赠人")
    sheet.append([chinese(c.header) for c in kind_of("donors").columns])
    for n in range(rows):
        sheet.append(["个人", f"捐赠人{n}", f"139{n:08d}", f"兰州市城关区{n}号", "",
                      "是" if n % 2 else "否", "否", "否", "否", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bench_import(app, rows: int) -> dict:
    from charity.core.extensions import db
    from charity.core.system import system_actor
    from charity.imports.services import import_sheet
    from charity.orgs import uscc
    from charity.orgs.services import create_organization

    content = donor_sheet(rows)
    with app.app_context():
        s = db.session
        org = create_organization(system_actor(), s, {
            "name": "导入基准慈善会", "uscc": uscc.make("51620102MJ0000888")})
        s.commit()
        timings = {}
        for label, dry in (("dry_run_s", True), ("import_s", False), ("again_s", False)):
            t0 = time.perf_counter()
            report = import_sheet(system_actor(), s, "donors", content, org, dry_run=dry)
            s.commit()
            timings[label] = round(time.perf_counter() - t0, 2)
            assert report.ok, report.problems[:3]
    return {"rows": rows, "bytes": len(content), **timings, "target_s": TARGET_S,
            "meets_target": timings["import_s"] <= TARGET_S}


def run(backend, rows: int = 10_000, log=print) -> dict:
    from bench.tick import make_app

    url, instance = backend.fresh_database("imports")
    r = bench_import(make_app(url, instance), rows)
    log(f"    import {r['rows']:,} donors: {r['import_s']} s (dry run {r['dry_run_s']} s, "
        f"again {r['again_s']} s; target {TARGET_S} s)")
    return r


def main() -> None:
    from bench import province

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql", "both"])
    args = ap.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = {}
    for name in backends:
        print(f"spreadsheet import on {name} …", flush=True)
        with province.Backend(name, None) as backend:
            results[name] = run(backend, args.rows)
    print(f"written {province.merge_results({'import': results})}")


if __name__ == "__main__":
    main()
