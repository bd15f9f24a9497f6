"""Project screens: list, new, edit, detail with spending by source, start and close."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.funds.services import ledger
from charity.funds.models import Project, ProjectStatus, project_campaign
from tests.funds.test_campaign_views import (END, START, TODAY, count, english,  # noqa: F401
                                             field_error, input_value, manager, running)


def project_data(**overrides) -> dict:
    data = {"name": "社区助老", "content": "为孤寡老人送餐", "area": "城关区",
            "beneficiary_groups": "孤寡老人", "planned_start": START.isoformat(),
            "planned_end": "", "budget": "30000"}
    data.update(overrides)
    return data


def links(db) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(project_campaign))


# --- list ------------------------------------------------------------------------------------

def test_list_search_filter_and_scope(client, db, manager, make_project, make_org, running):
    project = make_project(campaigns=[running], name="助学金")
    make_project(name="计划中的项目", active=False, area="七里河区")
    other = make_org()
    make_project(org=other, name="别家的项目")
    page = client.get("/staff/projects").get_data(as_text=True)
    assert project.name in page and "计划中的项目" in page and "别家的项目" not in page
    assert running.name in page  # funded by
    page = client.get("/staff/projects?q=七里河").get_data(as_text=True)
    assert "计划中的项目" in page and "助学金" not in page
    page = client.get("/staff/projects?status=active").get_data(as_text=True)
    assert "助学金" in page and "计划中的项目" not in page


# --- create and edit -------------------------------------------------------------------------

def test_create_open_ended_project_funded_by_a_campaign(client, db, manager, fundraising_org,
                                                        running):
    form = client.get("/staff/projects/new").get_data(as_text=True)
    assert running.name in form and 'name="organization_id"' not in form
    token = input_value(form, "submission_token")
    data = project_data(campaign_ids=[running.id], submission_token=token)
    response = client.post("/staff/projects/new", data=data)
    assert response.status_code == 302
    again = client.post("/staff/projects/new", data=data)  # a double click
    assert again.status_code == 302 and again.location == response.location
    project = db.scalar(sa.select(Project))
    assert count(db, Project) == 1
    assert project.organization_id == fundraising_org.id
    assert project.planned_end is None and project.budget == Decimal("30000.00")
    assert [c.id for c in project.campaigns] == [running.id]
    assert project.status == ProjectStatus.PLANNED


BAD_PROJECT = [
    ({"planned_end": (START - dt.timedelta(days=1)).isoformat()}, "planned_end",
     "The end date is before the start date."),
    ({"planned_start": ""}, "planned_start", "This field is required."),
    ({"budget": "-5"}, "budget", "The amount must be greater than zero."),
    ({"budget": "1.005"}, "budget", "At most two decimal places (fen)."),
    ({"budget": "lots"}, "budget", "Enter an amount such as 1234.50."),
    ({"budget": "99999999999999"}, "budget", "The amount is too large."),
]


@pytest.mark.parametrize("bad, field, message", BAD_PROJECT,
                         ids=[f"{b[1]}={list(b[0].values())[0]!r}" for b in BAD_PROJECT])
def test_bad_input_is_answered_next_to_the_field(client, db, manager, running, bad, field,
                                                 message):
    before = (count(db, Project), links(db))
    response = client.post("/staff/projects/new",
                           data=project_data(campaign_ids=[running.id], **bad))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    assert input_value(page, "area") == "城关区"
    assert input_value(page, field) == bad[field]
    assert 'checked id="campaign_ids-0"' in page  # the ticked campaign stays ticked
    assert (count(db, Project), links(db)) == before


def test_campaign_of_another_org_cannot_be_chosen(client, db, manager, make_campaign, make_org):
    other = make_campaign(org=make_org(can_fundraise_publicly=True, fundraising_cert_no="Z9"))
    db.commit()
    response = client.post("/staff/projects/new", data=project_data(campaign_ids=[other.id]))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "campaign_ids")
    assert count(db, Project) == 0


def test_admin_chooses_the_organisation(client, db, make_user, login, english, make_campaign,
                                        make_org):
    org_a = make_org(can_fundraise_publicly=True, fundraising_cert_no="A1")
    org_b = make_org(can_fundraise_publicly=True, fundraising_cert_no="B1")
    c_b = make_campaign(org=org_b)
    login(make_user("admin"))
    db.commit()
    form = client.get("/staff/projects/new").get_data(as_text=True)
    assert f"{org_b.name} · {c_b.name}" in form
    # a campaign of another organisation than the one chosen is refused by the service
    response = client.post("/staff/projects/new",
                           data=project_data(organization_id=org_a.id, campaign_ids=[c_b.id]))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "campaign_ids") == \
        "Choose campaigns of the same organisation."
    assert count(db, Project) == 0
    response = client.post("/staff/projects/new",
                           data=project_data(organization_id=org_b.id, campaign_ids=[c_b.id]))
    assert response.status_code == 302
    assert db.scalar(sa.select(Project.organization_id)) == org_b.id


def test_edit_changes_fields_and_campaigns(client, db, manager, make_project, make_campaign,
                                           running):
    second = make_campaign(name="第二个募捐")
    project = make_project(campaigns=[running])
    db.commit()
    form = client.get(f"/staff/projects/{project.id}/edit").get_data(as_text=True)
    assert input_value(form, "name") == project.name
    response = client.post(f"/staff/projects/{project.id}/edit",
                           data=project_data(name=project.name, campaign_ids=[second.id],
                                             planned_end=END.isoformat()))
    assert response.status_code == 302
    db.refresh(project)
    assert [c.id for c in project.campaigns] == [second.id]
    assert project.planned_end == END and project.area == "城关区"


def test_edit_bad_dates_changes_nothing(client, db, manager, make_project, running):
    project = make_project(campaigns=[running], planned_start=START)
    db.commit()
    response = client.post(f"/staff/projects/{project.id}/edit",
                           data=project_data(name="改名", campaign_ids=[],
                                             planned_end=(START - dt.timedelta(days=1))
                                             .isoformat()))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "planned_end") == \
        "The end date is before the start date."
    db.refresh(project)
    assert project.name != "改名" and [c.id for c in project.campaigns] == [running.id]


# --- detail ----------------------------------------------------------------------------------

def test_detail_shows_spending_by_campaign_and_directly(client, db, manager, actor,
                                                       fundraising_org, running, make_project):
    project = make_project(campaigns=[running], name="冬衣发放")
    day = TODAY - dt.timedelta(days=1)
    ledger.post_donation(actor, db, fundraising_org,
                         {"kind": "donation", "amount": Decimal("9000"), "entry_date": day,
                          "channel": "cash", "campaign_id": running.id}, with_receipt=False)
    ledger.post_donation(actor, db, fundraising_org,
                         {"kind": "donation", "amount": Decimal("800"), "entry_date": day,
                          "channel": "cash"}, with_receipt=False)

    def spend(amount, campaign_id):
        ledger.post_entry(actor, db, fundraising_org,
                          {"kind": "project_spending", "amount": Decimal(amount),
                           "entry_date": day, "campaign_id": campaign_id,
                           "project_id": project.id, "purpose": "冬衣",
                           "counterparty": "商店", "voucher_no": "V"})

    spend("1200.50", running.id)
    spend("300", running.id)
    spend("450.25", None)
    page = client.get(f"/staff/projects/{project.id}").get_data(as_text=True)
    assert "1,500.50" in page  # from the campaign
    assert "450.25" in page and "Directly (general fund)" in page
    assert "1,950.75" in page  # in all
    assert running.name in page


def test_detail_figures_come_from_one_grouped_query(app, db, actor, fundraising_org,
                                                    make_campaign, make_project):
    from charity.funds.queries import project_figures as _figures

    campaigns = [make_campaign(planned_start=START, planned_end=END, filing_date=START)
                 for _ in range(3)]
    project = make_project(campaigns=campaigns)
    for c in campaigns:
        ledger.post_donation(actor, db, fundraising_org,
                             {"kind": "donation", "amount": Decimal("100"), "entry_date": TODAY,
                              "channel": "cash", "campaign_id": c.id}, with_receipt=False)
        for _ in range(2):
            ledger.post_entry(actor, db, fundraising_org,
                              {"kind": "project_spending", "amount": Decimal("10"),
                               "entry_date": TODAY, "campaign_id": c.id,
                               "project_id": project.id, "purpose": "p", "counterparty": "c",
                               "voucher_no": "v"})
    statements = []
    engine = db.get_bind().engine

    def count_statement(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count_statement)
    try:
        with app.test_request_context():
            figures = _figures(project)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count_statement)
    assert len(statements) == 1
    assert [s["spent"] for s in figures["sources"]] == [Decimal("20.00")] * 3
    assert figures["spent"] == Decimal("60.00") and figures["income"] == Decimal("0")


# --- start and close -------------------------------------------------------------------------

def test_start_and_close(client, db, manager, make_project):
    project = make_project(active=False, planned_start=START)
    db.commit()
    page = client.get(f"/staff/projects/{project.id}").get_data(as_text=True)
    token = input_value(page, "activate-submission_token")
    assert client.post(f"/staff/projects/{project.id}/activate",
                       data={"activate-submission_token": token}).status_code == 302
    db.refresh(project)
    assert project.status == ProjectStatus.ACTIVE

    response = client.post(f"/staff/projects/{project.id}/close",
                           data={"close-end_date": TODAY.isoformat(),
                                 "close-leftover_property": "余款 120.00 元",
                                 "close-leftover_handling": "转入社区助老项目"})
    assert response.status_code == 302
    db.refresh(project)
    assert project.status == ProjectStatus.CLOSED and project.actual_end == TODAY
    assert project.leftover_handling == "转入社区助老项目" and project.closed_by_id == manager.id
    page = client.get(f"/staff/projects/{project.id}").get_data(as_text=True)
    assert "余款 120.00 元" in page and "Close the project" not in page
    assert client.get(f"/staff/projects/{project.id}/edit").status_code == 302


@pytest.mark.parametrize("data, field", [
    ({"close-end_date": TODAY.isoformat(), "close-leftover_handling": "转入"},
     "close-leftover_property"),
    ({"close-end_date": TODAY.isoformat(), "close-leftover_property": "无"},
     "close-leftover_handling"),
    ({"close-leftover_property": "无", "close-leftover_handling": "无"}, "close-end_date"),
])
def test_close_needs_end_date_and_leftover_fields(client, db, manager, make_project, data,
                                                  field):
    project = make_project(planned_start=START)
    db.commit()
    response = client.post(f"/staff/projects/{project.id}/close", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, field)
    for value in data.values():
        assert value in page  # what was typed is kept
    db.refresh(project)
    assert project.status == ProjectStatus.ACTIVE and project.actual_end is None


def test_close_in_the_future_is_refused(client, db, manager, make_project):
    project = make_project(planned_start=START)
    db.commit()
    response = client.post(f"/staff/projects/{project.id}/close",
                           data={"close-end_date": (TODAY + dt.timedelta(days=3)).isoformat(),
                                 "close-leftover_property": "无",
                                 "close-leftover_handling": "无"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "close-end_date") == \
        "The end date cannot be in the future."
    db.refresh(project)
    assert project.status == ProjectStatus.ACTIVE


# --- who may do what -------------------------------------------------------------------------

def test_manager_of_another_org_is_refused(client, db, make_org, make_user, login,
                                           make_project):
    project = make_project()
    login(make_user("manager", org=make_org()))
    db.commit()
    assert client.get(f"/staff/projects/{project.id}").status_code == 403
    assert client.get(f"/staff/projects/{project.id}/edit").status_code == 403
    assert client.post(f"/staff/projects/{project.id}/close",
                       data={"close-end_date": TODAY.isoformat(),
                             "close-leftover_property": "无",
                             "close-leftover_handling": "无"}).status_code == 403
    assert project.name not in client.get("/staff/projects").get_data(as_text=True)
    db.refresh(project)
    assert project.status == ProjectStatus.ACTIVE


def test_auditor_reads_but_cannot_change(client, db, make_user, fundraising_org, login,
                                         english, make_project):
    project = make_project(active=False)
    login(make_user("auditor", org=fundraising_org))
    db.commit()
    assert client.get("/staff/projects").status_code == 200
    page = client.get(f"/staff/projects/{project.id}").get_data(as_text=True)
    assert project.name in page and "Start the project" not in page
    assert client.get("/staff/projects/new").status_code == 403
    assert client.post("/staff/projects/new", data=project_data()).status_code == 403
    assert client.post(f"/staff/projects/{project.id}/activate").status_code == 403
    assert client.post(f"/staff/projects/{project.id}/edit",
                       data=project_data(name="x")).status_code == 403
    db.refresh(project)
    assert project.status == ProjectStatus.PLANNED and count(db, Project) == 1


def test_volunteer_has_no_access(client, make_user, make_point, fundraising_org, login,
                                 make_project):
    project = make_project()
    login(make_user("volunteer", org=fundraising_org, points=[make_point(fundraising_org)]))
    assert client.get("/staff/projects").status_code == 403
    assert client.get(f"/staff/projects/{project.id}").status_code == 403


def test_manager_attaches_a_point_and_bad_input_is_answered_on_the_form(client, db, manager,
                                                                         make_project,
                                                                         make_point,
                                                                         fundraising_org):
    from charity.funds.models import ProjectPoint

    project = make_project(planned_start=START, name="慈善超市运营")
    shop = make_point(org=fundraising_org, name="东岗超市")
    db.commit()
    page = client.get(f"/staff/projects/{project.id}").get_data(as_text=True)
    assert "东岗超市" in page and "No point is attached" in page
    bad = client.post(f"/staff/projects/{project.id}/points",
                      data={"point-point_id": str(shop.id), "point-start_on": "not a day"})
    assert bad.status_code == 200 and field_error(bad.get_data(as_text=True), "point-start_on")
    early = client.post(f"/staff/projects/{project.id}/points",
                        data={"point-point_id": str(shop.id),
                              "point-start_on": (START - dt.timedelta(days=1)).isoformat()})
    assert early.status_code == 200
    assert field_error(early.get_data(as_text=True), "point-start_on")
    assert db.scalar(sa.select(sa.func.count(ProjectPoint.id))) == 0
    ok = client.post(f"/staff/projects/{project.id}/points",
                     data={"point-point_id": str(shop.id), "point-start_on": START.isoformat()})
    assert ok.status_code == 302
    link = db.scalar(sa.select(ProjectPoint))
    assert (link.project_id, link.point_id, link.start_on, link.end_on) == \
        (project.id, shop.id, START, None)
    page = client.get(f"/staff/projects/{project.id}").get_data(as_text=True)
    assert "No point is attached" not in page


def test_manager_ends_an_attachment_once(client, db, manager, make_project, make_point,
                                         fundraising_org):
    from charity.core.system import system_actor
    from charity.funds.models import ProjectPoint
    from charity.funds.services.project_points import attach_point

    project = make_project(planned_start=START)
    shop = make_point(org=fundraising_org)
    link = attach_point(system_actor(), db, project, {"point_id": shop.id, "start_on": START,
                                                      "end_on": None})
    db.commit()
    url = f"/staff/projects/{project.id}/points/{link.id}/end"
    early = client.post(url, data={f"end{link.id}-end_on":
                                   (START - dt.timedelta(days=1)).isoformat()})
    assert early.status_code == 200
    assert field_error(early.get_data(as_text=True), f"end{link.id}-end_on")
    assert client.post(url, data={f"end{link.id}-end_on": TODAY.isoformat()}).status_code == 302
    db.refresh(link)
    assert link.end_on == TODAY
    again = client.post(url, data={f"end{link.id}-end_on": TODAY.isoformat()})
    assert again.status_code == 200  # refused on the form, not a 500
    other = make_project(name="别的项目", planned_start=START)
    db.commit()
    assert client.post(f"/staff/projects/{other.id}/points/{link.id}/end",
                       data={f"end{link.id}-end_on": TODAY.isoformat()}).status_code == 404
    assert db.scalar(sa.select(ProjectPoint.end_on).where(ProjectPoint.id == link.id)) == TODAY
