"""Receipt screens: list, printable page (Art. 6 fields, capitals, check code, QR), voiding."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.funds.services import ledger
from charity.funds.models import Receipt, ReceiptSequence, ReceiptStatus
from tests.factories_funds import TODAY

ID_CODE = "620102199001011234"


class FreshClient(FlaskClient):
    """Each request in its own app context, as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")
    return c


@pytest.fixture
def org(fundraising_org):
    return fundraising_org


@pytest.fixture
def manager(make_user, org):
    return make_user("manager", org=org)


@pytest.fixture
def volunteer(make_user, make_point, org):
    return make_user("volunteer", org=org, points=[make_point(org)])


@pytest.fixture
def make_receipt(db, actor, org, make_donor):
    def factory(amount="1234.56", day=dt.date(2026, 3, 1), **donor_data):
        donor = make_donor(**donor_data)
        entry = ledger.post_donation(actor, db, org, {
            "kind": "donation", "amount": Decimal(amount), "entry_date": day,
            "channel": "bank_transfer", "donor_id": donor.id}, today=TODAY)
        return entry.receipt

    return factory


@pytest.fixture
def receipt(make_receipt):
    return make_receipt()


def status_of(db, receipt):
    fresh = db.get(Receipt, receipt.id)
    db.refresh(fresh)
    return fresh


def test_receipt_page_has_the_statutory_fields(client, login, manager, receipt, org):
    login(manager)
    response = client.get(f"/staff/receipts/{receipt.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "壹仟贰佰叁拾肆元伍角陆分" in html
    assert receipt.check_code in html and receipt.number in html
    assert "1,234.56" in html and "张三" in html and ID_CODE in html
    assert org.name in html and org.uscc in html
    assert "货币捐赠（银行转账）" in html and "元" in html
    assert "<svg" in html and "shape-rendering" in html  # the QR code, inline
    assert "css/receipt.css" in html
    assert "作废" not in html


def test_qr_code_encodes_the_trace_url(client, login, manager, receipt):
    login(manager)
    html = client.get(f"/staff/receipts/{receipt.id}").get_data(as_text=True)
    assert f"http://localhost/trace?r={receipt.number}&amp;c={receipt.check_code}" in html


def test_volunteer_sees_the_payer_code_masked(client, login, volunteer, receipt):
    login(volunteer)
    html = client.get(f"/staff/receipts/{receipt.id}").get_data(as_text=True)
    assert "6201**********1234" in html and ID_CODE not in html
    assert "Void this receipt" not in html  # the form is not offered


@pytest.mark.parametrize("paper", ["a4", "80", "58"])
def test_paper_choice_sets_the_page_class(client, login, manager, receipt, paper):
    login(manager)
    html = client.get(f"/staff/receipts/{receipt.id}?paper={paper}").get_data(as_text=True)
    assert f"receipt paper-{paper}" in html


def test_unknown_paper_is_ignored(client, login, manager, receipt):
    login(manager)
    html = client.get(f"/staff/receipts/{receipt.id}?paper=../x").get_data(as_text=True)
    assert "paper-../x" not in html and 'class="receipt"' in html


def test_print_stylesheet_covers_rolls_and_a4(app):
    css = (Path(app.static_folder) / "css" / "receipt.css").read_text(encoding="utf-8")
    assert "@media print" in css
    for rule in ("size: A4", "size: 80mm", "size: 58mm", "max-width: 100mm"):
        assert rule in css, rule


def test_voiding_needs_a_reason(client, login, db, manager, receipt):
    login(manager)
    response = client.post(f"/staff/receipts/{receipt.id}/void", data={"reason": "  "})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="reason-error"' in html and "Say why the receipt is voided." in html
    assert status_of(db, receipt).status == ReceiptStatus.ISSUED


def test_void_keeps_the_number_used(client, login, db, manager, receipt, make_receipt):
    login(manager)
    response = client.post(f"/staff/receipts/{receipt.id}/void",
                           data={"reason": "开错金额"})
    assert response.status_code == 302
    assert response.location.endswith(f"/staff/receipts/{receipt.id}")
    voided = status_of(db, receipt)
    assert voided.status == ReceiptStatus.VOIDED and voided.void_reason == "开错金额"
    assert voided.number == receipt.number and voided.voided_by_id == manager.id
    page = client.get(f"/staff/receipts/{receipt.id}").get_data(as_text=True)
    assert "作废" in page and "开错金额" in page and "void-mark" in page
    # The next receipt takes the next number: the voided one is not reused.
    assert make_receipt(amount="5.00").number == "2026-000002"
    assert db.scalar(sa.select(ReceiptSequence.last_seq).where(
        ReceiptSequence.organization_id == receipt.organization_id,
        ReceiptSequence.year == 2026)) == 2
    listing = client.get("/staff/receipts/?status=voided").get_data(as_text=True)
    assert receipt.number in listing and "Voided" in listing
    assert receipt.number not in client.get("/staff/receipts/?status=issued").get_data(
        as_text=True)


def test_second_void_is_refused(client, login, db, manager, receipt):
    login(manager)
    client.post(f"/staff/receipts/{receipt.id}/void", data={"reason": "第一次"})
    response = client.post(f"/staff/receipts/{receipt.id}/void", data={"reason": "第二次"})
    assert response.status_code == 200
    assert "This receipt is already void." in response.get_data(as_text=True)
    assert status_of(db, receipt).void_reason == "第一次"


@pytest.mark.parametrize("role", ["volunteer", "auditor"])
def test_only_managers_void(client, login, db, make_user, make_point, org, receipt, role):
    user = make_user(role, org=org, points=[make_point(org)] if role == "volunteer" else ())
    login(user)
    response = client.post(f"/staff/receipts/{receipt.id}/void", data={"reason": "试试"})
    assert response.status_code == 403
    assert status_of(db, receipt).status == ReceiptStatus.ISSUED


def test_other_organisations_receipt_is_forbidden(client, login, make_user, make_org, db,
                                                  receipt):
    outsider = make_user("manager", org=make_org())
    login(outsider)
    assert client.get(f"/staff/receipts/{receipt.id}").status_code == 403
    assert client.post(f"/staff/receipts/{receipt.id}/void",
                       data={"reason": "x"}).status_code == 403
    assert status_of(db, receipt).status == ReceiptStatus.ISSUED
    assert receipt.number not in client.get("/staff/receipts/").get_data(as_text=True)


def test_unknown_receipt_is_404(client, login, manager):
    login(manager)
    assert client.get("/staff/receipts/999999").status_code == 404


def test_list_search_and_filters(client, login, manager, make_receipt):
    first = make_receipt(name="王五")
    second = make_receipt(name="赵六", amount="8.00", day=dt.date(2026, 4, 1))
    login(manager)
    by_payer = client.get("/staff/receipts/?q=王五").get_data(as_text=True)
    assert first.number in by_payer and second.number not in by_payer
    by_number = client.get(f"/staff/receipts/?q={second.number}").get_data(as_text=True)
    assert second.number in by_number and first.number not in by_number
    assert first.number in client.get("/staff/receipts/?year=2026").get_data(as_text=True)
    assert first.number not in client.get("/staff/receipts/?year=2025").get_data(as_text=True)
    assert client.get("/staff/receipts/?year=abc&status=nonsense").status_code == 200


def test_volunteer_lists_receipts_of_their_organisation(client, login, volunteer, receipt):
    login(volunteer)
    assert receipt.number in client.get("/staff/receipts/").get_data(as_text=True)
