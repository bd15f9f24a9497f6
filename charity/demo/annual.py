"""The demo's annual-report parts that the managers enter (issue 17 item 2): the main
organisation states staff pay, overseas cooperation, asset changes and related parties for
2024 and 2025; for 2025 it also uploads its audit report (a short PDF made here with
WeasyPrint, ~0.5 s), for 2024 it has none, so that published report says 未提供审计报告.
Loaded before the scheduler replay, which publishes both reports. The weak organisation of
the transparency demo (no public-fundraising qualification, so no audit report is required)
has entered its 2025 parts without one; its 2025 report is overdue."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.config import instance_path
from charity.disclosure.annual.models import AnnualStatement
from charity.funds.uploads import FileStore, upload_dir
from charity.orgs.models import Organization

PARTS = {
    2024: {"staff_pay": "专职工作人员 3 人，全年工资福利（含社会保险）合计 162,000.00 元；负责人未在本会领取薪酬。",
           "overseas_cooperation": "无。", "asset_changes": "无重大资产变动。",
           "related_parties": "无关联交易。"},
    2025: {"staff_pay": "专职工作人员 4 人，全年工资福利（含社会保险）合计 218,400.00 元；负责人未在本会领取薪酬。",
           "overseas_cooperation": "无。",
           "asset_changes": "为东岗慈善超市购置冷藏展示柜 2 台（原值 12,800.00 元）。",
           "related_parties": "无关联交易。"},
}
AUDITED_YEAR = 2025
AUDIT_HTML = """<html lang="zh-CN"><body><h1>审计报告</h1>
<p>{org}全体理事：</p>
<p>我们审计了{org} {year} 年 12 月 31 日的资产负债表、{year} 年度的业务活动表和现金流量表以及财务报表附注。</p>
<p>我们认为，后附的财务报表在所有重大方面按照《民间非营利组织会计制度》的规定编制，公允反映了{org} {year} 年 12 月 31 日的财务状况以及 {year} 年度的业务活动和现金流量。</p>
<p>（演示数据：非真实审计报告）</p></body></html>"""


def _audit_pdf(org, year: int) -> bytes:
    from charity.reports.pdf import render_pdf  # WeasyPrint: loaded when used

    return render_pdf(AUDIT_HTML.format(org=org.name, year=year), title=f"{year} 年度审计报告",
                      lang="zh-CN")


def load_annual_demo(session: Session, org) -> None:
    if session.scalar(sa.select(AnnualStatement.id).where(
            AnnualStatement.organization_id == org.id).limit(1)) is not None:
        return
    store = FileStore(upload_dir(instance_path()) / "audit-reports")
    for year, parts in PARTS.items():
        row = AnnualStatement(organization_id=org.id, year=year, **parts)
        if year == AUDITED_YEAR:
            pdf = _audit_pdf(org, year)
            row.audit_stored_name = FileStore.new_name()
            store.stage(row.audit_stored_name, pdf)
            row.audit_name, row.audit_size = f"{year}年度审计报告.pdf", len(pdf)
            row.audit_sha256 = hashlib.sha256(pdf).hexdigest()
        session.add(row)
    session.commit()
    store.publish()


WEAK_PARTS = {"staff_pay": "兼职工作人员 1 人，全年劳务报酬 9,600.00 元。", "overseas_cooperation": "无。",
              "asset_changes": "无。", "related_parties": "无。"}


def load_weak_annual_demo(session: Session) -> None:
    from charity.demo.transparency import WEAK

    org = session.scalar(sa.select(Organization).where(Organization.uscc == WEAK["uscc"]))
    if org is None or session.scalar(sa.select(AnnualStatement.id).where(
            AnnualStatement.organization_id == org.id).limit(1)) is not None:
        return
    session.add(AnnualStatement(organization_id=org.id, year=2025, **WEAK_PARTS))
    session.commit()
