"""Public campaign and project pages: the plan, progress over time (charts and their
tables), use of funds, disclosures and deadlines; the list with its filters; drafts and
unknown ids are 404, malformed parameters 400."""
import datetime as dt
from decimal import Decimal as D

import pytest

from charity.funds.services import ledger
from charity.goods.services.distributions import post_distribution
from charity.portal.queries import figures as stats
from charity.core.system import system_actor

TODAY = dt.date(2026, 11, 25)


def post(db, org, kind, amount, day, **data):
    values = {"kind": kind, "amount": D(amount), "entry_date": day, **data}
    if kind == "donation":
        entry = ledger.post_donation(system_actor(), db, org, dict(values, channel="wechat",
                                                                   counterparty="王五"),
                                     with_receipt=False, today=TODAY)
    else:
        entry = ledger.post_entry(system_actor(), db, org, values, today=TODAY)
    db.commit()
    return entry


@pytest.fixture
def funded(db, fundraising_org, make_campaign, make_project, make_point, make_item, stock,
           make_household):
    org = fundraising_org
    campaign = make_campaign(name="冬衣募捐", planned_start=dt.date(2026, 9, 1),
                             planned_end=dt.date(2026, 12, 31))
    project = make_project(name="冬衣发放", campaigns=[campaign], budget=D("2000"))
    post(db, org, "donation", "300", dt.date(2026, 9, 5), campaign_id=campaign.id)
    post(db, org, "donation", "700", dt.date(2026, 11, 2), campaign_id=campaign.id)
    post(db, org, "project_spending", "400", dt.date(2026, 11, 3), campaign_id=campaign.id,
         project_id=project.id, purpose="购买棉衣", counterparty="商店", voucher_no="V1")
    post(db, org, "fundraising_cost", "20", dt.date(2026, 10, 1), campaign_id=campaign.id,
         purpose="宣传")
    point = make_point(org)
    coat = make_item(org, point_price=0)
    from charity.goods.services.intake import post_intake
    post_intake(system_actor(), db, point, {"received_on": dt.date(2026, 10, 8),
                                             "campaign_id": campaign.id,
                                             "lines": [{"item_type_id": coat.id,
                                                        "quantity": "12",
                                                        "condition": "good"}]}, today=TODAY)
    stock(point, coat, 3)
    for n in (2, 1):
        hh = make_household(org)
        post_distribution(system_actor(), db, point, {
            "beneficiary_id": hh.id, "project_id": project.id, "distributed_on": TODAY,
            "lines": [{"item_type_id": coat.id, "quantity": str(n)}]}, today=TODAY)
    db.commit()
    return {"org": org, "campaign": campaign, "project": project, "coat": coat}


def test_campaign_series_by_month(db, funded):
    series = stats.campaign_series(db, funded["campaign"], TODAY)
    assert [(p.month.month, p.received, p.received_cumulative, p.spent_cumulative,
             p.goods_received.get("件")) for p in series] == [
        (9, D("300"), D("300"), D("0"), D("0")),
        (10, D("0"), D("300"), D("20"), D("12")),
        (11, D("700"), D("1000"), D("420"), D("0")),
    ]


def test_project_series_by_month(db, funded):
    series = stats.project_series(db, funded["project"], TODAY)
    assert series[0].month == dt.date(2026, 1, 1) and len(series) == 11
    last = series[-1]
    assert (last.spent, last.spent_cumulative, last.goods_distributed.get("件"), last.new_households,
            last.households_cumulative) == (D("400"), D("400"), D("3"), 2, 2)
    assert all(not p.goods_distributed for p in series[:-1])


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_campaign_page(client, db, funded):
    from charity.disclosure.obligations import refresh_subject

    c = funded["campaign"]
    refresh_subject(db, c, TODAY)
    db.commit()
    page = html(client, f"/campaigns/{c.id}")
    assert "冬衣募捐" in page and "为困难家庭筹集冬衣" in page and "5362010200001" in page
    assert "中国银行 1234" in page  # where to give, while it runs
    assert '<progress value="1.0" max="100"' in page and "¥1,000.00" in page
    assert "¥420.00" in page and "¥580.00" in page  # used, remaining
    # the chart, with its numbers, and the same numbers in its table
    assert page.count('role="img"') == 2
    assert "<title>2026-11 " in page and ": ¥1,000.00</title>" in page
    assert "<th scope=\"row\">2026-10</th>" in page and page.count("<details>") == 2
    # use of funds: the project (linked) and the fundraising costs
    assert f'<a href="/projects/{funded["project"].id}">冬衣发放</a>' in page
    assert "¥400.00" in page and "¥20.00" in page
    assert "12 件" in page  # goods received for the campaign
    assert "2027年3月31日" in page and "全面公开" in page  # the final disclosure, due
    assert "王五" not in page  # the donor did not consent to be named


