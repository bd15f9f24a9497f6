"""The annual report's content (issue 17 item 2; Charity Law Art. 13, Order 81): income by
type, spending by type with management costs, funds at the start and end of the year,
the spending and management-cost ratios against their thresholds (民发〔2016〕189号), the
campaigns with their filing numbers, the projects with their households, and the goods
received and handed out. Each figure the test expects is summed here from the ledger rows
(fund entries and documents), not taken from the report code."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.system import system_actor
from charity.disclosure.annual.content import annual_snapshot
from charity.disclosure.models import Obligation
from charity.disclosure.obligations import refresh_all
from charity.disclosure.publishing import publish_obligation
from charity.funds.models import INFLOWS, OUTFLOWS, EntryKind, FundEntry
from charity.funds.services.ledger import post_entry
from charity.goods.models import Distribution, DistributionLine, Intake, IntakeLine
from charity.goods.services.distributions import post_distribution
from charity.goods.services.intake import post_intake
from charity.goods.services.sales import post_sale
from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_attachments, pdf_text
from tests.disclosure.test_campaign_content import squashed

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
D = Decimal
A = system_actor
TODAY = dt.date(2026, 6, 1)
Y = 2025


def _post(db, org, kind, amount, day, **data):
    values = {"kind": kind, "amount": D(amount), "entry_date": day, "purpose": "用途",
              "counterparty": "对方", "voucher_no": "V-1", "channel": "cash", **data}
    return post_entry(A(), db, org, values, today=TODAY)


def _sum(db, org, kinds, year=Y, **where):
    conditions = [getattr(FundEntry, k) == v for k, v in where.items()]
    return D(db.scalar(sa.select(sa.func.coalesce(sa.func.sum(FundEntry.amount), 0)).where(
        FundEntry.organization_id == org.id, FundEntry.kind.in_(kinds),
        FundEntry.entry_date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)), *conditions)))


def _goods_value(db, org, line, doc, day):
    return D(db.scalar(sa.select(sa.func.coalesce(sa.func.sum(line.quantity * line.unit_value),
                                                  0)).join(doc).where(
        doc.organization_id == org.id, day.between(dt.date(Y, 1, 1), dt.date(Y, 12, 31)))))


def _funds(db, org, day):
    """(restricted, unrestricted) money at the end of `day`, from every entry up to then."""
    restricted = unrestricted = D(0)
    for e in db.scalars(sa.select(FundEntry).where(FundEntry.organization_id == org.id,
                                                   FundEntry.entry_date <= day)):
        signed = e.amount if e.kind in INFLOWS else -e.amount
        assert e.kind in INFLOWS or e.kind in OUTFLOWS
        if e.campaign_id:
            restricted += signed
        else:
            unrestricted += signed
    return restricted, unrestricted


@pytest.fixture
def year_of_work(db, make_org, make_campaign, make_project, make_point, make_item,
                 make_household):
    org = make_org(registered_on=dt.date(2024, 1, 1), org_type="social_group",
                   can_fundraise_publicly=True, fundraising_cert_no="62000000000009")
    campaign = make_campaign(org=org, name="年度助学募捐", filing_no="53620102025077",
                             planned_start=dt.date(2025, 1, 1), planned_end=dt.date(2025, 12, 31),
                             filing_date=dt.date(2024, 12, 20))
    project = make_project(org=org, name="社区助学", campaigns=[campaign],
                           planned_start=dt.date(2025, 1, 1))
    _post(db, org, "donation", "1000.00", dt.date(2024, 3, 1))
    _post(db, org, "donation", "500.00", dt.date(2025, 2, 1), channel="wechat")
    _post(db, org, "donation", "2000.00", dt.date(2025, 2, 2), channel="bank_transfer",
          campaign_id=campaign.id)
    _post(db, org, "activity_income", "300.00", dt.date(2025, 3, 1), activity="charity_sale")
    _post(db, org, "project_spending", "1200.00", dt.date(2025, 4, 1), campaign_id=campaign.id,
          project_id=project.id)
    _post(db, org, "other_spending", "100.00", dt.date(2025, 5, 1))
    _post(db, org, "fundraising_cost", "50.00", dt.date(2025, 5, 2), campaign_id=campaign.id)
    _post(db, org, "management_cost", "90.00", dt.date(2025, 6, 1))
    shop = make_point(org=org)
    coat = make_item(org, name="棉衣")
    post_intake(A(), db, shop, {"received_on": dt.date(2025, 1, 5), "lines": [
        {"item_type_id": coat.id, "quantity": "10", "condition": "new"}]}, today=TODAY)
    homes = [make_household(org) for _ in range(2)]
    for i, home in enumerate([homes[0], homes[0], homes[1]]):
        post_distribution(A(), db, shop, {
            "beneficiary_id": home.id, "distributed_on": dt.date(2025, 7, 1 + i),
            "project_id": project.id, "lines": [{"item_type_id": coat.id, "quantity": "1"}]},
            today=TODAY)
    post_sale(A(), db, shop, {"sold_on": dt.date(2025, 8, 1), "payment_method": "cash",
                              "lines": [{"item_type_id": coat.id, "quantity": "2"}]},
              today=TODAY)
    db.commit()
    return {"org": org, "campaign": campaign, "project": project}


def _published(db, org):
    refresh_all(db, TODAY)
    ob = db.scalar(sa.select(Obligation).where(Obligation.organization_id == org.id,
                                               Obligation.kind == "annual", Obligation.seq == Y))
    return publish_obligation(db, ob, dt.date(2026, 5, 31))


def test_the_annual_pdf_states_every_figure_as_the_ledgers_sum_it(db, year_of_work):
    org, campaign = year_of_work["org"], year_of_work["campaign"]
    pub = _published(db, org)
    text = squashed(pub.pdf)
    k = EntryKind
    donations, activity = _sum(db, org, [k.DONATION]), _sum(db, org, [k.ACTIVITY_INCOME])
    sales = _sum(db, org, [k.SALE_INCOME])
    goods_in = _goods_value(db, org, IntakeLine, Intake, Intake.received_on)
    goods_out = _goods_value(db, org, DistributionLine, Distribution, Distribution.distributed_on)
    assert goods_in == D("300.00") and goods_out == D("90.00") and sales > 0  # the world ran
    income = donations + activity + sales + goods_in
    charitable = _sum(db, org, [k.PROJECT_SPENDING]) + _sum(db, org, [k.OTHER_SPENDING]) + goods_out
    fundraising, management = _sum(db, org, [k.FUNDRAISING_COST]), _sum(db, org, [k.MANAGEMENT_COST])
    spent = charitable + fundraising + management
    for label, amount in [("捐赠收入（货币）", donations), ("其中：微信支付", D("500.00")),
                          ("慈善活动收入（义卖、义演等）", activity), ("物资捐赠收入（公允价值）", goods_in),
                          ("商业收入（慈善超市销售）", sales), ("收入合计", income),
                          ("慈善活动支出", charitable), ("发放物资（公允价值）", goods_out),
                          ("募捐成本", fundraising), ("管理费用", management), ("支出合计", spent)]:
        assert f"{label}{amount:.2f}" in text, label
    start, end = _funds(db, org, dt.date(2024, 12, 31)), _funds(db, org, dt.date(2025, 12, 31))
    assert f"限定性资金（募捐活动资金）{start[0]:.2f}{end[0]:.2f}" in text
    assert f"非限定性资金（一般资金）{start[1]:.2f}{end[1]:.2f}" in text
    previous = _sum(db, org, [k.DONATION, k.ACTIVITY_INCOME, k.SALE_INCOME], year=2024)
    assert f"慈善活动支出占上年总收入{charitable * 100 / previous:.2f}%" in text
    assert f"管理费用占当年总支出{management * 100 / spent:.2f}%" in text
    assert "民发〔2016〕189号" in text and "13%——达标" in text
    raised = _sum(db, org, [k.DONATION, k.ACTIVITY_INCOME], campaign_id=campaign.id)
    assert f"年度助学募捐{campaign.filing_no}{raised:.2f}" in text
    households = len({d.beneficiary_id for d in db.scalars(sa.select(Distribution).where(
        Distribution.project_id == year_of_work["project"].id))})
    project_spent = _sum(db, org, [k.PROJECT_SPENDING], project_id=year_of_work["project"].id)
    assert f"社区助学{project_spent:.2f}{goods_out:.2f}{households}" in text
    assert "10件300.00" in text  # goods received: quantity and fair value
    assert "3件90.00" in text  # handed out
    assert "工作人员工资福利本年度未填报" in text
    assert "未提供审计报告" in text


def test_the_annual_pdf_carries_its_snapshot_and_tables(db, year_of_work):
    """Issue 17 item 7: the JSON snapshot (the bytes whose SHA-256 is published) and the
    tables it summarises as CSV; amounts with thousands separators in the text."""
    pub = _published(db, year_of_work["org"])
    files = pdf_attachments(pub.pdf)
    assert files["snapshot.json"].decode("utf-8") == pub.snapshot
    campaigns = files["campaigns.csv"].decode("utf-8-sig")
    assert "53620102025077" in campaigns and "2000" in campaigns
    assert {"projects.csv", "goods-received.csv", "goods-handed_out.csv",
            "income-donations_by_channel.csv", "spending-by_project.csv"} <= files.keys()
    assert "1,200.00" in "".join(pdf_text(pub.pdf))  # project spending, with its separator


def _ratios(db, make_org, org_type, public, entries):
    org = make_org(registered_on=dt.date(2024, 1, 1), org_type=org_type,
                   can_fundraise_publicly=public,
                   fundraising_cert_no="62000000000010" if public else "")
    _post(db, org, "donation", "1000.00", dt.date(2024, 6, 1))
    for kind, amount in entries:
        _post(db, org, kind, amount, dt.date(2025, 6, 1))
    return annual_snapshot(db, org, Y)["ratios"]


@pytest.mark.parametrize("org_type, entries, spending_met, management_met", [
    ("social_group", [("other_spending", "700.00")], True, True),  # exactly 70 %
    ("social_group", [("other_spending", "699.99")], False, True),
    ("social_service_agency", [("other_spending", "870.00"), ("management_cost", "130.00")],
     True, True),  # management exactly 13 % of total spending
    ("social_group", [("other_spending", "869.99"), ("management_cost", "130.00")], True, False),
    ("foundation", [("other_spending", "900.00"), ("management_cost", "100.00")], True, True),
    ("foundation", [("other_spending", "899.99"), ("management_cost", "100.00")], True, False),
])
def test_thresholds_are_compared_at_their_boundary(db, make_org, org_type, entries,
                                                   spending_met, management_met):
    ratios = _ratios(db, make_org, org_type, True, entries)
    assert (ratios["spending_met"], ratios["management_met"]) == (spending_met, management_met)
    assert "民发〔2016〕189号" in ratios["threshold"]["source"]


def test_without_public_fundraising_the_ratios_are_shown_without_a_threshold(db, make_org):
    ratios = _ratios(db, make_org, "foundation", False, [("other_spending", "100.00")])
    assert ratios["threshold"] is None and "净资产" in ratios["no_threshold"]
    assert ratios["spending_to_previous_income_pct"] == "10.00"
