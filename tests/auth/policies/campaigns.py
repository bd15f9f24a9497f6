"""Campaign and project screens: managers of the organisation and admins manage; auditors
read; volunteers have no access."""
import datetime as dt

from tests.auth.policies.common import MANAGERS, READERS

POLICY = {
    "campaigns.campaign_list": READERS,
    "campaigns.campaign_new": MANAGERS,
    "campaigns.campaign_edit": MANAGERS,
    "campaigns.campaign_detail": READERS,
    "campaigns.campaign_activate": MANAGERS,
    "campaigns.campaign_extend": MANAGERS,
    "campaigns.campaign_end": MANAGERS,
    "projects.project_list": READERS,
    "projects.project_new": MANAGERS,
    "projects.project_edit": MANAGERS,
    "projects.project_detail": READERS,
    "projects.project_activate": MANAGERS,
    "projects.project_close": MANAGERS,
    "projects.project_attach_point": MANAGERS,
    "projects.project_end_point": MANAGERS,
}


def url_args(world, db):
    from charity.funds.services.campaigns import (activate_campaign, create_campaign, create_project)
    from charity.core.system import system_actor

    org = world["org"]
    org.can_fundraise_publicly = True
    org.fundraising_cert_no = "X1"
    actor = system_actor()
    campaign = create_campaign(actor, db, org, {
        "name": "路由测试募捐", "purpose": "测试", "region": "城关区", "donation_methods": "转账",
        "beneficiaries": "困难家庭", "intended_use": "冬衣", "leftover_plan": "结转",
        "filing_no": "F-1", "planned_start": dt.date(2026, 1, 1),
        "planned_end": dt.date(2026, 12, 31), "target_amount": "1000"})
    activate_campaign(actor, db, campaign)
    project = create_project(actor, db, org, {
        "name": "路由测试项目", "planned_start": dt.date(2026, 1, 1),
        "campaign_ids": [campaign.id]})
    from charity.funds.services.project_points import attach_point

    link = attach_point(actor, db, project, {"point_id": world["point"].id,
                                             "start_on": dt.date(2026, 1, 1), "end_on": None})
    return {"campaign_id": campaign.id, "project_id": project.id, "link_id": link.id}
