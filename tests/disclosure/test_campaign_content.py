"""Campaign reports (issue 17 items 3 and 4): every Art. 24 plan item, the use of goods by
item, and finals that itemise spending and state the leftover facts. Every figure the test
expects is summed here from the ledger rows (documents and fund entries), not read from
the report code."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.system import system_actor
from charity.disclosure.models import Obligation
from charity.disclosure.publishing import publish_obligation
from charity.funds.models import INFLOWS, FundEntry
from charity.funds.services.ledger import post_entry, post_transfer, reverse_entry
from charity.goods.models import (DistributionLine, IntakeLine, SaleLine, StockBalance,
                                  TransferLine, WriteOff)
from charity.goods.services.distributions import post_distribution
from charity.goods.services.intake import post_intake
from charity.goods.services.sales import post_sale
from charity.goods.services.transfers import send_transfer
from charity.goods.services.write_offs import post_write_off
from charity.ops.scheduler import tick
from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_text

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
D = Decimal
TODAY = dt.date(2026, 11, 25)
A = system_actor


def squashed(pdf: bytes) -> str:
    """The PDF's text without spaces, line breaks or thousands separators: a table row
    reads as its cells one after the other."""
    return "".join("".join(pdf_text(pdf)).split()).replace(",", "")


def _spend(db, org, campaign, day, kind, amount, purpose, project=None):
    return post_entry(A(), db, org, {
        "kind": kind, "amount": D(amount), "entry_date": day, "campaign_id": campaign.id,
        "project_id": project.id if project else None, "purpose": purpose,
        "counterparty": "供应商", "voucher_no": f"V-{day:%m%d}"}, today=TODAY)


@pytest.fixture
def ended(db, fundraising_org, make_campaign, make_project, make_point, make_item,
          make_household):
    """A campaign of 2026-01-01..03-31 with money and goods used every way."""
    org = fundraising_org
    c = make_campaign(name="冬衣募捐", planned_start=dt.date(2026, 1, 1),
                      planned_end=dt.date(2026, 3, 31), responsible_person="李明",
                      contact="0931-8888888", cost_budget=D("500"),
                      bank_account="中国银行兰州分行 6216 0000 1111",
                      intended_use="为困难家庭购买冬衣棉被", leftover_plan="结余转入春季助学募捐")
    project = make_project(name="冬衣发放", campaigns=[c])
    shop, other = make_point(org=org), make_point(org=org)
    jacket, gloves = make_item(org, name="棉衣"), make_item(org, name="手套", unit="副")
    post_intake(A(), db, shop, {"received_on": dt.date(2026, 1, 5), "campaign_id": c.id,
                                "lines": [{"item_type_id": jacket.id, "quantity": "10",
                                           "condition": "new"},
                                          {"item_type_id": gloves.id, "quantity": "6",
                                           "condition": "new"}]}, today=TODAY)
    home = make_household(org)
    post_distribution(A(), db, shop, {"beneficiary_id": home.id, "distributed_on":
                                      dt.date(2026, 1, 10), "lines": [
                                          {"item_type_id": jacket.id, "quantity": "3"}]},
                      today=TODAY)
    post_sale(A(), db, shop, {"sold_on": dt.date(2026, 1, 12), "payment_method": "cash",
                              "lines": [{"item_type_id": jacket.id, "quantity": "2"}]},
              today=TODAY)
    post_write_off(A(), db, shop, {"item_type_id": jacket.id, "quantity": "1",
                                   "reason": "damaged", "written_off_on": dt.date(2026, 1, 15)},
                   today=TODAY)
    send_transfer(A(), db, shop, {"to_point_id": other.id, "sent_on": dt.date(2026, 1, 20),
                                  "lines": [{"item_type_id": jacket.id, "quantity": "2"}]},
                  today=TODAY)
    post_entry(A(), db, org, {"kind": "donation", "amount": D("1000.00"), "channel": "wechat",
                              "entry_date": dt.date(2026, 1, 3), "campaign_id": c.id,
                              "counterparty": "爱心人士"}, today=TODAY)
    _spend(db, org, c, dt.date(2026, 1, 4), "fundraising_cost", "50.00", "募捐海报印刷")
    _spend(db, org, c, dt.date(2026, 2, 1), "project_spending", "300.00", "购买棉被", project)
    _spend(db, org, c, dt.date(2026, 2, 10), "other_spending", "100.00", "紧急采购棉被 40 床")
    wrong = _spend(db, org, c, dt.date(2026, 2, 11), "other_spending", "20.00", "误记")
    reverse_entry(A(), db, wrong, "重复记账", today=dt.date(2026, 2, 12))
    spring = make_campaign(name="春季助学募捐", planned_start=dt.date(2026, 4, 1),
                           planned_end=dt.date(2026, 6, 30))
    db.commit()
    return {"campaign": c, "org": org, "jacket": jacket, "gloves": gloves, "shop": shop,
            "spring": spring, "project": project}


def _final(db, c, on):
    tick(db, on)
    ob = db.scalar(sa.select(Obligation).where(
        Obligation.subject_type == "campaign", Obligation.subject_id == c.id,
        Obligation.kind == "final"))
    return publish_obligation(db, ob, on)


def _ledger_balance(db, campaign_id, until):
    rows = db.scalars(sa.select(FundEntry).where(FundEntry.campaign_id == campaign_id,
                                                 FundEntry.entry_date <= until)).all()
    return sum((e.amount if e.kind in INFLOWS else -e.amount for e in rows), D(0))


def _goods_row(db, ended, item, unit):
    """The item's row as the report must print it, summed from the document lines."""
    def total(stmt):
        return D(db.scalar(stmt) or 0)
    received = total(sa.select(sa.func.sum(IntakeLine.quantity))
                     .where(IntakeLine.item_type_id == item.id))
    value = total(sa.select(sa.func.sum(IntakeLine.quantity * IntakeLine.unit_value))
                  .where(IntakeLine.item_type_id == item.id))
    handed = total(sa.select(sa.func.sum(DistributionLine.quantity))
                   .where(DistributionLine.item_type_id == item.id))
    sold = total(sa.select(sa.func.sum(SaleLine.quantity)).where(SaleLine.item_type_id == item.id))
    proceeds = total(sa.select(sa.func.sum(SaleLine.amount))
                     .where(SaleLine.item_type_id == item.id))
    moved = total(sa.select(sa.func.sum(TransferLine.quantity_sent))
                  .where(TransferLine.item_type_id == item.id))
    written = total(sa.select(sa.func.sum(WriteOff.quantity))
                    .where(WriteOff.item_type_id == item.id))
    shelf = total(sa.select(sa.func.sum(StockBalance.quantity)).where(
        StockBalance.item_type_id == item.id, StockBalance.point_id == ended["shop"].id))
    assert handed + sold + moved + written + shelf == received
    n = lambda q: format(q.normalize(), "f")  # noqa: E731
    return (f"{item.name}{n(received)}{unit}{value:.2f}{n(handed)}{n(sold)}（{proceeds:.2f}）"
            f"{n(moved)}{n(written)}{n(shelf)}")


