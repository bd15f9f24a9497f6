"""Receipts and handover slips: a print button (static JS, no inline script) and roll paper
of 80 mm by default, 58 mm or A4 on request; the print dialog decides with ?paper=dialog."""
import re
from decimal import Decimal

import pytest

from charity.core.system import system_actor
from charity.goods.services import post_intake
from charity.goods.services.distributions import post_distribution
from tests.goods.test_intake_views import client, org, point, today  # noqa: F401


def print_button(html):
    return re.search(r'<button type="button"[^>]*data-print[^>]*>', html)


@pytest.fixture
def slip(db, org, point, make_item, stock, make_household):
    coat = make_item(org)
    stock(point, coat, 5)
    household = make_household(org)
    dist = post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id, "lines": [{"item_type_id": coat.id, "quantity": "1"}]})
    db.commit()
    return f"/staff/distributions/{dist.id}"


@pytest.fixture
def receipt_url(db, org, point, make_item, make_donor, today):
    coat = make_item(org)
    donor = make_donor(org=org, name="孙八")
    intake = post_intake(system_actor(), db, point, {
        "donor_id": donor.id, "received_on": today, "with_receipt": True, "lines": [
            {"item_type_id": coat.id, "quantity": "2", "condition": "good",
             "unit_value": "30", "valuation_basis": "同类商品市场价"}]})
    db.commit()
    assert intake.receipt.total == Decimal("60.00")
    return f"/staff/receipts/{intake.receipt_id}"


@pytest.mark.parametrize("kind", ["slip", "receipt"])
def test_print_button_and_roll_paper(client, login, make_user, org, point, request, kind):
    url = request.getfixturevalue("slip" if kind == "slip" else "receipt_url")
    login(make_user("volunteer", org=org, points=[point]))
    html = client.get(url).get_data(as_text=True)
    assert print_button(html) and "js/staff.js" in html and "onclick" not in html
    assert f'class="{kind} paper-80' in html  # 80 mm by default
    html = client.get(url + "?paper=58").get_data(as_text=True)
    assert f'class="{kind} paper-58' in html
    html = client.get(url + "?paper=dialog").get_data(as_text=True)
    assert f'class="{kind}"' in html or f'class="{kind} voided"' in html
    css = client.get("/static/css/" + ("slip.css" if kind == "slip" else "receipt.css"))
    text = css.get_data(as_text=True)
    css.close()
    assert re.search(r"@page \S*58 \{ size: 58mm", text) and re.search(
        r"@page \S*80 \{ size: 80mm", text)
