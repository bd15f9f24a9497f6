"""The volunteer's home is the day's work: big buttons for the four daily jobs and today's
figures for their point, a bottom bar of the same jobs on every staff page, and a staff
header of one short row; managers keep their home with the same header."""
import datetime as dt
import re
from decimal import Decimal

import pytest

from charity.core.clock import org_today
from charity.core.system import system_actor
from charity.goods.services import post_intake
from charity.goods.services.sales import post_sale
from tests.goods.test_intake_views import client  # noqa: F401  (fixture)

JOBS = {"/staff/intake/new": "Receive", "/staff/distributions/new": "Hand out",
        "/staff/sales/new": "Sell", "/staff/stocktakes/new": "Count stock"}


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def point(make_point, org):
    return make_point(org)


def job_links(html, container):
    block = re.search(rf'<nav class="{container}"[^>]*>(.*?)</nav>', html, re.S)
    return dict(re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', block.group(1))) \
        if block else {}


def figures(html):
    block = re.search(r'<dl class="today-figures">(.*?)</dl>', html, re.S).group(1)
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", block))


def test_the_volunteers_home_is_the_days_work(client, login, db, make_user, org, point,
                                              make_item, stock):
    volunteer = make_user("volunteer", org=org, points=[point])
    coat = make_item(org, sale_price=Decimal("15.50"))
    stock(point, coat, 10)  # an intake of 2026-11-01: not today's
    today = org_today(org)
    for n in ("1", "2"):
        post_intake(system_actor(), db, point, {"received_on": today, "lines": [
            {"item_type_id": coat.id, "quantity": n, "condition": "good"}]})
    post_sale(system_actor(), db, point, {"payment_method": "cash", "lines": [
        {"item_type_id": coat.id, "quantity": "2", "unit_price": ""}]})
    post_intake(system_actor(), db, point, {"received_on": today - dt.timedelta(days=1),
                                            "lines": [{"item_type_id": coat.id,
                                                       "quantity": "1", "condition": "good"}]})
    db.commit()
    login(volunteer)
    html = client.get("/staff/").get_data(as_text=True)
    assert job_links(html, "counter-jobs") == JOBS
    assert job_links(html, "counter-bar") == JOBS  # the phone's bottom bar
    shown = figures(html)
    assert shown["Donations received"] == "2" and shown["Handed out"] == "0"
    assert shown["Sales"] == "1" and "31.00" in shown["Sales proceeds"]  # 2 × 15.50
    # The header is one menu, not a row of drop-downs; every job page has the bar.
    assert html.count("<details class=\"dropdown") == 1
    for url in JOBS:
        page = client.get(url).get_data(as_text=True)
        assert job_links(page, "counter-bar") == JOBS, url


def test_a_manager_keeps_the_home_page_with_the_compact_header(client, login, make_user, org):
    login(make_user("manager", org=org))
    html = client.get("/staff/").get_data(as_text=True)
    assert 'class="counter-jobs"' not in html and 'class="counter-bar"' not in html
    assert "today-figures" not in html and "Open charity points" in html
    assert html.count("<details class=\"dropdown") == 1
    menu = re.search(r'<details class="dropdown staff-menu">(.*?)</details>', html, re.S)
    assert "/staff/intake/new" in menu.group(1) and "Sign out" in menu.group(1)


def test_counter_forms_start_with_one_line_and_add_line_is_beside_them(
        client, login, make_user, org, point, make_household):
    login(make_user("volunteer", org=org, points=[point]))
    household = make_household(org)
    for url in ("/staff/intake/new", f"/staff/distributions/new?beneficiary={household.id}",
                "/staff/sales/new"):
        html = client.get(url).get_data(as_text=True)
        assert 'name="lines-0-quantity"' in html and 'name="lines-1-quantity"' not in html, url
        add = html.index('name="more"')
        # Beside the lines: after the last line, before the form's own submit button.
        assert html.index('name="lines-0-quantity"') < add
        assert add < html.index('class="counter-submit"' if "intake" not in url
                                else 'class="intake-submit"'), url
