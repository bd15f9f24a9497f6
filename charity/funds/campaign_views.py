"""Campaign screens (staff): list, plan (new, edit), detail with figures and history, and the
steps of a campaign's life (start, extend, end)."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can, scope_organizations
from charity.core.roles import Role
from charity.core.clock import org_today
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.web.forms import choices
from charity.core.i18n import date as format_date
from charity.funds.services import campaigns as services
from charity.funds.campaign_forms import (CAMPAIGN_LABELS, CAMPAIGN_STATUS_LABELS,
                                          CHANGE_KIND_LABELS, ENTRY_KIND_LABELS, ActionForm,
                                          CampaignForm, EndForm, ExtendForm)
from charity.funds.models import (Campaign, CampaignChange, CampaignStatus, FundBalance,
                                  FundEntry)
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.orgs.models import Organization
from charity.web.access import access, contains, load, paginate, show_domain_error

bp = Blueprint("campaigns", __name__, url_prefix="/staff/campaigns")

FIGURES = ("donation_income", "commercial_income", "spent_projects", "spent_other",
           "fundraising_costs", "transfers_in", "transfers_out")
RECENT_ENTRIES = 20


# --- helpers shared with the project screens -------------------------------------------------

def zero_balance() -> FundBalance:
    """An unsaved, empty balance for a fund nothing has been posted to yet."""
    return FundBalance(entry_count=0, **{name: Decimal("0") for name in FIGURES})


def balances_for(scope: str, ids) -> dict[int, FundBalance]:
    """The balances of several funds of one scope in one query (read only: a fund without a
    row yet gets an empty, unsaved one)."""
    ids = list(ids)
    found = {}
    if ids:
        found = {b.scope_id: b for b in db.session.scalars(
            sa.select(FundBalance).where(FundBalance.scope == scope,
                                         FundBalance.scope_id.in_(ids)))}
    return {i: found.get(i) or zero_balance() for i in ids}


def search_arg() -> str:
    return request.args.get("q", "").strip()[:100]


def org_choices():
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    stmt = stmt.where(Organization.active.is_(True)).order_by(Organization.name)
    return choices((o.id, o.name) for o in db.session.scalars(stmt))


def is_admin() -> bool:
    return current_user.role == Role.ADMIN


def own_organization(permission: str):
    """The organisation a manager works for (admins choose one on the form)."""
    org = current_user.organization
    if org is None or not can(current_user, permission, org):
        abort(403)
    return org


def result_url(result: str, default: str) -> str:
    """Where the first submission of a form led ("campaign:12", "project:3")."""
    kind, _sep, object_id = (result or "").partition(":")
    if object_id.isascii() and object_id.isdigit():
        if kind == "campaign":
            return url_for("campaigns.campaign_detail", campaign_id=int(object_id))
        if kind == "project":
            return url_for("projects.project_detail", project_id=int(object_id))
    return default


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


# --- list ------------------------------------------------------------------------------------

@bp.route("")
@access("campaigns.view")
def campaign_list():
    stmt = sa.select(Campaign).join(Campaign.organization)
    stmt = scope_organizations(current_user, stmt, Campaign.organization_id)
    q = search_arg()
    if q:
        stmt = stmt.where(sa.or_(contains(Campaign.name, q), contains(Campaign.filing_no, q)))
    status = request.args.get("status", "")
    if status in {s.value for s in CampaignStatus}:
        stmt = stmt.where(Campaign.status == status)
    stmt = stmt.options(sa.orm.contains_eager(Campaign.organization))
    page = paginate(stmt.order_by(Campaign.planned_start.desc(), Campaign.id.desc()))
    balances = balances_for("campaign", [c.id for c in page.items])
    progress = {c.id: percent(balances[c.id].donation_income, c.target_amount)
                for c in page.items}
    return render_template("funds/campaign_list.html", page=page, q=q, status=status,
                           statuses=CAMPAIGN_STATUS_LABELS, balances=balances,
                           progress=progress, show_org=is_admin(),
                           can_create=can(current_user, "campaigns.manage"))


# --- plan ------------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@access("campaigns.manage")
def campaign_new():
    form = CampaignForm()
    if is_admin():
        form.organization_id.choices = org_choices()
    else:
        del form.organization_id
        org = own_organization("campaigns.manage")
    if request.method == "GET":
        form.submission_token.data = new_token()
    if form.validate_on_submit():
        if is_admin():
            org = load(Organization, form.organization_id.data, "campaigns.manage")
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            campaign = services.create_campaign(current_user, db.session, org,
                                                form.data_for_service())
            record_result(token, f"campaign:{campaign.id}")
        except AlreadySubmitted as done:
            db.session.rollback()
            return redirect(result_url(done.result, url_for("campaigns.campaign_list")))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Campaign %(name)s created. Complete the plan and start it when it has "
                    "been filed.", name=campaign.name), "success")
            return redirect(url_for("campaigns.campaign_detail", campaign_id=campaign.id))
    return render_template("funds/campaign_form.html", form=form, campaign=None)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@access("campaigns.manage")
def campaign_edit(campaign_id: int):
    campaign = load(Campaign, campaign_id, "campaigns.manage")
    detail = url_for("campaigns.campaign_detail", campaign_id=campaign.id)
    if campaign.status == CampaignStatus.ENDED:
        flash(_("An ended campaign cannot be changed."), "error")
        return redirect(detail)
    running = campaign.status == CampaignStatus.ACTIVE
    form = CampaignForm(obj=campaign)
    del form.organization_id
    if form.validate_on_submit():
        # A running campaign's dates move only through extend and end.
        data = form.data_for_service(exclude=("planned_start", "planned_end") if running
                                     else ())
        try:
            services.update_campaign(current_user, db.session, campaign, data,
                                     reason=form.reason.data or "")
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(detail)
    return render_template("funds/campaign_form.html", form=form, campaign=campaign,
                           running=running)


# --- detail ----------------------------------------------------------------------------------

def render_detail(campaign: Campaign, extend_form: ExtendForm | None = None,
                  end_form: EndForm | None = None):
    balance = balances_for("campaign", [campaign.id])[campaign.id]
    changes = db.session.scalars(
        sa.select(CampaignChange).where(CampaignChange.campaign_id == campaign.id)
        .options(sa.orm.selectinload(CampaignChange.changed_by))
        .order_by(CampaignChange.version.desc())).all()
    entries = db.session.scalars(
        sa.select(FundEntry).where(FundEntry.campaign_id == campaign.id)
        .options(sa.orm.selectinload(FundEntry.project))
        .order_by(FundEntry.entry_date.desc(), FundEntry.id.desc())
        .limit(RECENT_ENTRIES)).all()
    ledger_url = None
    if "ledger.entry_list" in current_app.view_functions \
            and can(current_user, "funds.view", campaign):
        ledger_url = url_for("ledger.entry_list", campaign=campaign.id)
    manage = can(current_user, "campaigns.manage", campaign)
    today = org_today(campaign.organization)
    if manage:
        if extend_form is None:
            extend_form = ExtendForm(prefix="extend", formdata=None)
            extend_form.submission_token.data = new_token()
        if end_form is None:
            end_form = EndForm(prefix="end", formdata=None)
            end_form.end_date.data = min(today, campaign.planned_end)
            end_form.submission_token.data = new_token()
        activate_form = ActionForm(prefix="activate", formdata=None)
        activate_form.submission_token.data = new_token()
    else:
        extend_form = end_form = activate_form = None
    raised = balance.donation_income
    progress = percent(raised, campaign.target_amount)
    return render_template(
        "funds/campaign_detail.html", campaign=campaign, balance=balance, raised=raised,
        progress=progress, progress_bar=None if progress is None else min(progress, Decimal(100)),
        projects=sorted(campaign.projects, key=lambda p: p.name), changes=changes,
        entries=entries, ledger_url=ledger_url, manage=manage, today=today,
        activate_form=activate_form, extend_form=extend_form, end_form=end_form,
        labels=CAMPAIGN_LABELS, kinds=CHANGE_KIND_LABELS, statuses=CAMPAIGN_STATUS_LABELS,
        entry_kinds=ENTRY_KIND_LABELS)


@bp.route("/<int:campaign_id>")
@access("campaigns.view")
def campaign_detail(campaign_id: int):
    campaign = load(Campaign, campaign_id, "campaigns.view")
    return render_detail(campaign)


# --- life: start, extend, end ----------------------------------------------------------------

@bp.route("/<int:campaign_id>/activate", methods=["POST"])
@access("campaigns.manage")
def campaign_activate(campaign_id: int):
    campaign = load(Campaign, campaign_id, "campaigns.manage")
    detail = url_for("campaigns.campaign_detail", campaign_id=campaign.id)
    form = ActionForm(prefix="activate")
    if form.validate_on_submit():
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            services.activate_campaign(current_user, db.session, campaign)
            record_result(token, f"campaign:{campaign.id}")
        except AlreadySubmitted:
            db.session.rollback()
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
            flash(_("The campaign has started: it can now receive donations."), "success")
    return redirect(detail)


@bp.route("/<int:campaign_id>/extend", methods=["POST"])
@access("campaigns.manage")
def campaign_extend(campaign_id: int):
    campaign = load(Campaign, campaign_id, "campaigns.manage")
    form = ExtendForm(prefix="extend")
    if form.validate_on_submit():
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            services.extend_campaign(current_user, db.session, campaign, form.new_end.data,
                                     form.reason.data or "")
            record_result(token, f"campaign:{campaign.id}")
        except AlreadySubmitted as done:
            db.session.rollback()
            return redirect(result_url(done.result, url_for("campaigns.campaign_detail",
                                                            campaign_id=campaign.id)))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("The campaign now ends on %(date)s.",
                    date=format_date(campaign.planned_end)), "success")
            return redirect(url_for("campaigns.campaign_detail", campaign_id=campaign.id))
    return render_detail(campaign, extend_form=form)


@bp.route("/<int:campaign_id>/end", methods=["POST"])
@access("campaigns.manage")
def campaign_end(campaign_id: int):
    campaign = load(Campaign, campaign_id, "campaigns.manage")
    form = EndForm(prefix="end")
    if form.validate_on_submit():
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            services.end_campaign(current_user, db.session, campaign, form.end_date.data,
                                  form.reason.data or "")
            record_result(token, f"campaign:{campaign.id}")
        except AlreadySubmitted as done:
            db.session.rollback()
            return redirect(result_url(done.result, url_for("campaigns.campaign_detail",
                                                            campaign_id=campaign.id)))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("The campaign has ended. Its final disclosure is due within three "
                    "months."), "success")
            return redirect(url_for("campaigns.campaign_detail", campaign_id=campaign.id))
    return render_detail(campaign, end_form=form)
