"""Campaigns and projects: their plans, their life (activate, extend, end, close) and the
versioned record of every change to a running campaign."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.edits import apply_changes
from charity.audit.services import diff, record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.core.money import check_amount
from charity.funds.models import Campaign, CampaignChange, CampaignStatus, Project, ProjectStatus

PLAN_FIELDS = ("name", "purpose", "region", "donation_methods", "bank_account", "beneficiaries",
               "intended_use", "cost_budget", "leftover_plan", "responsible_person", "contact",
               "filing_no", "filing_date", "planned_start", "planned_end", "target_amount",
               "goods_wanted", "emergency")
PROJECT_FIELDS = ("name", "content", "area", "beneficiary_groups", "planned_start", "planned_end",
                  "budget")
# Art. 24 plan fields a campaign needs before it may go active.
REQUIRED_FOR_ACTIVATION = ("purpose", "region", "donation_methods", "beneficiaries",
                           "intended_use", "leftover_plan")


def _strip(data: dict, fields) -> dict:
    out = {}
    for key in fields:
        if key in data:
            value = data[key]
            out[key] = value.strip() if isinstance(value, str) else value
    return out


def _optional_amount(value, field):
    if value in (None, ""):
        return None
    return check_amount(value, field=field, allow_zero=field in ("cost_budget", "budget"))


def _plan_data(session, model, org_id, data, current, fields, amounts, clash_message):
    """The cleaned plan fields of a new (`current` None) or changed campaign or project, after
    the checks both share: a name unique in the organisation, the amounts, a start date.
    Returns them with the start and end that will hold."""
    clean = _strip(data, fields)
    name = clean.get("name", current.name if current else "")
    if not name:
        raise ValidationFailed(_l("This field is required."), field="name")
    clash = session.scalar(sa.select(model.id).where(model.organization_id == org_id,
                                                     model.name == name))
    if clash is not None and (current is None or clash != current.id):
        raise ValidationFailed(clash_message, field="name")
    for key in amounts:
        if key in clean:
            clean[key] = _optional_amount(clean[key], key)
    start = clean.get("planned_start", current.planned_start if current else None)
    end = clean.get("planned_end", current.planned_end if current else None)
    if start is None:
        raise ValidationFailed(_l("This field is required."), field="planned_start")
    return clean, start, end


def _campaign_data(session, org_id, data, current: Campaign | None) -> dict:
    clean, start, end = _plan_data(session, Campaign, org_id, data, current, PLAN_FIELDS,
                                   ("target_amount", "cost_budget"),
                                   _l("A campaign with this name exists."))
    if end is None:
        raise ValidationFailed(_l("A campaign needs an end date (required by law)."),
                               field="planned_end")
    if end < start:
        raise ValidationFailed(_l("The end date is before the start date."), field="planned_end")
    filing_date = clean.get("filing_date")
    if filing_date and filing_date > start:
        raise ValidationFailed(_l("The plan must be filed before the campaign starts."),
                               field="filing_date")
    clean["emergency"] = bool(clean.get("emergency", current.emergency if current else False))
    return clean


def _log_change(session, actor, campaign: Campaign, kind: str, reason: str, changes: dict,
                today: dt.date) -> CampaignChange:
    if kind != "create":
        campaign.version += 1
    change = CampaignChange(campaign_id=campaign.id, version=campaign.version, kind=kind,
                            reason=reason or "", changes=_jsonable(changes), changed_on=today,
                            changed_by_id=getattr(actor, "id", None))
    session.add(change)
    record(session, actor, f"campaign.{kind}", campaign, {"reason": reason, **changes})
    return change


def _jsonable(changes: dict) -> dict:
    def conv(v):
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        if isinstance(v, (dt.date, Decimal)):
            return str(v)
        return v.value if hasattr(v, "value") else v

    return {k: conv(v) for k, v in changes.items()}


def create_campaign(actor, session: Session, organization, data: dict,
                    today: dt.date | None = None) -> Campaign:
    """Create a planned campaign (version 1)."""
    require(actor, "campaigns.manage", organization)
    campaign = Campaign(organization_id=organization.id,
                        **_campaign_data(session, organization.id, data, None),
                        created_by_id=getattr(actor, "id", None))
    session.add(campaign)
    session.flush()
    _log_change(session, actor, campaign, "create", "", {}, today or org_today(organization))
    session.flush()
    return campaign


def update_campaign(actor, session: Session, campaign: Campaign, data: dict, reason: str = "",
                    today: dt.date | None = None) -> Campaign:
    """Change a campaign's plan. A running campaign needs a reason; each change is a version.
    The end date of a running campaign moves only through extend/end."""
    require(actor, "campaigns.manage", campaign)
    if campaign.status == CampaignStatus.ENDED:
        raise ValidationFailed(_l("An ended campaign cannot be changed."))
    clean = _campaign_data(session, campaign.organization_id, data, campaign)
    if campaign.status == CampaignStatus.ACTIVE:
        if clean.get("planned_end", campaign.planned_end) != campaign.planned_end:
            raise ValidationFailed(
                _l("Use “Extend” or “End” to change the end of a running campaign."),
                field="planned_end")
        if clean.get("planned_start", campaign.planned_start) != campaign.planned_start:
            raise ValidationFailed(_l("A running campaign's start cannot change."),
                                   field="planned_start")
    changes = diff(campaign, clean)
    if not changes:
        return campaign
    if campaign.status == CampaignStatus.ACTIVE and not (reason or "").strip():
        raise ValidationFailed(_l("Say why the plan of a running campaign changes."),
                               field="reason")
    for key, value in clean.items():
        setattr(campaign, key, value)
    _log_change(session, actor, campaign, "edit", reason, changes,
                today or org_today(campaign.organization))
    session.flush()
    return campaign


def activate_campaign(actor, session: Session, campaign: Campaign,
                      today: dt.date | None = None) -> Campaign:
    """Start fundraising: needs the qualification, a filing number and a complete plan."""
    require(actor, "campaigns.manage", campaign)
    org = campaign.organization
    if campaign.status != CampaignStatus.PLANNED:
        raise ValidationFailed(_l("Only a planned campaign can be started."))
    # The qualification and certificate as an administrator recorded them (issue 16), valid
    # on the day the campaign starts.
    if not org.fundraising_qualified_on(today or org_today(org)):
        raise ValidationFailed(_l("The organisation has no public-fundraising qualification, "
                                  "so it cannot run a public campaign."))
    if not campaign.filing_no:
        raise ValidationFailed(_l("The campaign plan must be filed (filing number) before the "
                                  "campaign starts."), field="filing_no")
    missing = [f for f in REQUIRED_FOR_ACTIVATION if not getattr(campaign, f)]
    if missing:
        raise ValidationFailed(_l("The plan is incomplete: %(fields)s.",
                                  fields=", ".join(missing)), field=missing[0])
    campaign.status = CampaignStatus.ACTIVE
    _log_change(session, actor, campaign, "activate", "", {"status": ["planned", "active"]},
                today or org_today(org))
    session.flush()
    return campaign


def extend_campaign(actor, session: Session, campaign: Campaign, new_end: dt.date, reason: str,
                    today: dt.date | None = None) -> Campaign:
    require(actor, "campaigns.manage", campaign)
    if campaign.status == CampaignStatus.ENDED:
        raise ValidationFailed(_l("An ended campaign cannot be extended."))
    if new_end is None or new_end <= campaign.planned_end:
        raise ValidationFailed(_l("The new end must be later than the current end."),
                               field="new_end")
    if not (reason or "").strip():
        raise ValidationFailed(_l("This field is required."), field="reason")
    old = campaign.planned_end
    campaign.planned_end = new_end
    _log_change(session, actor, campaign, "extend", reason, {"planned_end": [old, new_end]},
                today or org_today(campaign.organization))
    session.flush()
    return campaign


def end_campaign(actor, session: Session, campaign: Campaign, end_date: dt.date, reason: str = "",
                 today: dt.date | None = None) -> Campaign:
    """End a running campaign on `end_date` (early when before the planned end: needs a reason)."""
    require(actor, "campaigns.manage", campaign)
    today = today or org_today(campaign.organization)
    if campaign.status != CampaignStatus.ACTIVE:
        raise ValidationFailed(_l("Only a running campaign can be ended."))
    if end_date is None or end_date < campaign.planned_start:
        raise ValidationFailed(_l("The end is before the start."), field="end_date")
    if end_date > today:
        raise ValidationFailed(_l("The end date cannot be in the future."), field="end_date")
    if end_date > campaign.planned_end:
        raise ValidationFailed(_l("Extend the campaign first: this is after its planned end."),
                               field="end_date")
    early = end_date < campaign.planned_end
    if early and not (reason or "").strip():
        raise ValidationFailed(_l("Say why the campaign ends early."), field="reason")
    campaign.actual_end = end_date
    campaign.status = CampaignStatus.ENDED
    _log_change(session, actor, campaign, "end_early" if early else "end", reason,
                {"actual_end": end_date, "planned_end": campaign.planned_end}, today)
    session.flush()
    return campaign


# --- projects --------------------------------------------------------------------------------

def _project_data(session, org_id, data, current: Project | None) -> dict:
    clean, start, end = _plan_data(session, Project, org_id, data, current, PROJECT_FIELDS,
                                   ("budget",), _l("A project with this name exists."))
    if end is not None and end < start:
        raise ValidationFailed(_l("The end date is before the start date."), field="planned_end")
    return clean


def _set_campaigns(session, project: Project, campaign_ids) -> list[int] | None:
    if campaign_ids is None:
        return None
    ids = sorted({int(i) for i in campaign_ids})
    campaigns = list(session.scalars(sa.select(Campaign).where(Campaign.id.in_(ids)))) if ids else []
    if len(campaigns) != len(ids) or any(c.organization_id != project.organization_id
                                         for c in campaigns):
        raise ValidationFailed(_l("Choose campaigns of the same organisation."),
                               field="campaign_ids")
    old = sorted(c.id for c in project.campaigns)
    project.campaigns = campaigns
    return old if old != ids else None


def create_project(actor, session: Session, organization, data: dict) -> Project:
    require(actor, "projects.manage", organization)
    project = Project(organization_id=organization.id,
                      **_project_data(session, organization.id, data, None),
                      created_by_id=getattr(actor, "id", None))
    session.add(project)
    session.flush()
    _set_campaigns(session, project, data.get("campaign_ids", ()))
    record(session, actor, "project.create", project,
           {"name": project.name, "campaigns": [c.id for c in project.campaigns]})
    session.flush()
    return project


def update_project(actor, session: Session, project: Project, data: dict) -> Project:
    require(actor, "projects.manage", project)
    if project.status == ProjectStatus.CLOSED:
        raise ValidationFailed(_l("A closed project cannot be changed."))
    clean = _project_data(session, project.organization_id, data, project)
    changes = apply_changes(project, clean)
    old_campaigns = _set_campaigns(session, project, data.get("campaign_ids"))
    if old_campaigns is not None:
        changes["campaigns"] = [old_campaigns, sorted(c.id for c in project.campaigns)]
    if changes:
        record(session, actor, "project.update", project, _jsonable(changes))
    session.flush()
    return project


def activate_project(actor, session: Session, project: Project) -> Project:
    require(actor, "projects.manage", project)
    if project.status != ProjectStatus.PLANNED:
        raise ValidationFailed(_l("Only a planned project can be started."))
    project.status = ProjectStatus.ACTIVE
    record(session, actor, "project.activate", project)
    session.flush()
    return project


def close_project(actor, session: Session, project: Project, end_date: dt.date,
                  leftover_property: str, leftover_handling: str,
                  today: dt.date | None = None) -> Project:
    """Close a project, recording what property was left and how it was handled."""
    require(actor, "projects.manage", project)
    today = today or org_today(project.organization)
    if project.status == ProjectStatus.CLOSED:
        raise ValidationFailed(_l("The project is already closed."))
    if end_date is None or end_date < project.planned_start:
        raise ValidationFailed(_l("The end is before the start."), field="end_date")
    if end_date > today:
        raise ValidationFailed(_l("The end date cannot be in the future."), field="end_date")
    if not (leftover_property or "").strip() or not (leftover_handling or "").strip():
        field = "leftover_property" if not (leftover_property or "").strip() else \
            "leftover_handling"
        raise ValidationFailed(_l("Record the leftover property and how it was handled "
                                  "(write “无” if nothing was left)."), field=field)
    project.actual_end = end_date
    project.leftover_property = leftover_property.strip()
    project.leftover_handling = leftover_handling.strip()
    project.status = ProjectStatus.CLOSED
    project.closed_at = utcnow()
    project.closed_on = today
    project.closed_by_id = getattr(actor, "id", None)
    record(session, actor, "project.close", project,
           {"actual_end": str(end_date), "leftover_property": project.leftover_property,
            "leftover_handling": project.leftover_handling})
    session.flush()
    return project
