"""The rules of a campaign's and a project's life, at the service level: when a campaign may
start, how each change becomes a version (who, when, what, why), extending and ending early,
and closing a project with its leftover property."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from charity.audit.models import AuditLog
from charity.disclosure.rules import add_months, obligations_for
from charity.core.errors import PermissionDenied, ValidationFailed
from charity.funds.services import campaigns as svc
from charity.funds.models import CampaignChange, CampaignStatus, ProjectStatus
from tests.factories_funds import TODAY


@pytest.fixture
def boss(make_user, fundraising_org):
    return make_user("manager", org=fundraising_org)


def versions(db, campaign) -> list[CampaignChange]:
    return list(db.scalars(sa.select(CampaignChange)
                           .where(CampaignChange.campaign_id == campaign.id)
                           .order_by(CampaignChange.version)))


def schedule(campaign, changed_on=None):
    return obligations_for(campaign.planned_start, campaign.end, emergency=campaign.emergency,
                           changed_on=changed_on)


# --- activation ------------------------------------------------------------------------------

def test_activation_needs_the_public_fundraising_qualification(db, boss, make_org,
                                                               make_campaign, make_user):
    org = make_org()
    campaign = make_campaign(org=org, active=False)
    with pytest.raises(ValidationFailed) as err:
        svc.activate_campaign(make_user("manager", org=org), db, campaign, today=TODAY)
    with force_locale("en"):
        assert "public-fundraising qualification" in str(err.value.message)
    assert err.value.field is None  # about the organisation, not a field of the plan
    assert campaign.status == CampaignStatus.PLANNED and campaign.version == 1


def test_activation_needs_a_filing_number(db, boss, make_campaign):
    campaign = make_campaign(active=False, filing_no="")
    with pytest.raises(ValidationFailed) as err:
        svc.activate_campaign(boss, db, campaign, today=TODAY)
    assert err.value.field == "filing_no"
    assert campaign.status == CampaignStatus.PLANNED


@pytest.mark.parametrize("missing", svc.REQUIRED_FOR_ACTIVATION)
def test_activation_needs_a_complete_plan(db, boss, make_campaign, missing):
    campaign = make_campaign(active=False, **{missing: ""})
    with pytest.raises(ValidationFailed) as err:
        svc.activate_campaign(boss, db, campaign, today=TODAY)
    assert err.value.field == missing
    assert campaign.status == CampaignStatus.PLANNED


def test_activation_starts_a_planned_campaign_once(db, boss, make_campaign):
    campaign = make_campaign(active=False)
    svc.activate_campaign(boss, db, campaign, today=TODAY)
    assert campaign.status == CampaignStatus.ACTIVE and campaign.version == 2
    change = versions(db, campaign)[-1]
    assert (change.kind, change.changed_by_id, change.changed_on) == ("activate", boss.id, TODAY)
    assert change.changes == {"status": ["planned", "active"]}
    with pytest.raises(ValidationFailed):
        svc.activate_campaign(boss, db, campaign, today=TODAY)
    assert campaign.version == 2


def test_activation_of_another_orgs_campaign_is_refused(db, make_campaign, make_org,
                                                        make_user):
    campaign = make_campaign(active=False)
    stranger = make_user("manager", org=make_org())
    with pytest.raises(PermissionDenied):
        svc.activate_campaign(stranger, db, campaign, today=TODAY)
    auditor = make_user("auditor", org=campaign.organization)
    with pytest.raises(PermissionDenied):
        svc.activate_campaign(auditor, db, campaign, today=TODAY)
    assert campaign.status == CampaignStatus.PLANNED


# --- versions --------------------------------------------------------------------------------

def test_each_change_is_a_version_with_who_when_what_why(db, boss, make_campaign):
    campaign = make_campaign()  # versions 1 (create) and 2 (activate)
    svc.update_campaign(boss, db, campaign, {"intended_use": "购买棉被", "region": "七里河区"},
                        reason="捐赠人建议", today=TODAY)
    svc.update_campaign(boss, db, campaign, {"target_amount": "150000"}, reason="需求增加",
                        today=TODAY + dt.timedelta(days=1))
    history = versions(db, campaign)
    assert [c.version for c in history] == [1, 2, 3, 4] and campaign.version == 4
    assert [c.kind for c in history] == ["create", "activate", "edit", "edit"]
    third, fourth = history[2], history[3]
    assert third.changed_by_id == boss.id and third.changed_on == TODAY
    assert third.changed_at is not None and third.changed_at.tzinfo is not None
    assert third.reason == "捐赠人建议"
    assert third.changes == {"intended_use": ["购买冬衣", "购买棉被"],
                             "region": ["兰州市城关区", "七里河区"]}
    assert fourth.changes == {"target_amount": ["100000.00", "150000.00"]}
    assert fourth.changed_on == TODAY + dt.timedelta(days=1)
    assert campaign.target_amount == Decimal("150000.00")
    logged = db.scalars(sa.select(AuditLog.action).where(
        AuditLog.object_type == "Campaign", AuditLog.object_id == str(campaign.id))).all()
    assert logged.count("campaign.edit") == 2


def test_no_change_makes_no_version(db, boss, make_campaign):
    campaign = make_campaign()
    svc.update_campaign(boss, db, campaign, {"region": campaign.region}, today=TODAY)
    assert campaign.version == 2 and len(versions(db, campaign)) == 2


def test_running_campaign_change_needs_a_reason(db, boss, make_campaign):
    campaign = make_campaign()
    with pytest.raises(ValidationFailed) as err:
        svc.update_campaign(boss, db, campaign, {"purpose": "新的目的"}, reason="  ",
                            today=TODAY)
    assert err.value.field == "reason"
    assert campaign.purpose == "为困难家庭筹集冬衣" and campaign.version == 2


def test_planned_campaign_change_needs_no_reason(db, boss, make_campaign):
    campaign = make_campaign(active=False)
    svc.update_campaign(boss, db, campaign, {"planned_end": dt.date(2027, 3, 31)}, today=TODAY)
    assert campaign.planned_end == dt.date(2027, 3, 31) and campaign.version == 2


def test_running_campaign_dates_change_only_through_extend_or_end(db, boss, make_campaign):
    campaign = make_campaign()
    with pytest.raises(ValidationFailed) as err:
        svc.update_campaign(boss, db, campaign, {"planned_end": dt.date(2027, 6, 30)},
                            reason="延长", today=TODAY)
    assert err.value.field == "planned_end"
    with pytest.raises(ValidationFailed) as err:
        svc.update_campaign(boss, db, campaign, {"planned_start": dt.date(2026, 2, 1)},
                            reason="推迟", today=TODAY)
    assert err.value.field == "planned_start"
    assert campaign.planned_end == dt.date(2026, 12, 31) and campaign.version == 2


@pytest.mark.parametrize("data, field", [
    ({"planned_end": dt.date(2025, 12, 31)}, "planned_end"),
    ({"planned_end": None}, "planned_end"),
    ({"target_amount": "-1"}, "target_amount"),
    ({"target_amount": "0"}, "target_amount"),
    ({"target_amount": "1.234"}, "target_amount"),
    ({"target_amount": "1000000000000"}, "target_amount"),
    ({"cost_budget": "x"}, "cost_budget"),
    ({"filing_date": dt.date(2026, 1, 2)}, "filing_date"),
    ({"name": ""}, "name"),
])
def test_plan_is_checked(db, boss, make_campaign, data, field):
    campaign = make_campaign(active=False)
    with pytest.raises(ValidationFailed) as err:
        svc.update_campaign(boss, db, campaign, data, today=TODAY)
    assert err.value.field == field
    assert campaign.version == 1


# --- extend ----------------------------------------------------------------------------------

def test_extend_moves_the_end_and_the_schedule_is_recomputed(db, boss, make_campaign):
    campaign = make_campaign(planned_start=dt.date(2026, 1, 1),
                             planned_end=dt.date(2026, 6, 30))
    before = schedule(campaign)
    assert [o.kind for o in before] == ["final"]  # six months or less: no periodic disclosure
    new_end = dt.date(2026, 12, 31)
    svc.extend_campaign(boss, db, campaign, new_end, "寒冬提前到来", today=TODAY)
    assert campaign.planned_end == new_end and campaign.end == new_end
    change = versions(db, campaign)[-1]
    assert (change.kind, change.version, change.reason) == ("extend", 3, "寒冬提前到来")
    assert change.changes == {"planned_end": ["2026-06-30", "2026-12-31"]}
    assert change.changed_by_id == boss.id
    after = schedule(campaign, changed_on=change.changed_on)
    final = [o for o in after if o.kind == "final"][0]
    assert final.due == add_months(new_end, 3) == dt.date(2027, 3, 31)
    # now more than six months: periodic disclosures; those already past are due at once
    periodic = [o for o in after if o.kind == "periodic"]
    assert periodic and all(o.due >= TODAY for o in periodic)


@pytest.mark.parametrize("new_end, reason, field", [
    (dt.date(2026, 12, 31), "x", "new_end"),  # not later
    (dt.date(2026, 11, 30), "x", "new_end"),
    (None, "x", "new_end"),
    (dt.date(2027, 1, 31), " ", "reason"),
])
def test_extend_refused(db, boss, make_campaign, new_end, reason, field):
    campaign = make_campaign()
    with pytest.raises(ValidationFailed) as err:
        svc.extend_campaign(boss, db, campaign, new_end, reason, today=TODAY)
    assert err.value.field == field
    assert campaign.planned_end == dt.date(2026, 12, 31) and campaign.version == 2


# --- end -------------------------------------------------------------------------------------

def test_end_early_sets_actual_end_and_needs_a_reason(db, boss, make_campaign):
    campaign = make_campaign()
    with pytest.raises(ValidationFailed) as err:
        svc.end_campaign(boss, db, campaign, dt.date(2026, 10, 31), "", today=TODAY)
    assert err.value.field == "reason"
    assert campaign.status == CampaignStatus.ACTIVE and campaign.actual_end is None

    svc.end_campaign(boss, db, campaign, dt.date(2026, 10, 31), "目标提前达成", today=TODAY)
    assert campaign.status == CampaignStatus.ENDED
    assert campaign.actual_end == dt.date(2026, 10, 31) == campaign.end
    assert campaign.planned_end == dt.date(2026, 12, 31)  # the plan stays as it was
    change = versions(db, campaign)[-1]
    assert (change.kind, change.reason, change.changed_by_id) == ("end_early", "目标提前达成",
                                                                  boss.id)
    assert change.changes == {"actual_end": "2026-10-31", "planned_end": "2026-12-31"}
    # the final disclosure counts from the actual end
    final = [o for o in schedule(campaign, change.changed_on) if o.kind == "final"][0]
    assert final.due == dt.date(2027, 1, 31)


def test_end_on_the_planned_end_needs_no_reason(db, boss, make_campaign):
    campaign = make_campaign(planned_end=dt.date(2026, 11, 20))
    svc.end_campaign(boss, db, campaign, dt.date(2026, 11, 20), today=TODAY)
    assert campaign.status == CampaignStatus.ENDED
    assert versions(db, campaign)[-1].kind == "end"


@pytest.mark.parametrize("end_date", [
    TODAY + dt.timedelta(days=1),  # in the future
    dt.date(2025, 12, 31),  # before the start
    None,
])
def test_end_date_is_checked(db, boss, make_campaign, end_date):
    campaign = make_campaign()
    with pytest.raises(ValidationFailed) as err:
        svc.end_campaign(boss, db, campaign, end_date, "原因", today=TODAY)
    assert err.value.field == "end_date"
    assert campaign.status == CampaignStatus.ACTIVE


def test_end_after_the_planned_end_needs_an_extension_first(db, boss, make_campaign):
    campaign = make_campaign(planned_end=dt.date(2026, 11, 1))
    with pytest.raises(ValidationFailed) as err:
        svc.end_campaign(boss, db, campaign, dt.date(2026, 11, 10), "x", today=TODAY)
    assert err.value.field == "end_date"


def test_only_a_running_campaign_ends_and_an_ended_one_is_frozen(db, boss, make_campaign):
    planned = make_campaign(active=False)
    with pytest.raises(ValidationFailed):
        svc.end_campaign(boss, db, planned, TODAY, "x", today=TODAY)
    campaign = make_campaign()
    svc.end_campaign(boss, db, campaign, TODAY, "提前结束", today=TODAY)
    version = campaign.version
    with pytest.raises(ValidationFailed):
        svc.update_campaign(boss, db, campaign, {"region": "别处"}, reason="x", today=TODAY)
    with pytest.raises(ValidationFailed):
        svc.extend_campaign(boss, db, campaign, dt.date(2027, 6, 30), "x", today=TODAY)
    with pytest.raises(ValidationFailed):
        svc.end_campaign(boss, db, campaign, TODAY, "x", today=TODAY)
    assert campaign.version == version and campaign.region == "兰州市城关区"


# --- projects --------------------------------------------------------------------------------

def test_project_may_be_open_ended_but_dates_in_order(db, boss, fundraising_org):
    project = svc.create_project(boss, db, fundraising_org,
                                 {"name": "慈善超市运营", "planned_start": dt.date(2026, 1, 1),
                                  "planned_end": None})
    assert project.end is None and project.status == ProjectStatus.PLANNED
    with pytest.raises(ValidationFailed) as err:
        svc.create_project(boss, db, fundraising_org,
                           {"name": "倒序", "planned_start": dt.date(2026, 5, 1),
                            "planned_end": dt.date(2026, 4, 30)})
    assert err.value.field == "planned_end"


@pytest.mark.parametrize("prop, handling, field", [
    ("", "转入下一期", "leftover_property"),
    ("余款 100 元", "  ", "leftover_handling"),
    (None, None, "leftover_property"),
])
def test_closed_project_needs_leftover_fields(db, boss, make_project, prop, handling, field):
    project = make_project()
    with pytest.raises(ValidationFailed) as err:
        svc.close_project(boss, db, project, TODAY, prop, handling, today=TODAY)
    assert err.value.field == field
    assert project.status == ProjectStatus.ACTIVE
    assert project.actual_end is None and project.closed_at is None


def test_close_project_records_leftover_who_and_when(db, boss, make_project):
    project = make_project()
    svc.close_project(boss, db, project, dt.date(2026, 11, 1), " 余款 100 元 ", "转入助老项目",
                      today=TODAY)
    assert project.status == ProjectStatus.CLOSED
    assert project.actual_end == dt.date(2026, 11, 1) == project.end
    assert (project.leftover_property, project.leftover_handling) == ("余款 100 元", "转入助老项目")
    assert project.closed_by_id == boss.id and project.closed_at is not None
    with pytest.raises(ValidationFailed):
        svc.close_project(boss, db, project, TODAY, "无", "无", today=TODAY)
    with pytest.raises(ValidationFailed):
        svc.update_project(boss, db, project, {"area": "别处"})
    assert project.area == "城关区"


@pytest.mark.parametrize("end_date", [TODAY + dt.timedelta(days=1), dt.date(2025, 12, 31),
                                      None])
def test_close_project_end_date_is_checked(db, boss, make_project, end_date):
    project = make_project()
    with pytest.raises(ValidationFailed) as err:
        svc.close_project(boss, db, project, end_date, "无", "无", today=TODAY)
    assert err.value.field == "end_date"
    assert project.status == ProjectStatus.ACTIVE


def test_project_campaigns_must_belong_to_its_organisation(db, boss, make_project,
                                                           make_campaign, make_org):
    other = make_campaign(org=make_org(can_fundraise_publicly=True, fundraising_cert_no="Q"))
    project = make_project()
    with pytest.raises(ValidationFailed) as err:
        svc.update_project(boss, db, project, {"campaign_ids": [other.id]})
    assert err.value.field == "campaign_ids"
    assert project.campaigns == []
