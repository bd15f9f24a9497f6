"""The public donation trace: receipt number + check code → what was received and what became
of it, first-in-first-out; same answer for a wrong code and an unknown number; no
beneficiary identity, donors named only with consent."""
import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.funds.services import ledger
from charity.goods import services as documents
from charity.goods.services import distributions as distribution, intake
from charity.people.identity import make_id
from charity.portal.trace.receipts import trace_receipt
from charity.portal.trace.goods import Outcome
from charity.core.system import system_actor
from tests.factories_funds import TODAY

D = Decimal
A = system_actor()


def donate(db, org, campaign, amount, donor=None, day=dt.date(2026, 3, 1), **extra):
    data = {"kind": "donation", "amount": D(amount), "entry_date": day, "channel": "wechat",
            "counterparty": "李四", "campaign_id": campaign.id if campaign else None,
            "donor_id": donor.id if donor else None}
    data.update(extra)
    entry = ledger.post_donation(A, db, org, data, today=TODAY)
    db.commit()
    return entry


def spend(db, org, campaign, project, amount, day, purpose):
    entry = ledger.post_entry(A, db, org, {
        "kind": "project_spending", "amount": D(amount), "entry_date": day,
        "campaign_id": campaign.id if campaign else None, "project_id": project.id,
        "purpose": purpose, "counterparty": "兰州百货", "voucher_no": "V-1"}, today=TODAY)
    db.commit()
    return entry


def uses(part):
    return [(u.kind, u.amount, u.project, u.day, u.purpose) for u in part.uses]


def get(client, receipt_or_number, code=None, lang="en"):
    if code is None:
        receipt_or_number, code = receipt_or_number.number, receipt_or_number.check_code
    return client.get("/trace", query_string={"r": receipt_or_number, "c": code, "lang": lang})


# --- money -----------------------------------------------------------------------------------

@pytest.fixture
def campaign_world(db, fundraising_org, make_campaign, make_project, make_donor):
    """Donations Z (later reversed), A, B into one campaign; spending on two projects and one
    spending that is reversed."""
    org = fundraising_org
    c = make_campaign(name="冬季送温暖")
    p1 = make_project(name="冬衣项目", campaigns=[c])
    p2 = make_project(name="助学项目", campaigns=[c])
    donor = make_donor(name="王捐赠", publish_name=True)
    z = donate(db, org, c, "200.00", day=dt.date(2026, 2, 1))
    a = donate(db, org, c, "300.00", day=dt.date(2026, 2, 2))
    b = donate(db, org, c, "500.00", donor=donor, day=dt.date(2026, 3, 1))
    spend(db, org, c, p1, "400.00", dt.date(2026, 3, 5), "购买冬衣")
    spend(db, org, c, p2, "250.00", dt.date(2026, 3, 9), "发放助学金")
    wrong = spend(db, org, c, p1, "50.00", dt.date(2026, 3, 10), "重复录入")
    ledger.reverse_entry(A, db, wrong, "重复录入", today=TODAY)
    ledger.reverse_entry(A, db, z, "退回捐赠人", today=TODAY)
    db.commit()
    return {"org": org, "c": c, "p1": p1, "p2": p2, "a": a, "b": b, "z": z, "donor": donor}


def test_campaign_donation_split_fifo_over_two_projects(db, campaign_world):
    w = campaign_world
    t = trace_receipt(db, w["b"].receipt.number, w["b"].receipt.check_code)
    assert t is not None and not t.voided
    assert t.payer == "王捐赠"
    [part] = t.money
    assert (part.amount, part.campaign) == (D("500.00"), "冬季送温暖")
    # Inflow: A [0, 300), B [300, 800) (Z reversed: netted out). Outflow: P1 [0, 400),
    # P2 [400, 650) (the reversed 50 never happened).
    assert uses(part) == [
        ("project_spending", D("100.00"), "冬衣项目", dt.date(2026, 3, 5), "购买冬衣"),
        ("project_spending", D("250.00"), "助学项目", dt.date(2026, 3, 9), "发放助学金")]
    assert part.unspent == D("150.00")


def test_earlier_donation_consumes_spending_first(db, campaign_world):
    a = campaign_world["a"]
    t = trace_receipt(db, a.receipt.number, a.receipt.check_code)
    assert uses(t.money[0]) == [
        ("project_spending", D("300.00"), "冬衣项目", dt.date(2026, 3, 5), "购买冬衣")]
    assert t.money[0].unspent == D("0")
    assert t.payer == "爱心人士"  # no donor record: no consent


