"""The receipt PDF: served to staff, fonts embedded (a CJK one among them), the statutory
text extractable, the same receipt giving the same bytes."""
import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from charity.funds.services import ledger
from charity.funds.services.receipts import void_receipt
from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_font_report, pdf_text
from tests.factories_funds import TODAY

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)

ID_CODE = "620102199001011234"
CJK_FONTS = ("NotoSansCJK", "NotoSerifCJK")  # compared without "-" and spaces


class FreshClient(FlaskClient):
    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    return FreshClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def manager(make_user, fundraising_org):
    return make_user("manager", org=fundraising_org)


@pytest.fixture
def receipt(db, actor, fundraising_org, make_donor):
    donor = make_donor(name="欧阳明月")
    entry = ledger.post_donation(actor, db, fundraising_org, {
        "kind": "donation", "amount": Decimal("1234.56"), "entry_date": dt.date(2026, 3, 1),
        "channel": "wechat", "donor_id": donor.id}, today=TODAY)
    return entry.receipt


def get_pdf(client, receipt):
    response = client.get(f"/staff/receipts/{receipt.id}.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def test_manager_gets_a_pdf_with_embedded_cjk_fonts(client, login, manager, receipt):
    login(manager)
    response = get_pdf(client, receipt)
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert f"receipt-{receipt.number}.pdf" in response.headers["Content-Disposition"]
    pdf = response.data
    assert pdf.startswith(b"%PDF-")
    fonts = pdf_font_report(pdf)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    names = [name.replace("-", "").replace(" ", "") for name, _ in fonts]
    assert any(cjk in name for name in names for cjk in CJK_FONTS), fonts


def test_pdf_text_carries_the_receipt(client, login, manager, receipt, fundraising_org):
    login(manager)
    pages = pdf_text(get_pdf(client, receipt).data)
    assert len(pages) == 1
    text = pages[0]
    for expected in ("捐赠收据", "欧阳明月", "壹仟贰佰叁拾肆元伍角陆分", "1,234.56",
                     receipt.number, receipt.check_code, ID_CODE, fundraising_org.name,
                     "货币捐赠"):
        assert expected in text, expected
    assert "作废" not in text


def test_same_receipt_same_bytes(client, login, manager, receipt):
    login(manager)
    first = get_pdf(client, receipt).data
    second = get_pdf(client, receipt).data
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_volunteer_pdf_masks_the_payer_code(client, login, make_user, make_point,
                                            fundraising_org, receipt):
    volunteer = make_user("volunteer", org=fundraising_org,
                          points=[make_point(fundraising_org)])
    login(volunteer)
    text = pdf_text(get_pdf(client, receipt).data)[0]
    assert "6201**********1234" in text and ID_CODE not in text


def test_voided_receipt_pdf_says_so(client, login, db, actor, manager, receipt):
    void_receipt(actor, db, receipt, "重复开具")
    login(manager)
    text = pdf_text(get_pdf(client, receipt).data)[0]
    assert "作废" in text and "重复开具" in text


def test_other_organisation_gets_no_pdf(client, login, make_user, make_org, receipt):
    login(make_user("manager", org=make_org()))
    response = client.get(f"/staff/receipts/{receipt.id}.pdf")
    assert response.status_code == 403
    assert not response.data.startswith(b"%PDF")
