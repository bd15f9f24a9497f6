"""Honest receipts (issue 17 item 8, 财综〔2024〕1号 Art. 6): with a finance-bureau allocation
the PDF is the 公益事业捐赠票据 with every Art. 6 element; without one it is a 捐赠收据 that
says it is not that receipt. Read back with pdftotext, the tool a reader copies with: numbers
and codes must come out whole (item 7)."""
import datetime as dt
import json
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from flask_babel import force_locale

from charity.core.errors import ValidationFailed
from charity.funds.services import ledger
from charity.funds.services.receipt_allocation import add_allocation, set_review_required
from charity.funds.services.receipts import review_receipt
from charity.orgs import uscc
from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_attachments
from tests.factories_funds import TODAY

pytestmark = [pytest.mark.filterwarnings(ICC_RESOURCE_WARNING),
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")]

COMPANY_CODE = uscc.make("91620102MA7LXK3Q0")  # the check character computed by GB 32100


def pdftotext(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")


@pytest.fixture
def manager(make_user, fundraising_org):
    return make_user("manager", org=fundraising_org, display_name="马文静")


@pytest.fixture
def company(make_donor):
    return make_donor(name="甘肃陇原建设有限公司", kind="organization", id_code=COMPANY_CODE)


def donate(db, manager, org, donor, amount="12345.60", day=dt.date(2026, 3, 1), **extra):
    entry = ledger.post_donation(manager, db, org, {
        "kind": "donation", "amount": Decimal(amount), "entry_date": day, "channel": "wechat",
        "donor_id": donor.id, **extra}, today=TODAY)
    db.commit()
    return entry.receipt


def allocate(db, manager, org, **data):
    values = {"bill_code": "62010126", "first_number": 101, "last_number": 102,
              "authority": "甘肃省财政厅", "project_code": "0101",
              "valid_from": dt.date(2026, 1, 1), "valid_until": dt.date(2026, 12, 31)}
    values.update(data)
    allocation = add_allocation(manager, db, org, values)
    db.commit()
    return allocation


def get_pdf(client, receipt) -> bytes:
    response = client.get(f"/staff/receipts/{receipt.id}.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


def test_finance_receipt_carries_every_article_6_element(
        client, login, db, manager, make_user, fundraising_org, company, make_campaign):
    campaign = make_campaign(name="冬季送温暖")
    allocate(db, manager, fundraising_org)
    set_review_required(manager, db, fundraising_org, True)
    receipt = donate(db, manager, fundraising_org, company, campaign_id=campaign.id)
    reviewer = make_user("manager", org=fundraising_org, display_name="赵复核")
    review_receipt(reviewer, db, receipt)
    db.commit()
    login(manager)
    text = pdftotext(get_pdf(client, receipt))
    # Each statutory label with its value, computed here from what was posted.
    expected = {
        "公益事业捐赠票据": "", "甘肃省财政厅监制": "",
        "票据代码": "62010126", "票据号码": "00000101",  # the first number of the range
        "校验码": receipt.check_code, "交款人": "甘肃陇原建设有限公司",
        "交款人统一社会信用代码/身份证号": COMPANY_CODE, "开票日期": "2026-03-01",
        "项目编码": "0101", "项目名称": "货币捐赠", "单位": "元", "数量": "1", "标准": "—",
        "金额（元）": "12,345.60", "金额合计（大写）": "人民币壹万贰仟叁佰肆拾伍元陆角",
        "备注": "募捐活动：冬季送温暖", "收款单位（章）": fundraising_org.name,
        "复核人": "赵复核", "收款人": "马文静", "查验编号": "2026-000001",
    }
    for label, value in expected.items():
        assert label in text, label
        assert value in text, (label, value)
    assert f"/trace?r=2026-000001&c={receipt.check_code}" in text  # the QR's target, printed
    assert "不是财政部门监制" not in text and "system" not in text


def test_acknowledgement_says_it_is_not_a_finance_receipt(client, login, db, manager,
                                                          fundraising_org, company):
    receipt = donate(db, manager, fundraising_org, company, amount="1234.56")
    login(manager)
    pdf = get_pdf(client, receipt)
    text = pdftotext(pdf)
    assert "捐赠收据" in text
    # A sentence may wrap at the page edge (how far depends on the organisation's name).
    assert "不是财政部门监制的公益事业捐赠票据" in re.sub(r"\s+", "", text)
    for absent in ("票据代码", "票据号码", "监制\n", "项目编码"):
        assert absent not in text, absent
    # Whole numbers and codes in the text layer (issue 17: "2 026-000001", "J XY659R4").
    assert "2026-000001" in text and receipt.check_code in text
    assert "1,234.56" in text and COMPANY_CODE in text and "马文静" in text
    snapshot = json.loads(pdf_attachments(pdf)["snapshot.json"])
    assert snapshot["title"] == "捐赠收据" and snapshot["is_finance_receipt"] is False
    assert snapshot["number"] == "2026-000001" and snapshot["total"] == "1,234.56"


def test_allocation_numbers_run_out_then_receipts_are_acknowledgements(
        db, manager, fundraising_org, company):
    allocate(db, manager, fundraising_org, first_number=7, last_number=8)
    receipts = [donate(db, manager, fundraising_org, company, amount="10") for _ in range(3)]
    assert [(r.bill_code, r.bill_number) for r in receipts] == [
        ("62010126", "00000007"), ("62010126", "00000008"), ("", None)]
    assert [r.is_finance_receipt for r in receipts] == [True, True, False]
    assert [r.number for r in receipts] == ["2026-000001", "2026-000002", "2026-000003"]


def test_allocation_outside_its_validity_is_not_used(db, manager, fundraising_org, company):
    allocate(db, manager, fundraising_org, valid_from=dt.date(2026, 6, 1))
    early = donate(db, manager, fundraising_org, company, day=dt.date(2026, 5, 31))
    on_time = donate(db, manager, fundraising_org, company, day=dt.date(2026, 6, 1))
    assert early.allocation_id is None and on_time.bill_number == "00000101"


@pytest.mark.parametrize("change, field", [
    ({"last_number": 100}, "last_number"),
    ({"bill_code": "62-01"}, "bill_code"),
    ({"authority": " "}, "authority"),
    ({"valid_until": dt.date(2025, 12, 31)}, "valid_until"),
])
def test_bad_allocations_are_refused_at_their_field(db, manager, fundraising_org, change, field):
    with pytest.raises(ValidationFailed) as refused:
        allocate(db, manager, fundraising_org, **change)
    assert refused.value.field == field


def test_overlapping_ranges_of_one_code_are_refused(db, manager, fundraising_org, make_org,
                                                    make_user):
    allocate(db, manager, fundraising_org, first_number=1, last_number=100)
    other = make_org()
    with pytest.raises(ValidationFailed) as refused:
        allocate(db, make_user("manager", org=other), other, first_number=100,
                 last_number=200)
    assert refused.value.field == "first_number"


def test_the_issuer_cannot_review_their_own_receipt(db, manager, make_user, fundraising_org,
                                                    company):
    set_review_required(manager, db, fundraising_org, True)
    receipt = donate(db, manager, fundraising_org, company)
    with pytest.raises(ValidationFailed) as refused:
        review_receipt(manager, db, receipt)
    with force_locale("en"):
        assert "cannot review" in str(refused.value.message)
    assert receipt.reviewed_by_id is None
    second = make_user("volunteer", org=fundraising_org)
    review_receipt(second, db, receipt)
    assert receipt.reviewed_by_id == second.id
    with pytest.raises(ValidationFailed) as refused:
        review_receipt(make_user("manager", org=fundraising_org), db, receipt)
    with force_locale("en"):
        assert "already been reviewed" in str(refused.value.message)


def test_handler_is_the_user_who_posted(db, manager, fundraising_org, company):
    receipt = donate(db, manager, fundraising_org, company)
    assert receipt.handler == "马文静" and receipt.issued_by_id == manager.id


def test_goods_receipt_prints_unit_value_and_valuation_basis(
        client, login, db, make_point, make_item, make_user, make_donor):
    from charity.goods.services import intake

    point = make_point()
    org = point.organization
    volunteer = make_user("volunteer", org=org, points=[point], display_name="李志强")
    coat = make_item(org)
    donor = make_donor(org=org, name="王建国")
    doc = intake.post_intake(volunteer, db, point, {
        "donor_id": donor.id, "with_receipt": True, "received_on": dt.date(2026, 3, 2),
        "lines": [{"item_type_id": coat.id, "quantity": "3", "unit_value": "1250.5",
                   "valuation_basis": "同类商品市场价"}]}, today=TODAY)
    db.commit()
    login(make_user("manager", org=org))
    text = pdftotext(get_pdf(client, doc.receipt))
    # 标准 is the fair value per unit; 金额 = 3 × 1,250.50.
    for expected in ("1,250.50", "3,751.50", "备注：按公允价值计价，依据：同类商品市场价",
                     "收款人：李志强", coat.name):
        assert expected in text, expected


def test_a_receipt_awaiting_review_prints_its_reviewer_as_pending(
        client, login, db, manager, make_user, fundraising_org, company):
    """Where the organisation requires a second person's review, a receipt not reviewed yet
    says 复核人 待复核 (not "—", which reads as "no review"); once reviewed, the reviewer's
    name; without the requirement, "—"."""
    login(manager)
    squash = lambda r: re.sub(r"\s+", "", pdftotext(get_pdf(client, r)))  # noqa: E731
    plain = donate(db, manager, fundraising_org, company, amount="10.00")
    assert "复核人：—" in squash(plain)
    set_review_required(manager, db, fundraising_org, True)
    db.commit()
    pending = donate(db, manager, fundraising_org, company, amount="20.00")
    assert "复核人：待复核" in squash(pending)
    review_receipt(make_user("manager", org=fundraising_org, display_name="赵复核"), db, pending)
    db.commit()
    db.expire_all()  # as the next request's session would read it
    assert "复核人：赵复核" in squash(pending)