def test_reversed_donation_shows_voided_and_traces_nothing(client, db, campaign_world):
    z = campaign_world["z"]
    t = trace_receipt(db, z.receipt.number, z.receipt.check_code)
    assert (t.voided, t.void_reason, t.money) == (True, "冲正：退回捐赠人", [])
    html = get(client, z.receipt).get_data(as_text=True)
    assert "This receipt was voided." in html
    assert "冲正：退回捐赠人" in html
    assert "What became of it" not in html and "not yet spent" not in html


def test_money_trace_page_in_words(client, db, campaign_world):
    html = get(client, campaign_world["b"].receipt).get_data(as_text=True)
    assert ("CN¥100.00 funded the project “冬衣项目”: spending on March 5, 2026 for 购买冬衣"
            in html)
    assert "CN¥150.00 not yet spent" in html
    assert "first in, first out" in html
    assert "王捐赠" in html


def test_the_receipts_qr_link_opens_the_trace_in_chinese(client, db, campaign_world):
    from charity.funds.services.receipts import trace_url

    html = client.get(trace_url("http://localhost", campaign_world["b"].receipt)).get_data(
        as_text=True)
    assert "捐赠追溯" in html
    assert "2026年3月5日，¥100.00 用于项目“冬衣项目”的支出：购买冬衣" in html
    assert "¥150.00 尚未使用" in html


def test_general_fund_donation_follows_general_spending(db, fundraising_org, make_project):
    org = fundraising_org
    p = make_project(name="社区助老")
    first = donate(db, org, None, "80.00", day=dt.date(2026, 4, 1))
    ours = donate(db, org, None, "100.00", day=dt.date(2026, 4, 2))
    spend(db, org, None, p, "120.00", dt.date(2026, 4, 3), "助老餐")
    t = trace_receipt(db, ours.receipt.number, ours.receipt.check_code)
    [part] = t.money
    assert part.campaign == "" and part.project == ""
    assert uses(part) == [("project_spending", D("40.00"), "社区助老", dt.date(2026, 4, 3),
                           "助老餐")]
    assert part.unspent == D("60.00")
    assert trace_receipt(db, first.receipt.number, first.receipt.check_code).money[0].unspent \
        == D("0")


def test_money_trace_reads_the_fund_in_few_queries(db, fundraising_org, make_campaign,
                                                   make_project):
    org = fundraising_org
    c = make_campaign()
    p = make_project(campaigns=[c])
    ours = donate(db, org, c, "1000.00")
    for i in range(25):
        spend(db, org, c, p, "10.00", dt.date(2026, 3, 2), f"用途{i}")
    statements = []

    def count(*args):
        statements.append(1)

    conn = db.connection()
    sa.event.listen(conn, "before_cursor_execute", count)
    try:
        t = trace_receipt(db, ours.receipt.number, ours.receipt.check_code)
    finally:
        sa.event.remove(conn, "before_cursor_execute", count)
    assert len(t.money[0].uses) == 25 and t.money[0].unspent == D("750.00")
    assert len(statements) <= 10


# --- goods -----------------------------------------------------------------------------------

@pytest.fixture
def goods_world(db, make_org, make_point, make_item, make_household, make_donor):
    org = make_org()
    a = make_point(org, name="张掖路慈善超市", community="张掖路社区")
    b = make_point(org, name="东岗慈善驿站", community="东岗社区")
    coat = make_item(org, name="棉衣", unit="件", point_price=1)
    hh = make_household(org, name="王小明", community="雁滩社区", phone="13909310000",
                        address="雁滩路1号", id_number=make_id("62010219800101777"))
    hh_b = make_household(org, name="赵小红", community="", phone="13909310001",
                          address="东岗路2号", id_number=make_id("62010219800101778"))
    early_donor = make_donor(org=org, name="早先捐赠人", publish_name=True)
    donor = make_donor(org=org, name="不愿具名者", publish_name=False, phone="13800009999")

    def goods_in(who, quantity, day):
        doc = intake.post_intake(A, db, a, {
            "received_on": day, "donor_id": who.id, "with_receipt": True,
            "lines": [{"item_type_id": coat.id, "quantity": quantity, "unit_value": "30",
                       "valuation_basis": "同类商品市场价"}]}, today=TODAY)
        db.commit()
        return doc

    first = goods_in(early_donor, "4", dt.date(2026, 11, 1))
    ours = goods_in(donor, "10", dt.date(2026, 11, 2))
    line = {"item_type_id": coat.id}
    distribution.post_distribution(A, db, a, {
        "beneficiary_id": hh.id, "distributed_on": dt.date(2026, 11, 3),
        "lines": [dict(line, quantity="6")]}, today=TODAY)
    documents.post_sale(A, db, a, {"payment_method": "cash", "sold_on": dt.date(2026, 11, 4),
                                   "lines": [dict(line, quantity="3")]}, today=TODAY)
    transfer = documents.send_transfer(A, db, a, {
        "to_point_id": b.id, "sent_on": dt.date(2026, 11, 5),
        "lines": [dict(line, quantity="2")]}, today=TODAY)
    documents.receive_transfer(A, db, transfer, {
        transfer.lines[0].id: {"quantity": "1", "loss_reason": "途中破损"}}, today=TODAY)
    distribution.post_distribution(A, db, b, {
        "beneficiary_id": hh_b.id, "distributed_on": TODAY,
        "lines": [dict(line, quantity="1")]}, today=TODAY)
    documents.post_write_off(A, db, a, {"written_off_on": dt.date(2026, 11, 6),
                                        "reason": "damaged", "item_type_id": coat.id,
                                        "quantity": "1"}, today=TODAY)
    mistake = distribution.post_distribution(A, db, a, {
        "beneficiary_id": hh.id, "distributed_on": dt.date(2026, 11, 7),
        "lines": [dict(line, quantity="1")]}, today=TODAY)
    distribution.reverse_distribution(A, db, mistake, "发错了", today=TODAY)
    db.commit()
    return {"first": first, "ours": ours, "hh": hh, "hh_b": hh_b, "donor": donor}