def test_project_page_names_no_household(client, db, funded):
    p = funded["project"]
    page = html(client, f"/projects/{p.id}")
    assert "冬衣发放" in page and "资助学生" in page
    assert "购买棉衣" in page and "¥400.00" in page  # spending by purpose
    assert f'href="/campaigns/{funded["campaign"].id}"' in page  # funded by
    assert "3 件" in page  # distributed
    assert '<p class="stat">2</p>' in page  # households served, counted
    assert "<strong>20%</strong>" in page  # 400 of a 2,000 budget
    for private in ("住户", "张掖路", "1390931"):
        assert private not in page


def test_english_on_request(client, db, funded):
    page = html(client, f"/campaigns/{funded['campaign'].id}?lang=en")
    assert '<html lang="en"' in page and "CN¥1,000.00" in page


def test_drafts_and_unknown_ids_are_not_found(client, db, make_campaign, make_project):
    draft_c, draft_p = make_campaign(active=False), make_project(active=False)
    for url in (f"/campaigns/{draft_c.id}", f"/projects/{draft_p.id}", "/campaigns/999999",
                "/projects/999999", "/campaigns/99999999999999", "/projects/0"):
        assert client.get(url).status_code == 404, url


def test_list_shows_running_and_ended_never_drafts(client, db, funded, make_campaign,
                                                   make_project, make_org):
    from charity.funds.services.campaigns import end_campaign

    ended = make_campaign(name="已结束的募捐", planned_start=dt.date(2026, 1, 1),
                          planned_end=dt.date(2026, 3, 31))
    end_campaign(system_actor(), db, ended, dt.date(2026, 3, 31), today=TODAY)
    db.commit()
    make_campaign(name="草稿募捐", active=False)
    make_project(name="草稿项目", active=False)
    page = html(client, "/campaigns/")
    for name in ("冬衣募捐", "冬衣发放", "已结束的募捐"):
        assert name in page
    assert "草稿" not in page
    only_ended = html(client, "/campaigns/?status=ended")
    assert "已结束的募捐" in only_ended and "冬衣募捐" not in only_ended
    projects = html(client, "/campaigns/?type=project")
    assert "冬衣发放" in projects and "冬衣募捐" not in projects
    found = html(client, "/campaigns/?q=%E5%8F%91%E6%94%BE")  # 发放
    assert "冬衣发放" in found and "冬衣募捐" not in found
    other = make_org()
    assert "冬衣募捐" not in html(client, f"/campaigns/?org={other.id}")
    assert "冬衣募捐" in html(client, f"/campaigns/?org={funded['org'].id}")


def test_list_pages(client, app, db, make_campaign):
    size = app.config["CHARITY_PAGE_SIZE"]
    for _ in range(size + 1):
        make_campaign()
    first, second = html(client, "/campaigns/"), html(client, "/campaigns/?page=2")
    assert first.count("<article>") == size and second.count("<article>") == 1
    assert 'rel="next"' in first


@pytest.mark.parametrize("query", ["org=abc", "status=draft", "status=planned", "type=x",
                                   "page=0", "page=-1", "page=1x", "org=99999999999"])
def test_malformed_list_parameters_are_400(client, db, query):
    response = client.get(f"/campaigns/?{query}")
    assert response.status_code == 400
    assert "参数" in response.get_data(as_text=True)
