"""Correction notes (更正说明) show each corrected figure before → after, derived from the
snapshot of the report they correct and their own (issue 17 item 6)."""
import datetime as dt
import json
from decimal import Decimal

import pytest

from charity.core.system import system_actor
from charity.disclosure.models import Publication
from charity.disclosure.publishing import publish_correction
from charity.funds.services.ledger import post_entry
from charity.ops.scheduler import tick
from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_text

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
D = Decimal


def _post(db, org, campaign, day, kind, amount, today, **extra):
    data = {"kind": kind, "amount": D(amount), "entry_date": day, "campaign_id": campaign.id,
            "counterparty": "爱心人士", **extra}
    post_entry(system_actor(), db, org, data, today=today)
    db.commit()
    return D(amount)


@pytest.fixture
def published(db, fundraising_org, make_campaign):
    """A campaign's first periodic report (1 Jan – 31 Mar), and the rows it was made from."""
    c = make_campaign(name="助学募捐", planned_start=dt.date(2026, 1, 1),
                      planned_end=dt.date(2026, 12, 31))
    wechat = _post(db, fundraising_org, c, dt.date(2026, 1, 5), "donation", "1000.00",
                   dt.date(2026, 1, 5), channel="wechat")
    cash = _post(db, fundraising_org, c, dt.date(2026, 2, 10), "donation", "234.56",
                 dt.date(2026, 2, 10), channel="cash")
    (pub_id,) = tick(db, dt.date(2026, 4, 1)).published
    return c, db.get(Publication, pub_id), wechat + cash


def _changes(pub) -> dict[str, tuple[str, str]]:
    snap = json.loads(pub.snapshot)
    return {c["item"]: (c["before"], c["after"]) for c in snap["correction"]["changes"]}


def test_each_corrected_figure_is_shown_before_and_after(app, client, db, fundraising_org,
                                                         published):
    c, original, income_before = published
    # Found after publication: a bank transfer of 20 March and a cost of 25 March.
    late = _post(db, fundraising_org, c, dt.date(2026, 3, 20), "donation", "500.00",
                 dt.date(2026, 4, 3), channel="bank_transfer")
    cost = _post(db, fundraising_org, c, dt.date(2026, 3, 25), "fundraising_cost", "50.00",
                 dt.date(2026, 4, 3), purpose="宣传海报")
    fix = publish_correction(system_actor(), db, original, "漏记 3 月 20 日银行转账捐赠及宣传费用",
                             dt.date(2026, 4, 5))
    db.commit()
    changes = _changes(fix)
    income_after = income_before + late
    for column in ("本期", "累计"):
        assert changes[f"款物收支 · {column} · 捐赠收入合计"] == (str(income_before),
                                                          str(income_after))
        assert changes[f"款物收支 · {column} · 捐赠渠道 · 银行转账 · 金额"] == ("—", str(late))
        assert changes[f"款物收支 · {column} · 募捐成本"] == ("0.00", str(cost))
        # Unchanged figures are not listed.
        assert f"款物收支 · {column} · 捐赠渠道 · 微信支付 · 金额" not in changes
    assert changes["尚未使用 · 金额"] == (str(income_before), str(income_after - cost))
    assert json.loads(fix.snapshot)["correction"]["compared_with"] == original.report_no

    text = "".join(pdf_text(fix.pdf))
    for expected in ("更正前", "更正后", "捐赠收入合计", str(income_before), str(income_after),
                     "银行转账"):
        assert expected in text, expected
    page = client.get(f"/disclosures/{fix.id}").get_data(as_text=True)
    assert "更正前" in page and str(income_after) in page


def test_a_second_correction_compares_with_the_first(db, fundraising_org, published):
    c, original, income = published
    first_late = _post(db, fundraising_org, c, dt.date(2026, 3, 1), "donation", "10.00",
                       dt.date(2026, 4, 3), channel="cash")
    first = publish_correction(system_actor(), db, original, "漏记现金", dt.date(2026, 4, 5))
    db.commit()
    second_late = _post(db, fundraising_org, c, dt.date(2026, 3, 2), "donation", "0.50",
                        dt.date(2026, 4, 6), channel="cash")
    second = publish_correction(system_actor(), db, first, "再次漏记现金", dt.date(2026, 4, 7))
    db.commit()
    assert second.corrects_id == original.id  # a note always points at the report itself
    assert json.loads(second.snapshot)["correction"]["compared_with"] == first.report_no
    assert _changes(second)["款物收支 · 本期 · 捐赠收入合计"] == (
        str(income + first_late), str(income + first_late + second_late))


def test_a_correction_without_changed_figures_says_so(db, published):
    _c, original, _income = published
    fix = publish_correction(system_actor(), db, original, "受益人表述有误", dt.date(2026, 4, 5))
    db.commit()
    assert json.loads(fix.snapshot)["correction"]["changes"] == []
    assert "本次更正不涉及数据" in "".join(pdf_text(fix.pdf))


def test_figure_changes_reads_rows_by_their_names():
    from charity.disclosure.content import figure_changes

    before = {"subject": {"target_amount": "100.00"}, "money": {"period": {
        "donations_by_channel": [{"channel": "现金", "amount": "5.00"}]}},
        "goods_received": {"period": [{"category": "衣物", "unit": "件", "quantity": "3",
                                       "value": "90.00"}]}}
    after = {"subject": {"target_amount": "200.00"}, "money": {"period": {
        "donations_by_channel": [{"channel": "微信支付", "amount": "5.00"}]}},
        "goods_received": {"period": [{"category": "衣物", "unit": "件", "quantity": "4",
                                       "value": "120.00"}]}}
    assert figure_changes(before, after) == [
        {"item": "款物收支 · 本期 · 捐赠渠道 · 微信支付 · 金额", "before": "—", "after": "5.00"},
        {"item": "接收物资 · 本期 · 衣物（件） · 数量", "before": "3", "after": "4"},
        {"item": "接收物资 · 本期 · 衣物（件） · 价值", "before": "90.00", "after": "120.00"},
        {"item": "款物收支 · 本期 · 捐赠渠道 · 现金 · 金额", "before": "5.00", "after": "—"},
    ]  # the plan (subject) is not a figure