def test_campaign_report_prints_every_plan_item_and_the_use_of_goods(db, ended):
    c = ended["campaign"]
    pub = _final(db, c, dt.date(2026, 4, 2))
    text = squashed(pub.pdf)
    for label, value in [("活动负责人", "李明"), ("募捐银行账户", "中国银行兰州分行62160000111"),
                         ("募得款物用途", "为困难家庭购买冬衣棉被"), ("募捐成本预算", "¥500.00"),
                         ("剩余财产处理方案", "结余转入春季助学募捐"), ("募捐区域", "兰州市城关区")]:
        assert label + value in text, label
    assert "办公地址" in text
    # 10 jackets: 3 handed out, 2 sold for 30.00, 2 sent (still on the way), 1 damaged, 2 left.
    assert _goods_row(db, ended, ended["jacket"], "件") in text
    assert _goods_row(db, ended, ended["gloves"], "副") in text


def test_final_itemises_spending_and_says_what_is_unhandled(db, ended):
    c, org = ended["campaign"], ended["org"]
    post_transfer(A(), db, org, from_campaign_id=c.id, to_campaign_id=ended["spring"].id,
                  amount=D("200.00"), entry_date=dt.date(2026, 4, 10), reason="结余转入春季助学",
                  today=TODAY)
    pub = _final(db, c, dt.date(2026, 4, 20))
    text = squashed(pub.pdf)
    spending = db.scalars(sa.select(FundEntry).where(
        FundEntry.campaign_id == c.id, FundEntry.kind.in_(
            ("fundraising_cost", "project_spending", "other_spending")))).all()
    reversed_pair = {e.id for e in spending if e.reverses_id} | \
        {e.reverses_id for e in spending if e.reverses_id}
    itemised = [e for e in spending if e.id not in reversed_pair]
    assert len(itemised) == 3
    for e in itemised:
        project = "冬衣发放" if e.project_id else "—"
        assert f"{e.entry_date}" in text and f"{''.join(e.purpose.split())}{project}{e.amount:.2f}" \
            in text, e.purpose
    assert "误记" not in text
    end = dt.date(2026, 3, 31)
    at_end, now = _ledger_balance(db, c.id, end), _ledger_balance(db, c.id, dt.date(2026, 4, 20))
    assert at_end == D("550.00") and now == D("350.00")
    assert f"活动结束时结余资金¥{at_end:.2f}" in text
    assert "2026-04-10转入春季助学募捐：¥200.00" in text
    assert f"尚有¥{now:.2f}未处理" in text
    assert "手套6副（尚未处理）" in text or "手套6副" in text


