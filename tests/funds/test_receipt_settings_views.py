"""The receipt settings screen (finance-bureau allocations, review), the review button, the
finance platform's receipt number, company donors' credit codes and /trace with codes as
people type or paste them. Pages are read in the default language (Chinese)."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.audit.models import AuditLog
from charity.funds.models import Receipt, ReceiptAllocation, ReceiptPolicy
from charity.funds.services import ledger
from charity.orgs import uscc
from charity.people.models import Donor
from tests.factories_funds import TODAY

TOKEN = 'name="submission_token" type="hidden" value="'


class FreshClient(FlaskClient):
    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    return FreshClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def manager(make_user, fundraising_org):
    return make_user("manager", org=fundraising_org, display_name="马文静")


def fresh(db, receipt):
    row = db.get(Receipt, receipt.id)
    db.refresh(row)
    return row


def token_of(client, url):
    html = client.get(url).get_data(as_text=True)
    start = html.index(TOKEN) + len(TOKEN)
    return html[start:html.index('"', start)]


def allocation_data(client, org, **change):
    data = {"submission_token": token_of(client, "/staff/receipts/settings/"),
            "organization_id": org.id, "bill_code": "62010126", "first_number": "1",
            "last_number": "500", "authority": "甘肃省财政厅", "project_code": "0101",
            "valid_from": "2026-01-01", "valid_until": "2026-12-31"}
    data.update(change)
    return data


def test_manager_records_an_allocation_with_audit(client, login, db, manager, fundraising_org):
    login(manager)
    response = client.post("/staff/receipts/settings/allocations",
                           data=allocation_data(client, fundraising_org))
    assert response.status_code == 302
    allocation = db.scalar(sa.select(ReceiptAllocation))
    assert (allocation.organization_id, allocation.bill_code, allocation.first_number,
            allocation.last_number, allocation.next_number) == (
        fundraising_org.id, "62010126", 1, 500, 1)
    assert db.scalar(sa.select(AuditLog.action).where(
        AuditLog.action == "receipt_allocation.add")) is not None
    page = client.get("/staff/receipts/settings/").get_data(as_text=True)
    assert "62010126" in page and "500" in page and "甘肃省财政厅" in page


@pytest.mark.parametrize("change, message", [
    ({"last_number": "0", "first_number": "10"}, "止号不能小于起号"),
    ({"first_number": "abc"}, "不是有效的整数"),
    ({"valid_until": "2025-01-01"}, "有效期截止日期不能早于起始日期"),
])
def test_bad_allocation_is_answered_in_chinese_next_to_the_field(
        client, login, db, manager, fundraising_org, change, message):
    login(manager)
    response = client.post("/staff/receipts/settings/allocations",
                           data=allocation_data(client, fundraising_org, **change))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.scalar(sa.select(ReceiptAllocation.id)) is None


def test_volunteer_cannot_open_the_settings(client, login, make_user, make_point,
                                            fundraising_org):
    login(make_user("volunteer", org=fundraising_org, points=[make_point(fundraising_org)]))
    assert client.get("/staff/receipts/settings/").status_code == 403


def donate(db, user, org, donor):
    entry = ledger.post_donation(user, db, org, {
        "kind": "donation", "amount": Decimal("100"), "entry_date": dt.date(2026, 3, 1),
        "channel": "cash", "donor_id": donor.id}, today=TODAY)
    db.commit()
    return entry.receipt


def test_review_needs_a_second_person(client, login, db, manager, make_user, fundraising_org,
                                      make_donor):
    login(manager)
    client.post("/staff/receipts/settings/review",
                data={"organization_id": fundraising_org.id, "review_required": "y"})
    policy = db.get(ReceiptPolicy, fundraising_org.id)
    db.refresh(policy)
    assert policy.review_required is True
    receipt = donate(db, manager, fundraising_org, make_donor())
    page = client.get(f"/staff/receipts/{receipt.id}").get_data(as_text=True)
    assert "开具人不能复核自己开具的收据" in page and "receipt_review" not in page
    response = client.post(f"/staff/receipts/{receipt.id}/review", follow_redirects=True)
    assert "开具人不能复核自己开具的收据" in response.get_data(as_text=True)
    assert fresh(db, receipt).reviewed_by_id is None
    second = make_user("manager", org=fundraising_org, display_name="赵复核")
    client.post("/logout")
    login(second)
    client.post(f"/staff/receipts/{receipt.id}/review")
    assert fresh(db, receipt).reviewed_by_id == second.id
    assert "赵复核" in client.get(f"/staff/receipts/{receipt.id}").get_data(as_text=True)


def test_platform_number_is_recorded_and_printed(client, login, db, manager, fundraising_org,
                                                 make_donor):
    receipt = donate(db, manager, fundraising_org, make_donor())
    login(manager)
    bad = client.post(f"/staff/receipts/{receipt.id}/platform-number",
                      data={"platform_number": "电子票据"})
    assert bad.status_code == 200 and "字母、数字和短横线" in bad.get_data(as_text=True)
    client.post(f"/staff/receipts/{receipt.id}/platform-number",
                data={"platform_number": "6201-2026-00001234"})
    assert fresh(db, receipt).platform_number == "6201-2026-00001234"
    page = client.get(f"/staff/receipts/{receipt.id}").get_data(as_text=True)
    assert "财政电子票据号码" in page and "6201-2026-00001234" in page


def new_donor(client, org, **data):
    token = token_of(client, "/staff/donors/new")
    return client.post("/staff/donors/new", data={
        "submission_token": token, "organization_id": org.id, "kind": "organization",
        "name": "兰州某公司", **data})


def test_company_credit_code_is_validated(client, login, db, manager, fundraising_org):
    login(manager)
    body = "91620102MA7LXK3Q0"
    good = uscc.make(body)
    wrong = body + next(c for c in uscc.ALPHABET if c != good[-1])
    refused = new_donor(client, fundraising_org, id_code=wrong)
    assert refused.status_code == 200
    assert "统一社会信用代码无效" in refused.get_data(as_text=True)
    assert db.scalar(sa.select(Donor.id)) is None
    # Typed with a full-width input method, spaces and lower case: accepted, stored canonical.
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in good[:9]) + " " + \
        good[9:].lower()
    assert new_donor(client, fundraising_org, id_code=typed).status_code == 302
    assert db.scalar(sa.select(Donor.id_code)) == good


@pytest.mark.parametrize("spell", [
    lambda n, c: (n.replace("-", " "), c[:4] + " " + c[4:]),
    lambda n, c: (n.replace("-", ""), c.lower()),
    lambda n, c: (" " + n + " ", "-".join([c[:4], c[4:]])),
    lambda n, c: (n.replace("2026-", "2 026-"), " ".join(c)),  # copied from a spaced PDF
])
def test_trace_accepts_codes_as_typed_or_pasted(client, db, manager, fundraising_org,
                                                make_donor, spell):
    receipt = donate(db, manager, fundraising_org, make_donor())
    number, code = spell(receipt.number, receipt.check_code)
    page = client.get("/trace", query_string={"r": number, "c": code}).get_data(as_text=True)
    assert 'id="trace-not-found"' not in page and "100.00" in page


def test_trace_still_refuses_a_wrong_code(client, db, manager, fundraising_org, make_donor):
    receipt = donate(db, manager, fundraising_org, make_donor())
    wrong = receipt.check_code[1:] + receipt.check_code[0]
    page = client.get("/trace", query_string={"r": receipt.number.replace("-", " "),
                                              "c": wrong.lower()}).get_data(as_text=True)
    assert 'id="trace-not-found"' in page and "100.00" not in page