def flat(outcomes):
    return [(o.kind, o.quantity, o.day, o.place, o.fund, o.proceeds, o.reason, flat(o.children))
            for o in outcomes]


def test_goods_fifo_distributed_sold_transferred_written_off_on_shelf(db, goods_world):
    r = goods_world["ours"].receipt
    t = trace_receipt(db, r.number, r.check_code)
    [line] = t.goods
    assert (line.item, line.quantity, line.unit, line.point) == ("棉衣", D("10"), "件",
                                                                 "张掖路慈善超市")
    # The earlier intake's 4 coats left first with the handout of 6: ours gave the other 2.
    assert flat(line.outcomes) == [
        ("distributed", D("2"), dt.date(2026, 11, 3), "雁滩社区", "", None, "", []),
        ("sold", D("3"), dt.date(2026, 11, 4), "", "", D("45.00"), "", []),
        ("transferred", D("2"), dt.date(2026, 11, 5), "东岗慈善驿站", "", None, "", [
            # The household has no community on file: the point's community is shown.
            ("distributed", D("1"), TODAY, "东岗社区", "", None, "", []),
            ("lost", D("1"), None, "东岗慈善驿站", "", None, "", [])]),
        ("written_off", D("1"), dt.date(2026, 11, 6), "", "", None, "damaged", []),
        # The reversed handout of 11-07 never happened: the 2 are still here.
        ("on_shelf", D("2"), None, "张掖路慈善超市", "", None, "", []),
    ]


def test_mixed_intake_allocated_first(db, goods_world):
    r = goods_world["first"].receipt
    t = trace_receipt(db, r.number, r.check_code)
    assert t.payer == "早先捐赠人"
    assert flat(t.goods[0].outcomes) == [
        ("distributed", D("4"), dt.date(2026, 11, 3), "雁滩社区", "", None, "", [])]


def test_goods_page_no_beneficiary_identity_and_no_unconsenting_donor(client, db, goods_world):
    response = get(client, goods_world["ours"].receipt)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 件 distributed to a household in 雁滩社区 on November 3, 2026" in html
    assert "3 件 sold on November 4, 2026; the proceeds of CN¥45.00 went to the general fund" \
        in html
    assert "2 件 transferred to 东岗慈善驿站 on November 5, 2026" in html
    assert "1 件 lost in transit to 东岗慈善驿站" in html
    assert "1 件 written off on November 6, 2026 (damaged)" in html
    assert "2 件 still on the shelves at 张掖路慈善超市" in html
    for hh in (goods_world["hh"], goods_world["hh_b"]):
        for private in (hh.name, hh.phone, hh.address, "雁滩路1号", "620102198001017"):
            assert private not in html
        assert f"/beneficiaries/{hh.id}" not in html
    donor = goods_world["donor"]
    assert donor.name not in html and donor.phone not in html
    assert donor.id_code[-4:] not in html
    assert "爱心人士" in html