def test_final_with_everything_handled_says_so(db, ended):
    c, org = ended["campaign"], ended["org"]
    left = _ledger_balance(db, c.id, dt.date(2026, 3, 31))
    post_transfer(A(), db, org, from_campaign_id=c.id, to_campaign_id=ended["spring"].id,
                  amount=left, entry_date=dt.date(2026, 4, 10), reason="结余转入春季助学",
                  today=TODAY)
    text = squashed(_final(db, c, dt.date(2026, 4, 20)).pdf)
    assert "尚未处理资金无（已全部处理）" in text
    assert "未处理资金¥" not in text


def test_correction_of_a_final_shows_spending_and_goods_before_and_after(db, ended):
    from charity.disclosure.publishing import publish_correction

    c, org = ended["campaign"], ended["org"]
    original = _final(db, c, dt.date(2026, 4, 2))
    late = _spend(db, org, c, dt.date(2026, 3, 30), "other_spending", "80.00", "补录运费")
    db.commit()
    note = publish_correction(A(), db, original, "补录 3 月 30 日运费", dt.date(2026, 4, 5))
    text = squashed(note.pdf)
    other = db.scalars(sa.select(FundEntry).where(
        FundEntry.campaign_id == c.id, FundEntry.kind == "other_spending")).all()
    before = sum((e.amount for e in other if e.id != late.id), D(0))
    after = sum((e.amount for e in other), D(0))
    assert (before, after) == (D("100.00"), D("180.00"))
    assert f"款物收支·累计·其他用途{before:.2f}{after:.2f}" in text
    assert "支出明细·2026-03-30（其他用途、补录运费、—）·金额—80.00" in text


def test_the_ended_campaign_page_says_what_is_unhandled_and_offers_the_transfer(
        client, db, ended, make_user, login):
    from charity.funds.services.campaigns import end_campaign

    c = ended["campaign"]
    end_campaign(A(), db, c, dt.date(2026, 3, 31), today=dt.date(2026, 3, 31))
    login(make_user("manager", org=ended["org"]))
    db.commit()
    page = client.get(f"/staff/campaigns/{c.id}").get_data(as_text=True)
    left = _ledger_balance(db, c.id, TODAY)
    assert 'id="leftover"' in page and f"{left:,.2f}" in page.replace("¥", "")
    form = client.get(f"/staff/funds/transfer?from={c.id}").get_data(as_text=True)
    assert f'<option selected value="{c.id}">' in form or \
        f'value="{c.id}" selected' in form or f'<option value="{c.id}" selected>' in form
    assert client.get("/staff/funds/transfer?from=abc").status_code == 400
