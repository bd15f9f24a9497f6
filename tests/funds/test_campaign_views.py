"""Campaign screens: list, plan form, detail, start / extend / end, and who may do what."""
from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from charity.core.clock import today_in
from charity.funds.services import ledger
from charity.funds.models import Campaign, CampaignChange, CampaignStatus

TODAY = today_in("Asia/Shanghai")
START = TODAY - dt.timedelta(days=60)
END = TODAY + dt.timedelta(days=120)


# --- helpers ---------------------------------------------------------------------------------

def field_error(page: str, field_id: str) -> str | None:
    """The message shown next to a field (the forms macro's <small id="…-error">)."""
    m = re.search(rf'<small id="{re.escape(field_id)}-error" class="field-error">([^<]*)</small>',
                  page)
    return html.unescape(m.group(1)) if m else None


def input_value(page: str, name: str) -> str | None:
    m = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    if not m:
        return None
    v = re.search(r'value="([^"]*)"', m.group(0))
    return html.unescape(v.group(1)) if v else ""


def count(db, model) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def plan(**overrides) -> dict:
    data = {"name": "春节慰问募捐", "purpose": "慰问困难群众", "region": "兰州市城关区",
            "donation_methods": "银行转账、微信", "bank_account": "中国银行 6217",
            "beneficiaries": "困难家庭", "intended_use": "购买慰问品", "cost_budget": "500.00",
            "leftover_plan": "转入下一期", "responsible_person": "王五", "contact": "0931-1234567",
            "filing_no": "536201020000099", "filing_date": START.isoformat(),
            "planned_start": START.isoformat(), "planned_end": END.isoformat(),
            "target_amount": "20000", "goods_wanted": "棉被"}
    data.update(overrides)
    return data


@pytest.fixture
def english(client):
    """Show the English msgids so the tests can read the messages (the Chinese catalogue is
    maintained separately)."""
    refresh()
    client.get("/language/en?next=/")
    yield
    refresh()


@pytest.fixture
def manager(db, make_user, fundraising_org, login, english):
    user = make_user("manager", org=fundraising_org)
    login(user)
    db.commit()  # a request that fails rolls back to here, not further
    return user


@pytest.fixture
def running(db, make_campaign):
    """A running campaign of the fundraising organisation, from 60 days ago to in 120 days."""
    campaign = make_campaign(planned_start=START, planned_end=END, filing_date=START)
    db.commit()
    return campaign


# --- list ------------------------------------------------------------------------------------

def test_list_shows_period_status_target_and_money(client, db, manager, actor, fundraising_org,
                                                   running, make_campaign):
    make_campaign(name="已计划的募捐", active=False, filing_no="XYZ-77")
    ledger.post_donation(actor, db, fundraising_org,
                         {"kind": "donation", "amount": Decimal("1234.50"),
                          "entry_date": TODAY - dt.timedelta(days=1), "channel": "cash",
                          "counterparty": "李四", "campaign_id": running.id},
                         with_receipt=False)
    page = client.get("/staff/campaigns").get_data(as_text=True)
    assert running.name in page and "已计划的募捐" in page
    assert "1,234.50" in page and "100,000.00" in page  # raised and target
    assert "1.2%" in page  # progress toward the target
    assert "Running" in page and "Planned" in page

    page = client.get("/staff/campaigns?q=XYZ-7").get_data(as_text=True)
    assert "已计划的募捐" in page and running.name not in page
    page = client.get("/staff/campaigns?status=active").get_data(as_text=True)
    assert running.name in page and "已计划的募捐" not in page


def test_list_is_paginated_and_scoped(client, app, manager, make_campaign, make_org):
    other = make_org(can_fundraise_publicly=True, fundraising_cert_no="C2")
    make_campaign(org=other, name="别家的募捐")
    for i in range(app.config["CHARITY_PAGE_SIZE"] + 2):
        make_campaign(name=f"本会募捐{i:03d}", active=False)
    page = client.get("/staff/campaigns").get_data(as_text=True)
    assert "别家的募捐" not in page
    assert 'rel="next"' in page
    page2 = client.get("/staff/campaigns?page=2").get_data(as_text=True)
    assert "本会募捐" in page2 and "别家的募捐" not in page2