def test_transfer_in_transit(db, make_org, make_point, make_item, make_donor):
    org = make_org()
    a, b = make_point(org), make_point(org, name="远方驿站")
    coat = make_item(org)
    donor = make_donor(org=org)
    doc = intake.post_intake(A, db, a, {
        "received_on": dt.date(2026, 11, 1), "donor_id": donor.id, "with_receipt": True,
        "lines": [{"item_type_id": coat.id, "quantity": "5", "unit_value": "30",
                   "valuation_basis": "市场价"}]}, today=TODAY)
    documents.send_transfer(A, db, a, {"to_point_id": b.id, "sent_on": dt.date(2026, 11, 2),
                                       "lines": [{"item_type_id": coat.id, "quantity": "5"}]},
                            today=TODAY)
    db.commit()
    t = trace_receipt(db, doc.receipt.number, doc.receipt.check_code)
    assert [(o.kind, o.quantity, o.day, o.place) for o in t.goods[0].outcomes] == [
        ("in_transit", D("5"), dt.date(2026, 11, 2), "远方驿站")]


def test_outcomes_of_the_same_kind_add_up():
    from charity.portal.trace.goods import _merge

    day = dt.date(2026, 1, 1)
    merged = _merge([Outcome("distributed", D("1"), "件", day=day, place="甲"),
                     Outcome("distributed", D("2"), "件", day=day, place="甲"),
                     Outcome("distributed", D("1"), "件", day=day, place="乙")])
    assert [(o.place, o.quantity) for o in merged] == [("甲", D("3")), ("乙", D("1"))]


# --- lookup ----------------------------------------------------------------------------------

def test_empty_page_is_a_labelled_get_form(client):
    response = client.get("/trace?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<form method="get" action="/trace"', html)
    assert '<label for="r">Receipt number</label>' in html
    assert '<label for="c">Check code</label>' in html
    assert "No receipt matches" not in html
    assert "csrf_token" not in html


def test_wrong_code_answers_like_an_unknown_number(client, db, campaign_world):
    r = campaign_world["b"].receipt
    wrong = get(client, r.number, "ZZZZ2222")
    unknown = get(client, "2099-999999", "ZZZZ2222")
    assert wrong.status_code == unknown.status_code == 200
    body_wrong = wrong.get_data(as_text=True).replace(r.number, "NUMBER")
    body_unknown = unknown.get_data(as_text=True).replace("2099-999999", "NUMBER")
    assert body_wrong == body_unknown
    assert "No receipt matches this number and check code." in body_wrong
    assert wrong.headers["Cache-Control"] == "no-store"


def test_code_is_not_case_sensitive(db, campaign_world):
    r = campaign_world["b"].receipt
    assert trace_receipt(db, f" {r.number} ", r.check_code.lower()) is not None


def test_nul_byte_is_a_bad_request_not_an_error(client, db):
    # The app refuses NUL in any parameter before the view runs: 400 with a message.
    response = get(client, "2026-000001\x00", "ABCDEFGH")
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)


@pytest.mark.parametrize("number, code", [
    ("2026-000001\x07", "ABCDEFGH"), ("x" * 5000, "ABCDEFGH"), ("2026-000001", "码" * 8),
    ("2026-000001", "\x1b[31m"), ("", ""), ("2026-000001", ""), ("", "ABCDEFGH"),
])
def test_malformed_input_is_not_found_never_an_error(client, db, campaign_world, number, code):
    response = get(client, number, code)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No receipt matches this number and check code." in html
    assert "\x00" not in html and "\x1b" not in html


def test_stocktake_shortfall_is_reported(db, make_org, make_point, make_item, make_donor):
    org = make_org()
    point = make_point(org)
    coat = make_item(org)
    donor = make_donor(org=org)
    doc = intake.post_intake(A, db, point, {
        "received_on": dt.date(2026, 11, 1), "donor_id": donor.id, "with_receipt": True,
        "lines": [{"item_type_id": coat.id, "quantity": "5", "unit_value": "30",
                   "valuation_basis": "市场价"}]}, today=TODAY)
    sheet = documents.start_stocktake(A, db, point, today=TODAY)
    documents.set_counts(A, db, sheet, {sheet.lines[0].id: "4"})
    documents.submit_stocktake(A, db, sheet)
    documents.approve_stocktake(A, db, sheet, today=TODAY)
    db.commit()
    t = trace_receipt(db, doc.receipt.number, doc.receipt.check_code)
    assert [(o.kind, o.quantity, o.day) for o in t.goods[0].outcomes] == [
        ("stocktake_loss", D("1"), TODAY), ("on_shelf", D("4"), None)]


def test_the_help_says_where_the_check_code_is_printed(client, db):
    """The receipt prints the check code at the top, under its number (templates/pdf/
    receipt.html), not next to the QR code: the help on the trace form must say so."""
    html = client.get("/trace").get_data(as_text=True)
    assert "票据号码下方" in html and "校验码" in html
    assert "二维码旁" not in html and "next to the QR code" not in html
