"""No public figure adds different base units (issue 20 §2): kilograms of rice and pieces
of clothing, received and handed out through their packaging units, stay apart on the home
page's totals, the in-store display, and the disclosure's goods table."""
from decimal import Decimal as D

import pytest

from charity.core.clock import org_today
from charity.core.system import system_actor
from charity.disclosure.queries import goods_received
from charity.goods.services.distributions import post_distribution
from charity.goods.services.intake import post_intake
from charity.goods.services.units import add_item_unit
from charity.portal.queries import figures
from charity.portal.queries.display import display_data


@pytest.fixture
def world(db, fundraising_org, make_point, make_item, make_household, make_campaign,
          category):
    org = fundraising_org
    point = make_point(org)
    today = org_today(org)
    coat = make_item(org, name="棉袄", unit="件", point_price=0)
    rice = make_item(org, name="称重大米", unit="kg", countable=False, point_price=0,
                     category_id=category("food").id)
    jin = add_item_unit(system_actor(), db, rice, {"name": "斤", "factor": "0.5"})
    campaign = make_campaign()
    post_intake(system_actor(), db, point, {"received_on": today, "campaign_id": campaign.id,
                                            "lines": [
        {"item_type_id": coat.id, "quantity": "3", "condition": "good"},
        {"item_type_id": rice.id, "quantity": "10", "unit_id": str(jin.id),
         "condition": "good"}]}, today=today)
    post_distribution(system_actor(), db, point, {
        "beneficiary_id": make_household(org).id, "lines": [
            {"item_type_id": coat.id, "quantity": "1"},
            {"item_type_id": rice.id, "quantity": "2", "unit_id": str(jin.id)}]}, today=today)
    db.commit()
    return {"org": org, "point": point, "campaign": campaign, "today": today}


# 3 件 and 10 斤 × 0.5 kg received; 1 件 and 2 斤 × 0.5 kg handed out.
RECEIVED = {"件": D(3), "kg": D(5)}
HANDED_OUT = {"件": D(1), "kg": D(1)}


def as_dict(rows):
    return {row.unit: row.quantity for row in rows}


def test_year_totals_keep_units_apart(db, world):
    totals = figures.year_totals(db, world["today"].year, world["org"].id)
    assert as_dict(totals.goods_received_by_unit) == RECEIVED
    assert as_dict(totals.goods_distributed_by_unit) == HANDED_OUT


def test_display_keeps_units_apart(db, world):
    data = display_data(db, world["point"])
    assert as_dict(data.received_today) == RECEIVED
    assert as_dict(data.handed_today) == HANDED_OUT


def test_disclosure_goods_table_keeps_units_apart(db, world):
    rows = goods_received(db, world["campaign"].id)
    assert {(unit, quantity) for _category, unit, quantity, _value in rows} == set(
        RECEIVED.items())


def test_home_page_shows_each_unit_and_no_sum(client, db, world):
    html = client.get("/").get_data(as_text=True)
    assert "3 件" in html and "5 kg" in html
    assert '<p class="stat">8' not in html  # 3 件 + 5 kg is not "8"