def test_list_reads_figures_in_a_fixed_number_of_queries(client, db, manager, make_campaign):
    """No N+1: the money of a page's campaigns comes from one query."""
    statements = []

    def count_statement(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.get_bind().engine
    make_campaign()
    sa.event.listen(engine, "before_cursor_execute", count_statement)
    try:
        client.get("/staff/campaigns")
        few = len(statements)
        for _ in range(6):
            make_campaign()
        statements.clear()
        response = client.get("/staff/campaigns")
        many = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count_statement)
    assert response.status_code == 200
    assert many <= few


# --- create ----------------------------------------------------------------------------------

def test_manager_creates_campaign_in_own_org(client, db, manager, fundraising_org, make_org):
    other = make_org()
    form = client.get("/staff/campaigns/new").get_data(as_text=True)
    assert 'name="organization_id"' not in form  # the organisation picker is for admins only
    token = input_value(form, "submission_token")
    assert token
    response = client.post("/staff/campaigns/new",
                           data=plan(organization_id=other.id, submission_token=token))
    assert response.status_code == 302
    campaign = db.scalar(sa.select(Campaign).where(Campaign.name == "春节慰问募捐"))
    assert response.location.endswith(f"/staff/campaigns/{campaign.id}")
    assert campaign.organization_id == fundraising_org.id
    assert campaign.status == CampaignStatus.PLANNED
    assert campaign.target_amount == Decimal("20000.00")
    assert campaign.cost_budget == Decimal("500.00")
    assert campaign.planned_end == END
    change = db.scalar(sa.select(CampaignChange).where(CampaignChange.campaign_id == campaign.id))
    assert (change.version, change.kind, change.changed_by_id) == (1, "create", manager.id)


def test_double_submission_creates_one_campaign(client, db, manager):
    token = input_value(client.get("/staff/campaigns/new").get_data(as_text=True),
                        "submission_token")
    first = client.post("/staff/campaigns/new", data=plan(submission_token=token))
    second = client.post("/staff/campaigns/new", data=plan(submission_token=token))
    assert first.status_code == second.status_code == 302
    assert second.location == first.location
    assert count(db, Campaign) == 1


def test_admin_chooses_the_organisation(client, db, make_user, login, english, make_org):
    org = make_org()
    login(make_user("admin"))
    form = client.get("/staff/campaigns/new").get_data(as_text=True)
    assert 'name="organization_id"' in form and org.name in form
    response = client.post("/staff/campaigns/new", data=plan(organization_id=org.id))
    assert response.status_code == 302
    assert db.scalar(sa.select(Campaign.organization_id)) == org.id


BAD_INPUT = [
    ({"planned_end": (START - dt.timedelta(days=1)).isoformat()}, "planned_end",
     "The end date is before the start date."),
    ({"planned_end": ""}, "planned_end", "A campaign needs an end date (required by law)."),
    ({"planned_start": "2026-02-30"}, "planned_start", "Not a valid date value."),
    ({"target_amount": "-100"}, "target_amount", "The amount must be greater than zero."),
    ({"target_amount": "0"}, "target_amount", "The amount must be greater than zero."),
    ({"target_amount": "1000000000000"}, "target_amount", "The amount is too large."),
    ({"target_amount": "12.345"}, "target_amount", "At most two decimal places (fen)."),
    ({"target_amount": "一万"}, "target_amount", "Enter an amount such as 1234.50."),
    ({"cost_budget": "-1"}, "cost_budget", "The amount must be greater than zero."),
    ({"cost_budget": "abc"}, "cost_budget", "Enter an amount such as 1234.50."),
    ({"filing_date": (START + dt.timedelta(days=1)).isoformat()}, "filing_date",
     "The plan must be filed before the campaign starts."),
    ({"name": "  "}, "name", "This field is required."),
]


@pytest.mark.parametrize("bad, field, message", BAD_INPUT,
                         ids=[f"{b[1]}={list(b[0].values())[0]!r}" for b in BAD_INPUT])
def test_bad_input_is_answered_next_to_the_field(client, db, manager, bad, field, message):
    before = (count(db, Campaign), count(db, CampaignChange))
    response = client.post("/staff/campaigns/new", data=plan(**bad))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    # what the user typed is still there
    assert input_value(page, "region") == "兰州市城关区"
    assert input_value(page, field) == bad[field].strip() or field == "name"
    assert "慰问困难群众" in page  # a textarea keeps its text too
    assert (count(db, Campaign), count(db, CampaignChange)) == before


