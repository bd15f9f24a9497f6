"""The counter's receipt switch (on by default, a known donor gets a receipt), the receipt
issued later from the saved intake (never twice), and the shared error summary: every error
of a submit at once, each linked to its input, what was typed kept."""
import re
from decimal import Decimal

import sqlalchemy as sa

from charity.core.system import system_actor
from charity.funds.models import Receipt
from charity.goods.models import Intake
from charity.goods.services import post_intake
from tests.goods.test_intake_views import (  # noqa: F401  (fixtures)
    URL, client, coat, form_data, is_checked, open_form, org, point, today, value_of,
    volunteer)


def receipts_of(db, donor):
    return db.scalars(sa.select(Receipt).where(Receipt.donor_id == donor.id)).all()


def test_the_receipt_switch_is_on_and_a_known_donor_gets_one(client, login, db, volunteer,
                                                             point, coat, make_donor, org):
    donor = make_donor(org=org, name="赵六", phone="13700001111")
    login(volunteer)
    html, token = open_form(client)
    assert is_checked(html, "with_receipt")
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "2"}],
        donor_mode="existing", donor_id=str(donor.id), with_receipt="y"))
    assert response.status_code == 302
    [receipt] = receipts_of(db, donor)
    assert receipt.total == Decimal("60.00")  # 2 × the catalogue's 30.00


def test_an_anonymous_gift_with_the_switch_on_is_received_without_receipt(
        client, login, db, volunteer, point, coat):
    login(volunteer)
    _html, token = open_form(client)
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "1"}], with_receipt="y"))
    assert response.status_code == 302
    intake = db.scalar(sa.select(Intake))
    assert intake.donor_id is None and intake.receipt_id is None


def test_switched_off_then_issued_later_once(client, login, db, volunteer, point, coat,
                                              make_donor, org, today):
    donor = make_donor(org=org, name="钱七", phone="13700002222")
    intake = post_intake(system_actor(), db, point, {
        "donor_id": donor.id, "received_on": today, "lines": [
            {"item_type_id": coat.id, "quantity": "3", "condition": "good",
             "unit_value": "20", "valuation_basis": "同类商品市场价"}]})
    db.commit()
    assert intake.receipt_id is None
    login(volunteer)
    view = f"/staff/intake/{intake.id}"
    page = client.get(view).get_data(as_text=True)
    action = f'action="/staff/intake/{intake.id}/receipt"'
    assert action in page and "Issue the receipt now" in page
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    first = client.post(f"{view}/receipt", data={"csrf_token": csrf})
    second = client.post(f"{view}/receipt", data={"csrf_token": csrf})
    assert first.status_code == second.status_code == 302
    [receipt] = receipts_of(db, donor)  # the second click issued nothing
    assert receipt.total == Decimal("60.00") and receipt.payer_name == "钱七"
    db.expire_all()
    assert db.get(Intake, intake.id).receipt_id == receipt.id
    page = client.get(view).get_data(as_text=True)
    assert action not in page and receipt.number in page


def test_no_later_receipt_for_an_anonymous_gift(client, login, db, volunteer, point, coat,
                                                today):
    intake = post_intake(system_actor(), db, point, {"received_on": today, "lines": [
        {"item_type_id": coat.id, "quantity": "1", "condition": "good"}]})
    db.commit()
    login(volunteer)
    page = client.get(f"/staff/intake/{intake.id}").get_data(as_text=True)
    assert "/receipt\"" not in page
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"csrf_token": csrf.group(1)} if csrf else {}
    response = client.post(f"/staff/intake/{intake.id}/receipt", data=data)
    assert response.status_code == 302
    assert db.scalar(sa.select(sa.func.count(Receipt.id))) == 0


def test_every_error_of_a_submit_is_summarised_with_links(client, login, db, volunteer, point,
                                                          coat):
    login(volunteer)
    _html, token = open_form(client)
    response = client.post(URL, data=form_data(
        token, point, [{"item_type_id": "", "quantity": "5"}],
        donor_mode="new", new_donor_name="", received_on="not a date"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    summary = re.search(r'<div[^>]*data-error-summary[^>]*>(.*?)</div>', html, re.S)
    assert summary and 'role="alert"' in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'<a href="#([^"]+)"', summary.group(1))
    # The line without an item and the bad date come back together (the donor's name is
    # checked once the fields are valid); each link targets an input that is on the page.
    assert {"lines-0-item_type_id", "received_on"} <= set(links)
    for target in links:
        assert f'id="{target}"' in html
    assert value_of(html, "lines-0-quantity") == "5"
    assert "js/staff.js" in html
    assert db.scalar(sa.select(sa.func.count(Intake.id))) == 0
