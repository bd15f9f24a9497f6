"""What a disclosure says: the data snapshot of a campaign, project or annual report.

Every figure is summed from the ledgers with aggregate queries (the snapshot of a campaign
with 10,000 donations costs a handful of queries), and kept as strings so the JSON snapshot
is exact (Decimal → "1234.50"). Beneficiaries appear only as counts; donors by name only
with their consent (Charity Law 2023 Art. 82).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

# (Under their old names too: other report modules import them from here.)
from charity.disclosure.amounts import ZERO, money, qty  # noqa: F401
from charity.disclosure.amounts import goods_rows as _goods
from charity.disclosure.amounts import in_range as _in
from charity.disclosure.amounts import sum_entries as _sum_entries
from charity.disclosure.content_project import NO_NARRATIVE, funding_campaigns, project_figures
from charity.disclosure.content_use import campaign_use
from charity.disclosure.models import Narrative
from charity.disclosure.queries import goods_received
from charity.funds.models import Campaign, EntryKind, FundEntry, Project
from charity.orgs.models import Organization
from charity.people.models import ANONYMOUS_NAME, Donor
from charity.reports.spreadsheets import csv_bytes

SCHEMA_VERSION = 1
CHANNEL_NAMES = {"cash": "现金", "bank_transfer": "银行转账", "wechat": "微信支付", "alipay": "支付宝",
                 "other": "其他", None: "未注明"}
ACTIVITY_NAMES = {"charity_sale": "义卖", "auction": "义拍", "performance": "义演",
                  "exhibition": "义展", "clinic": "义诊", "match": "义赛"}
KIND_TITLES = {"periodic": "定期公开", "final": "全面公开", "annual": "年度报告", "correction": "更正说明"}


def _org(org: Organization) -> dict:
    return {"id": org.id, "name": org.name, "uscc": org.uscc,
            "registering_authority": org.registering_authority,
            "fundraising_cert_no": org.fundraising_cert_no, "contact_person": org.contact_person,
            "phone": org.phone, "address": org.address}


def _narrative(session, subject_type, subject_id, kind, seq) -> str:
    return session.scalar(sa.select(Narrative.text).where(
        Narrative.subject_type == subject_type, Narrative.subject_id == subject_id,
        Narrative.kind == kind, Narrative.seq == seq)) or ""


def _money_block(session, base_where, start, end) -> dict:
    where = [*base_where, *_in(start, end)]
    by_channel = _sum_entries(session, [*where, FundEntry.kind == EntryKind.DONATION],
                              [FundEntry.channel])
    by_activity = _sum_entries(session, [*where, FundEntry.kind == EntryKind.ACTIVITY_INCOME],
                               [FundEntry.activity])
    totals = dict(_sum_entries(session, where, [FundEntry.kind]))
    get = lambda k: Decimal(totals.get(k, 0) or 0)  # noqa: E731
    donations = get(EntryKind.DONATION) + get(EntryKind.ACTIVITY_INCOME)
    return {
        "donations_by_channel": [{"channel": CHANNEL_NAMES.get(getattr(c, "value", c), "其他"),
                                  "amount": money(a)} for c, a in by_channel if a],
        "activity_income": [{"activity": ACTIVITY_NAMES.get(getattr(a, "value", a), "其他"),
                             "amount": money(v)} for a, v in by_activity if v],
        "donation_income": money(donations),
        "commercial_income": money(get(EntryKind.SALE_INCOME)),
        "fundraising_costs": money(get(EntryKind.FUNDRAISING_COST)),
        "management_costs": money(get(EntryKind.MANAGEMENT_COST)),
        "spent_projects": money(get(EntryKind.PROJECT_SPENDING)),
        "spent_other": money(get(EntryKind.OTHER_SPENDING)),
        "transfers_in": money(get(EntryKind.TRANSFER_IN)),
        "transfers_out": money(get(EntryKind.TRANSFER_OUT)),
        "remaining_change": money(donations + get(EntryKind.SALE_INCOME)
                                  + get(EntryKind.TRANSFER_IN) - get(EntryKind.TRANSFER_OUT)
                                  - get(EntryKind.FUNDRAISING_COST)
                                  - get(EntryKind.MANAGEMENT_COST)
                                  - get(EntryKind.PROJECT_SPENDING)
                                  - get(EntryKind.OTHER_SPENDING)),
    }


def _use_by_project(session, campaign_id, start, end) -> list[dict]:
    rows = session.execute(
        sa.select(Project.name, sa.func.sum(FundEntry.amount))
        .join(Project, Project.id == FundEntry.project_id)
        .where(FundEntry.campaign_id == campaign_id,
               FundEntry.kind == EntryKind.PROJECT_SPENDING, *_in(start, end))
        .group_by(Project.name).order_by(Project.name))
    return [{"project": n, "amount": money(a)} for n, a in rows]


def _donors(session, campaign_id, start, end) -> tuple[list[dict], dict]:
    """Donors of the campaign: named only with consent, the rest summed as 爱心人士."""
    rows = session.execute(
        sa.select(Donor.name, Donor.publish_name, sa.func.sum(FundEntry.amount),
                  sa.func.count(FundEntry.id))
        .join(Donor, Donor.id == FundEntry.donor_id, isouter=True)
        .where(FundEntry.campaign_id == campaign_id, *_in(start, end),
               FundEntry.kind.in_((EntryKind.DONATION, EntryKind.ACTIVITY_INCOME)))
        .group_by(Donor.id, Donor.name, Donor.publish_name).order_by(sa.func.sum(
            FundEntry.amount).desc()))
    named, anonymous, anonymous_count = [], ZERO, 0
    for name, consent, amount, count in rows:
        if name and consent:
            named.append({"name": name, "amount": money(amount), "gifts": int(count)})
        else:
            anonymous += Decimal(amount or 0)
            anonymous_count += int(count)
    return named, {"name": ANONYMOUS_NAME, "amount": money(anonymous), "gifts": anonymous_count}


def campaign_snapshot(session: Session, campaign: Campaign, kind: str, seq: int,
                      period_start: dt.date, period_end: dt.date,
                      as_of: dt.date | None = None) -> dict:
    org = session.get(Organization, campaign.organization_id)
    base = [FundEntry.campaign_id == campaign.id]
    start = campaign.planned_start
    named, anonymous = _donors(session, campaign.id, start, period_end)
    cumulative = _money_block(session, base, start, period_end)
    snap = {
        "schema": SCHEMA_VERSION, "kind": kind, "seq": seq,
        "title": f"{campaign.name} · {KIND_TITLES.get(kind, kind)}"
                 + (f"（第 {seq} 期）" if kind == "periodic" else ""),
        "organization": _org(org),
        "subject": {
            "type": "campaign", "id": campaign.id, "name": campaign.name,
            "filing_no": campaign.filing_no,
            "filing_date": campaign.filing_date.isoformat() if campaign.filing_date else None,
            "purpose": campaign.purpose, "region": campaign.region,
            "donation_methods": campaign.donation_methods,
            "beneficiaries": campaign.beneficiaries, "intended_use": campaign.intended_use,
            "bank_account": campaign.bank_account, "goods_wanted": campaign.goods_wanted,
            "responsible_person": campaign.responsible_person, "contact": campaign.contact,
            "planned_start": campaign.planned_start.isoformat(),
            "planned_end": campaign.planned_end.isoformat(),
            "actual_end": campaign.actual_end.isoformat() if campaign.actual_end else None,
            "target_amount": money(campaign.target_amount) if campaign.target_amount else None,
            "cost_budget": money(campaign.cost_budget) if campaign.cost_budget else None,
            "emergency": campaign.emergency, "leftover_plan": campaign.leftover_plan},
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "cumulative_period": {"start": start.isoformat(), "end": period_end.isoformat()},
        "money": {"period": _money_block(session, base, period_start, period_end),
                  "cumulative": cumulative},
        "use_by_project": {"period": _use_by_project(session, campaign.id, period_start,
                                                     period_end),
                           "cumulative": _use_by_project(session, campaign.id, start,
                                                         period_end)},
        "goods_received": {"period": _goods(goods_received(session, campaign.id, period_start,
                                                           period_end)),
                           "cumulative": _goods(goods_received(session, campaign.id, start,
                                                               period_end))},
        "unused": {"amount": cumulative["remaining_change"], "plan": campaign.leftover_plan},
        "donors": {"named": named, "anonymous": anonymous},
        "narrative": _narrative(session, "campaign", campaign.id, kind, seq),
        **campaign_use(session, campaign, kind, start, period_end, as_of),
    }
    if kind == "final":
        snap["final"] = {
            "partner_evaluation": _narrative(session, "campaign", campaign.id, "final", -1),
            "leftover_handling": campaign.leftover_plan}
    return snap


def project_snapshot(session: Session, project: Project, kind: str, seq: int,
                     period_start: dt.date, period_end: dt.date) -> dict:
    org = session.get(Organization, project.organization_id)
    start = project.planned_start
    snap = {
        "schema": SCHEMA_VERSION, "kind": kind, "seq": seq,
        "title": f"{project.name} · {KIND_TITLES.get(kind, kind)}"
                 + (f"（第 {seq} 期）" if kind == "periodic" else ""),
        "organization": _org(org),
        "subject": {"type": "project", "id": project.id, "name": project.name,
                    "content": project.content, "area": project.area,
                    "beneficiary_groups": project.beneficiary_groups,
                    "planned_start": project.planned_start.isoformat(),
                    "planned_end": project.planned_end.isoformat() if project.planned_end
                    else None,
                    "actual_end": project.actual_end.isoformat() if project.actual_end else None,
                    "budget": money(project.budget) if project.budget else None,
                    "campaigns": funding_campaigns(project, period_start, period_end)},
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "cumulative_period": {"start": start.isoformat(), "end": period_end.isoformat()},
        "figures": {"period": project_figures(session, project, period_start, period_end),
                    "cumulative": project_figures(session, project, start, period_end)},
        # An empty narrative is a gap the report states (and the score counts).
        "narrative": _narrative(session, "project", project.id, kind, seq) or NO_NARRATIVE,
    }
    if kind == "final":
        snap["final"] = {"leftover_property": project.leftover_property,
                         "leftover_handling": project.leftover_handling}
    return snap


def donors_csv(snapshot: dict) -> bytes | None:
    """The long list (named donors) as CSV, attached to the PDF instead of printed in it.
    Written by the one spreadsheet writer: amounts are numbers, a donor's name that a
    spreadsheet would run as a formula is neutralised."""
    donors = snapshot.get("donors")
    if not donors:
        return None
    rows = [(d["name"], Decimal(d["amount"]), d["gifts"])
            for d in [*donors["named"], donors["anonymous"]]]
    return csv_bytes(["捐赠人", "捐赠金额（元）", "笔数"], rows)


# --- corrections: each figure before → after -------------------------------------------------

# Parts of a snapshot that are not figures (names, plan text, dates, the narrative).
_NOT_FIGURES = {"schema", "kind", "seq", "title", "organization", "subject", "period",
                "cumulative_period", "narrative", "published_on", "correction"}
# How a figure is named in the correction note (the report is a Chinese document).
FIGURE_LABELS = {
    "money": "款物收支", "figures": "项目收支", "period": "本期", "cumulative": "累计",
    "donation_income": "捐赠收入合计", "commercial_income": "商业（义卖经营）收入",
    "fundraising_costs": "募捐成本", "management_costs": "管理费用", "spent_projects": "用于慈善项目", "spent_other": "其他用途",
    "transfers_in": "资金调入", "transfers_out": "资金调出", "remaining_change": "结余变动",
    "donations_by_channel": "捐赠渠道", "activity_income": "慈善活动收入",
    "use_by_project": "用于项目", "goods_received": "接收物资", "goods_distributed": "发放物资",
    "unused": "尚未使用", "amount": "金额", "donors": "捐赠人", "anonymous": "爱心人士",
    "gifts": "笔数", "direct_donations": "直接捐赠收入", "spent_total": "支出合计",
    "spending_by_purpose": "支出用途", "funded_by": "资金来源", "households_served": "受助家庭户数",
    "households_by_category": "受助类别户数", "count": "户数", "quantity": "数量",
    "value": "价值", "campaigns": "募捐活动", "raised": "募得", "goods": "物资",
    "intakes": "接收批次",
    "goods_use": "物资使用", "items": "按物品", "received": "接收数量", "handed_out": "已发放",
    "sold": "义卖数量", "proceeds": "义卖所得", "transferred": "调拨在途", "written_off": "报废/损耗",
    "spending_items": "支出明细", "leftover": "剩余财产处理", "at_end": "活动结束时结余资金",
    "handled": "实际处理", "unhandled": "尚未处理资金", "goods_received_value": "物资捐赠（公允价值）",
    "sales_income": "慈善超市销售收入",
}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _row_key(row: dict) -> str:
    """What names a row of a figure list: its text fields (channel, project, category and
    unit…), e.g. "衣物（件）"."""
    texts = [str(v) for v in row.values() if isinstance(v, str) and not _NUMBER.fullmatch(v)]
    return texts[0] + (f"（{'、'.join(texts[1:])}）" if texts[1:] else "") if texts else "—"


def _figures(node, path: tuple[str, ...], out: dict) -> None:
    if isinstance(node, bool) or node is None:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if not path and key in _NOT_FIGURES:
                continue
            if path and path[-1] == "donors" and key == "named":
                continue  # names, not figures (their sums are in the totals)
            _figures(value, (*path, FIGURE_LABELS.get(key, key)), out)
    elif isinstance(node, list):
        seen: dict[str, int] = {}
        for row in node:
            if isinstance(row, dict):
                key = _row_key(row)
                seen[key] = seen.get(key, 0) + 1
                if seen[key] > 1:  # two rows alike (two entries of one day and purpose)
                    key = f"{key} #{seen[key]}"
                numbers = {k: v for k, v in row.items()
                           if isinstance(v, (int, float)) and not isinstance(v, bool)
                           or isinstance(v, str) and _NUMBER.fullmatch(v)}
                _figures(numbers, (*path, key), out)
    elif isinstance(node, (int, float)) or (isinstance(node, str) and _NUMBER.fullmatch(node)):
        out[" · ".join(path)] = str(node)


def figure_changes(before: dict, after: dict) -> list[dict]:
    """Every figure that differs between two snapshots of the same report, named as the
    report names it ("款物收支 · 本期 · 捐赠收入合计"), before → after ("—" where a row is
    new or gone), in the order the newer snapshot lists them."""
    old, new = {}, {}
    _figures(before, (), old)
    _figures(after, (), new)
    changes = []
    for item in [*new, *(k for k in old if k not in new)]:
        a, b = old.get(item), new.get(item)
        if a is not None and b is not None and Decimal(a) == Decimal(b):
            continue
        changes.append({"item": item, "before": a if a is not None else "—",
                        "after": b if b is not None else "—"})
    return changes
