"""Campaign screens (staff): list, plan (new, edit), detail with figures and history, and the
steps of a campaign's life (start, extend, end)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.core.i18n import date as format_date
from charity.funds import queries
from charity.funds.forms.campaigns import (
    CAMPAIGN_LABELS,
    CAMPAIGN_STATUS_LABELS,
    CHANGE_KIND_LABELS,
    ENTRY_KIND_LABELS,
    ActionForm,
    CampaignForm,
    EndForm,
    ExtendForm,
)
from charity.funds.models import Campaign, CampaignStatus
from charity.funds.services import campaigns as services
from charity.funds.views.org_choice import chosen_organisation, plan_organisation
from charity.funds.views.plan_pages import list_page, post_on_detail, post_step
from charity.web.access import access, load
from charity.web.posting import post_or_show, to_record

bp = Blueprint("campaigns", __name__, url_prefix="/staff/campaigns")


def detail_url(campaign_id: int) -> str:
    return url_for("campaigns.campaign_detail", campaign_id=campaign_id)


@bp.route("")
@access("campaigns.view")
def campaign_list():
    def progress(page, balances):
        return {"progress": {c.id: queries.percent(balances[c.id].donation_income,
                                                   c.target_amount) for c in page.items}}

    return list_page("funds/campaign_list.html", queries.campaign_list, "campaign",
                     CAMPAIGN_STATUS_LABELS, "campaigns.manage", extra=progress)


# --- plan ------------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@access("campaigns.manage")
def campaign_new():
    form = CampaignForm()
    org = plan_organisation(form, "campaigns.manage")
    return post_or_show(
        form, lambda: services.create_campaign(
            current_user, db.session, chosen_organisation(form, org, "campaigns.manage"),
            form.data_for_service()),
        lambda: render_template("funds/campaign_form.html", form=form, campaign=None),
        kind="campaign", **to_record(detail_url, lambda campaign: _(
            "Campaign %(name)s created. Complete the plan and start it when it has been filed.",
            name=campaign.name), fallback=url_for("campaigns.campaign_list")))


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@access("campaigns.manage")
def campaign_edit(campaign_id: int):
    campaign = load(Campaign, campaign_id, "campaigns.manage")
    detail = detail_url(campaign.id)
    if campaign.status == CampaignStatus.ENDED:
        flash(_("An ended campaign cannot be changed."), "error")
        return redirect(detail)
    running = campaign.status == CampaignStatus.ACTIVE
    form = CampaignForm(obj=campaign)
    del form.organization_id
    # A running campaign's dates move only through extend and end.
    exclude = ("planned_start", "planned_end") if running else ()
    return post_or_show(
        form, lambda: services.update_campaign(current_user, db.session, campaign,
                                               form.data_for_service(exclude=exclude),
                                               reason=form.reason.data or ""),
        lambda: render_template("funds/campaign_form.html", form=form, campaign=campaign,
                                running=running),
        fallback=detail, success=lambda _c: (_("Changes saved."), detail))


# --- detail ----------------------------------------------------------------------------------

def render_detail(campaign: Campaign, extend_form: ExtendForm | None = None,
                  end_form: EndForm | None = None):
    ledger_url = None
    if "ledger.entry_list" in current_app.view_functions \
            and can(current_user, "funds.view", campaign):
        ledger_url = url_for("ledger.entry_list", campaign=campaign.id)
    manage = can(current_user, "campaigns.manage", campaign)
    today = org_today(campaign.organization)
    activate_form = None
    if manage:
        if extend_form is None:
            extend_form = ExtendForm(formdata=None, prefix="extend")
        if end_form is None:
            end_form = EndForm(formdata=None, prefix="end")
            end_form.end_date.data = min(today, campaign.planned_end)
        activate_form = ActionForm(formdata=None, prefix="activate")
    else:
        extend_form = end_form = None
    return render_template(
        "funds/campaign_detail.html", campaign=campaign, **queries.campaign_page(campaign),
        projects=sorted(campaign.projects, key=lambda p: p.name), ledger_url=ledger_url,
        manage=manage, today=today, activate_form=activate_form, extend_form=extend_form,
        end_form=end_form, labels=CAMPAIGN_LABELS, kinds=CHANGE_KIND_LABELS,
        statuses=CAMPAIGN_STATUS_LABELS, entry_kinds=ENTRY_KIND_LABELS)


@bp.route("/<int:campaign_id>")
@access("campaigns.view")
def campaign_detail(campaign_id: int):
    return render_detail(load(Campaign, campaign_id, "campaigns.view"))


# --- life: start, extend, end ----------------------------------------------------------------

@bp.route("/<int:campaign_id>/activate", methods=["POST"])
@access("campaigns.manage")
def campaign_activate(campaign_id: int):
    campaign = load(Campaign, campaign_id, "campaigns.manage")
    return post_step(ActionForm(prefix="activate"),
                     lambda: services.activate_campaign(current_user, db.session, campaign),
                     message=_("The campaign has started: it can now receive donations."),
                     detail=detail_url(campaign.id), kind="campaign")


@bp.route("/<int:campaign_id>/extend", methods=["POST"])
@access("campaigns.manage")
def campaign_extend(campaign_id: int):
    form = ExtendForm(prefix="extend")
    return _change_end(campaign_id, form, services.extend_campaign, form.new_end, lambda c: _(
        "The campaign now ends on %(date)s.", date=format_date(c.planned_end)), extend_form=form)


@bp.route("/<int:campaign_id>/end", methods=["POST"])
@access("campaigns.manage")
def campaign_end(campaign_id: int):
    form = EndForm(prefix="end")
    return _change_end(campaign_id, form, services.end_campaign, form.end_date,
                       _("The campaign has ended. Its final disclosure is due within three "
                         "months."), end_form=form)


def _change_end(campaign_id: int, form, change, end_field, message, **shown):
    """Extend or end a running campaign (a new end date and the reason), posted once: the
    campaign page again with `message`, or with `shown` forms and the refusal."""
    campaign = load(Campaign, campaign_id, "campaigns.manage")
    return post_on_detail(
        form, lambda: change(current_user, db.session, campaign, end_field.data,
                             form.reason.data or ""),
        lambda: render_detail(campaign, **shown), message=message,
        detail=detail_url(campaign.id), kind="campaign")