def test_duplicate_name_is_refused(client, db, manager, running):
    response = client.post("/staff/campaigns/new", data=plan(name=running.name))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "name") == \
        "A campaign with this name exists."
    assert count(db, Campaign) == 1


# --- edit ------------------------------------------------------------------------------------

def test_edit_planned_campaign_records_a_version(client, db, manager, make_campaign):
    campaign = make_campaign(active=False, planned_start=START, planned_end=END,
                             filing_date=START)
    form = client.get(f"/staff/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'name="reason"' not in form  # a planned campaign needs no reason
    assert input_value(form, "name") == campaign.name
    data = plan(name=campaign.name, region="兰州市七里河区")
    response = client.post(f"/staff/campaigns/{campaign.id}/edit", data=data)
    assert response.status_code == 302
    db.refresh(campaign)
    assert campaign.region == "兰州市七里河区"
    assert campaign.version == 2
    change = db.scalar(sa.select(CampaignChange).where(CampaignChange.campaign_id == campaign.id,
                                                       CampaignChange.version == 2))
    assert change.kind == "edit" and change.changed_by_id == manager.id
    assert change.changes["region"] == ["兰州市城关区", "兰州市七里河区"]


def _running_plan(campaign, **overrides):
    data = {k: getattr(campaign, k) for k in (
        "name", "purpose", "region", "donation_methods", "bank_account", "beneficiaries",
        "intended_use", "leftover_plan", "responsible_person", "contact", "filing_no",
        "goods_wanted")}
    data.update(planned_start=campaign.planned_start.isoformat(),
                planned_end=campaign.planned_end.isoformat(),
                filing_date=campaign.filing_date.isoformat(),
                target_amount=str(campaign.target_amount))
    data.update(overrides)
    return data


def test_edit_running_campaign_needs_a_reason(client, db, manager, running):
    form = client.get(f"/staff/campaigns/{running.id}/edit").get_data(as_text=True)
    assert 'name="reason"' in form
    before = (running.version, count(db, CampaignChange))
    response = client.post(f"/staff/campaigns/{running.id}/edit",
                           data=_running_plan(running, intended_use="购买棉被和大米"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, "reason") == "Say why the plan of a running campaign changes."
    assert "购买棉被和大米" in page
    db.refresh(running)
    assert running.intended_use == "购买冬衣"
    assert (running.version, count(db, CampaignChange)) == before

    response = client.post(f"/staff/campaigns/{running.id}/edit",
                           data=_running_plan(running, intended_use="购买棉被和大米",
                                              reason="捐赠人要求增加大米"))
    assert response.status_code == 302
    db.refresh(running)
    assert running.intended_use == "购买棉被和大米"
    assert running.version == before[0] + 1
    history = client.get(f"/staff/campaigns/{running.id}").get_data(as_text=True)
    assert "捐赠人要求增加大米" in history and manager.display_name in history


def test_edit_running_campaign_cannot_move_its_dates(client, db, manager, running):
    """The dates of a running campaign are read-only on the form and ignored if sent."""
    later = (END + dt.timedelta(days=30)).isoformat()
    response = client.post(f"/staff/campaigns/{running.id}/edit",
                           data=_running_plan(running, planned_end=later, region="新区域",
                                              reason="区域调整"))
    assert response.status_code == 302
    db.refresh(running)
    assert running.planned_end == END and running.region == "新区域"


def test_ended_campaign_cannot_be_edited(client, db, manager, running, actor):
    from charity.funds.services.campaigns import end_campaign

    end_campaign(actor, db, running, TODAY, "提前完成")
    response = client.get(f"/staff/campaigns/{running.id}/edit")
    assert response.status_code == 302
    assert response.location.endswith(f"/staff/campaigns/{running.id}")


# --- start -----------------------------------------------------------------------------------

def test_start_refused_without_qualification(client, db, make_org, make_user, login, english,
                                             make_campaign):
    org = make_org()  # no public-fundraising qualification
    login(make_user("manager", org=org))
    campaign = make_campaign(org=org, active=False)
    db.commit()
    response = client.post(f"/staff/campaigns/{campaign.id}/activate", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The organisation has no public-fundraising qualification" in page
    assert 'class="flash flash-error"' in page
    db.refresh(campaign)
    assert campaign.status == CampaignStatus.PLANNED and campaign.version == 1


def test_start_refused_without_filing_number(client, db, manager, make_campaign):
    campaign = make_campaign(active=False, filing_no="")
    db.commit()
    page = client.post(f"/staff/campaigns/{campaign.id}/activate",
                       follow_redirects=True).get_data(as_text=True)
    assert "The campaign plan must be filed (filing number) before the campaign starts." in page
    db.refresh(campaign)
    assert campaign.status == CampaignStatus.PLANNED


def test_start(client, db, manager, make_campaign):
    campaign = make_campaign(active=False)
    page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    token = input_value(page, "activate-submission_token")
    assert token
    for _ in range(2):  # a double click starts it once, without an error
        response = client.post(f"/staff/campaigns/{campaign.id}/activate",
                               data={"activate-submission_token": token})
        assert response.status_code == 302
    db.refresh(campaign)
    assert campaign.status == CampaignStatus.ACTIVE and campaign.version == 2
    page = client.get(response.location).get_data(as_text=True)
    assert "Only a planned campaign can be started." not in page


# --- extend and end --------------------------------------------------------------------------

def test_extend(client, db, manager, running):
    new_end = END + dt.timedelta(days=90)
    response = client.post(f"/staff/campaigns/{running.id}/extend",
                           data={"extend-new_end": new_end.isoformat(),
                                 "extend-reason": "寒潮持续"})
    assert response.status_code == 302
    db.refresh(running)
    assert running.planned_end == new_end
    change = db.scalar(sa.select(CampaignChange).where(CampaignChange.campaign_id == running.id,
                                                       CampaignChange.kind == "extend"))
    assert change.reason == "寒潮持续" and change.changed_by_id == manager.id


@pytest.mark.parametrize("data, field, message", [
    ({"extend-new_end": END.isoformat(), "extend-reason": "x"}, "extend-new_end",
     "The new end must be later than the current end."),
    ({"extend-new_end": (END + dt.timedelta(days=5)).isoformat()}, "extend-reason",
     "This field is required."),
    ({"extend-new_end": "soon", "extend-reason": "x"}, "extend-new_end",
     "Not a valid date value."),
])
def test_extend_refused(client, db, manager, running, data, field, message):
    response = client.post(f"/staff/campaigns/{running.id}/extend", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    if "extend-reason" in data:
        assert data["extend-reason"] in page
    db.refresh(running)
    assert running.planned_end == END and running.version == 2


def test_end_early_needs_a_reason(client, db, manager, running):
    response = client.post(f"/staff/campaigns/{running.id}/end",
                           data={"end-end_date": TODAY.isoformat()})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, "end-reason") == "Say why the campaign ends early."
    assert input_value(page, "end-end_date") == TODAY.isoformat()
    db.refresh(running)
    assert running.status == CampaignStatus.ACTIVE and running.actual_end is None

    response = client.post(f"/staff/campaigns/{running.id}/end",
                           data={"end-end_date": TODAY.isoformat(), "end-reason": "目标已达成"})
    assert response.status_code == 302
    db.refresh(running)
    assert running.status == CampaignStatus.ENDED and running.actual_end == TODAY
    assert running.changes[-1].kind == "end_early"


def test_end_in_the_future_is_refused(client, db, manager, running):
    response = client.post(f"/staff/campaigns/{running.id}/end",
                           data={"end-end_date": (TODAY + dt.timedelta(days=1)).isoformat(),
                                 "end-reason": "x"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "end-end_date") == \
        "The end date cannot be in the future."
    db.refresh(running)
    assert running.status == CampaignStatus.ACTIVE


# --- detail ----------------------------------------------------------------------------------

def test_detail_shows_figures_projects_history_and_entries(client, db, manager, actor,
                                                           fundraising_org, running,
                                                           make_project):
    project = make_project(campaigns=[running], name="冬衣发放")
    day = TODAY - dt.timedelta(days=1)
    ledger.post_donation(actor, db, fundraising_org,
                         {"kind": "donation", "amount": Decimal("25000.00"), "entry_date": day,
                          "channel": "wechat", "counterparty": "赵六",
                          "campaign_id": running.id}, with_receipt=False)
    ledger.post_entry(actor, db, fundraising_org,
                      {"kind": "project_spending", "amount": Decimal("4000.00"),
                       "entry_date": day, "campaign_id": running.id, "project_id": project.id,
                       "purpose": "购买冬衣", "counterparty": "百货公司", "voucher_no": "V-9"})
    ledger.post_entry(actor, db, fundraising_org,
                      {"kind": "fundraising_cost", "amount": Decimal("300.00"),
                       "entry_date": day, "campaign_id": running.id, "purpose": "宣传海报"})
    page = client.get(f"/staff/campaigns/{running.id}").get_data(as_text=True)
    assert "25,000.00" in page  # raised
    assert "4,000.00" in page and "300.00" in page  # used by project, fundraising costs
    assert "20,700.00" in page  # remaining
    assert '<progress value="25.0" max="100"' in page  # 25,000 of 100,000
    assert "冬衣发放" in page
    assert "Created" in page and "Started" in page  # the history
    assert "百货公司" in page and "宣传海报" in page  # recent ledger entries
    assert running.filing_no in page and running.purpose in page
    assert 'action="/staff/campaigns/%d/end#end"' % running.id in page


def test_progress_bar_stops_at_the_target(client, db, manager, actor, fundraising_org,
                                          make_campaign):
    campaign = make_campaign(planned_start=START, planned_end=END, filing_date=START,
                             target_amount=Decimal("100"))
    ledger.post_donation(actor, db, fundraising_org,
                         {"kind": "donation", "amount": Decimal("150"), "entry_date": TODAY,
                          "channel": "cash", "campaign_id": campaign.id}, with_receipt=False)
    page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert '<progress value="100" max="100"' in page
    assert "150" in page


def test_detail_links_to_the_ledger_when_it_exists(client, app, manager, running):
    page = client.get(f"/staff/campaigns/{running.id}").get_data(as_text=True)
    if "ledger.entry_list" in app.view_functions:
        from flask import url_for

        with app.test_request_context():
            href = url_for("ledger.entry_list", campaign=running.id)
        assert f'href="{href}"' in page
    else:
        assert "All entries of this campaign" not in page


# --- who may do what -------------------------------------------------------------------------

def test_manager_of_another_org_is_refused(client, db, make_org, make_user, login, running):
    login(make_user("manager", org=make_org()))
    assert client.get(f"/staff/campaigns/{running.id}").status_code == 403
    assert client.get(f"/staff/campaigns/{running.id}/edit").status_code == 403
    response = client.post(f"/staff/campaigns/{running.id}/end",
                           data={"end-end_date": TODAY.isoformat(), "end-reason": "x"})
    assert response.status_code == 403
    assert running.name not in client.get("/staff/campaigns").get_data(as_text=True)
    assert client.get("/staff/campaigns/999999").status_code == 404
    db.refresh(running)
    assert running.status == CampaignStatus.ACTIVE


def test_auditor_reads_but_cannot_change(client, db, make_user, fundraising_org, login, english,
                                         running, make_campaign):
    planned = make_campaign(active=False)
    login(make_user("auditor", org=fundraising_org))
    db.commit()
    assert client.get("/staff/campaigns").status_code == 200
    page = client.get(f"/staff/campaigns/{running.id}").get_data(as_text=True)
    assert running.name in page
    assert "End the campaign" not in page and "Edit plan" not in page
    assert client.get("/staff/campaigns/new").status_code == 403
    assert client.post("/staff/campaigns/new", data=plan()).status_code == 403
    assert client.post(f"/staff/campaigns/{planned.id}/activate").status_code == 403
    assert client.post(f"/staff/campaigns/{running.id}/extend",
                       data={"extend-new_end": "2099-01-01",
                             "extend-reason": "x"}).status_code == 403
    assert client.post(f"/staff/campaigns/{running.id}/end",
                       data={"end-end_date": TODAY.isoformat(),
                             "end-reason": "x"}).status_code == 403
    db.refresh(planned)
    db.refresh(running)
    assert planned.status == CampaignStatus.PLANNED and running.planned_end == END
    assert count(db, Campaign) == 2


def test_volunteer_has_no_access(client, make_user, make_point, fundraising_org, login, running):
    login(make_user("volunteer", org=fundraising_org, points=[make_point(fundraising_org)]))
    assert client.get("/staff/campaigns").status_code == 403
    assert client.get(f"/staff/campaigns/{running.id}").status_code == 403
