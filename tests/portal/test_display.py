"""The in-store screen (issue 20 §4): /display/points/<id>, no sign-in, read-only — today's
and this month's goods received and handed out in their own units, money raised, running
campaigns, wanted items, the latest disclosures with QR codes, the transparency grade; and
never a person. The figures are checked against sums the test makes of what it posted."""
import datetime as dt
import re
from decimal import Decimal as D

import pytest

from charity.core.clock import org_today
from charity.core.system import system_actor
from charity.funds.services import ledger
from charity.goods.services.distributions import post_distribution
from charity.goods.services.intake import post_intake, reverse_intake
from charity.goods.services.sales import post_sale
from charity.goods.services.targets import set_wanted_level
from charity.orgs.services import set_point_active


@pytest.fixture
def shop(db, fundraising_org, make_point, make_item, make_household, make_campaign):
    """A point with goods posted today, on the first of the month and last month, a
    household served, a sale, money given, a campaign running; `expected` holds what the
    test itself sums from these postings."""
    org = fundraising_org
    point = make_point(org, name="张掖路慈善超市")
    coat = make_item(org, name="棉衣", unit="件", sale_price=D("15.00"))
    rice = make_item(org, name="大米", unit="kg")
    today = org_today(org)
    month_start = today.replace(day=1)
    last_month = month_start - dt.timedelta(days=1)
    a = system_actor()
    received = [(last_month, coat, D(100)), (last_month, rice, D(50)), (month_start, coat, D(7)),
                (today, coat, D(3)), (today, rice, D("12.5"))]
    for day, item, quantity in received:
        post_intake(a, db, point, {"received_on": day, "lines": [
            {"item_type_id": item.id, "quantity": str(quantity), "condition": "good"}]},
            today=today)
    mistaken = post_intake(a, db, point, {"received_on": today, "lines": [
        {"item_type_id": coat.id, "quantity": "40", "condition": "good"}]}, today=today)
    reverse_intake(a, db, mistaken, "录错了", today=today)  # counts for nothing
    household = make_household(org, name="王秀英")
    post_distribution(a, db, point, {"beneficiary_id": household.id, "distributed_on": today,
                                     "lines": [{"item_type_id": coat.id, "quantity": "2"}]},
                      today=today)
    post_sale(a, db, point, {"payment_method": "cash", "sold_on": today,
                             "lines": [{"item_type_id": rice.id, "quantity": "4"}]},
              today=today)
    handed = [(today, coat, D(2)), (today, rice, D(4))]
    set_wanted_level(a, db, point, rice.id, D("200"))
    gifts = [(today, D("300.00"), "赵敏"), (last_month, D("1000.00"), "钱多")]
    for day, amount, donor in gifts:
        ledger.post_donation(a, db, org, {"kind": "donation", "amount": amount,
                                          "entry_date": day, "channel": "cash",
                                          "counterparty": donor},
                             with_receipt=False, today=today)
    make_campaign(org, name="冬衣募捐", target_amount=D("5000"))
    db.commit()

    def units(rows, since):
        totals: dict = {}
        for day, item, quantity in rows:
            if since <= day <= today:
                totals[item.unit] = totals.get(item.unit, D(0)) + quantity
        return " ".join(f"{q.normalize():f} {u}" for u, q in sorted(totals.items()))

    on_hand_rice = sum(q for _d, i, q in received if i is rice) - D(4)
    return {"point": point, "household": household, "expected": {
        "今日接收": units(received, today), "今日发放": units(handed, today),
        "本月接收": units(received, month_start), "本月发放": units(handed, month_start),
        "month": sum(x for d, x, _n in gifts if d >= month_start),
        "year": sum(x for d, x, _n in gifts if d.year == today.year),
        "rice_short": D("200") - on_hand_rice}}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_screen_shows_the_figures_posted(client, shop):
    r = client.get(f"/display/points/{shop['point'].id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    expected = shop["expected"]
    tiles = dict(re.findall(r'<article class="tile[^"]*"><h2>([^<]+)</h2><p>(.*?)</p>', html,
                            re.S))
    for title in ("今日接收", "今日发放", "本月接收", "本月发放"):
        assert _text(tiles[title]) == expected[title], title
    assert _text(tiles["本月捐赠"]) == f"¥{expected['month']:,}"
    text = _text(html)
    assert f"今年 ¥{expected['year']:,}" in text
    assert "冬衣募捐" in text and "¥5,000.00" in text
    assert f"大米 {expected['rice_short'].normalize():f} kg" in text
    # No person: not the household, not a donor.
    for name in ("王秀英", "赵敏", "钱多", shop["household"].phone):
        assert name not in html


def test_inactive_and_unknown_points_are_a_404(client, db, shop):
    assert client.get("/display/points/99999").status_code == 404
    set_point_active(system_actor(), db, shop["point"], False)
    db.commit()
    assert client.get(f"/display/points/{shop['point'].id}").status_code == 404
