"""Project screens (staff): list, new, edit, detail with spending by source, start and close."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can, scope_organizations
from charity.core.clock import org_today
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.web.forms import choices
from charity.funds.services import campaigns as services
from charity.funds.campaign_forms import (CAMPAIGN_STATUS_LABELS, PROJECT_STATUS_LABELS,
                                          ActionForm, CloseProjectForm, ProjectForm)
from charity.funds.campaign_views import (balances_for, is_admin, org_choices,
                                          own_organization, result_url, search_arg)
from charity.funds.models import (INCOME_KINDS, SPENDING_KINDS, Campaign, FundEntry, Project,
                                  ProjectStatus)
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.orgs.models import Organization
from charity.web.access import access, contains, load, paginate, show_domain_error

bp = Blueprint("projects", __name__, url_prefix="/staff/projects")


def _campaign_choices(org_id: int | None) -> list:
    """The campaigns a project may be funded by: its organisation's (all in scope for an
    administrator creating a project, labelled with the organisation)."""
    stmt = sa.select(Campaign).join(Campaign.organization)
    if org_id is not None:
        stmt = stmt.where(Campaign.organization_id == org_id)
    else:
        stmt = scope_organizations(current_user, stmt, Campaign.organization_id)
    stmt = stmt.options(sa.orm.contains_eager(Campaign.organization))
    rows = db.session.scalars(stmt.order_by(Organization.name, Campaign.name)).all()

    def label(c: Campaign) -> str:
        text = f"{c.name} ({CAMPAIGN_STATUS_LABELS[c.status.value]})"
        return f"{c.organization.name} · {text}" if org_id is None else text

    return choices((c.id, label(c)) for c in rows)


# --- list ------------------------------------------------------------------------------------

@bp.route("")
@access("projects.view")
def project_list():
    stmt = sa.select(Project).join(Project.organization)
    stmt = scope_organizations(current_user, stmt, Project.organization_id)
    q = search_arg()
    if q:
        stmt = stmt.where(sa.or_(contains(Project.name, q), contains(Project.area, q)))
    status = request.args.get("status", "")
    if status in {s.value for s in ProjectStatus}:
        stmt = stmt.where(Project.status == status)
    stmt = stmt.options(sa.orm.contains_eager(Project.organization),
                        sa.orm.selectinload(Project.campaigns))
    page = paginate(stmt.order_by(Project.planned_start.desc(), Project.id.desc()))
    balances = balances_for("project", [p.id for p in page.items])
    return render_template("funds/project_list.html", page=page, q=q, status=status,
                           statuses=PROJECT_STATUS_LABELS, balances=balances,
                           show_org=is_admin(),
                           can_create=can(current_user, "projects.manage"))


# --- new and edit ----------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@access("projects.manage")
def project_new():
    form = ProjectForm()
    if is_admin():
        form.organization_id.choices = org_choices()
        form.campaign_ids.choices = _campaign_choices(None)
    else:
        del form.organization_id
        org = own_organization("projects.manage")
        form.campaign_ids.choices = _campaign_choices(org.id)
    if request.method == "GET":
        form.submission_token.data = new_token()
        if request.args.get("campaign", type=int):
            form.campaign_ids.data = [request.args.get("campaign", type=int)]
    if form.validate_on_submit():
        if is_admin():
            org = load(Organization, form.organization_id.data, "projects.manage")
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            project = services.create_project(current_user, db.session, org,
                                              form.data_for_service())
            record_result(token, f"project:{project.id}")
        except AlreadySubmitted as done:
            db.session.rollback()
            return redirect(result_url(done.result, url_for("projects.project_list")))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Project %(name)s created.", name=project.name), "success")
            return redirect(url_for("projects.project_detail", project_id=project.id))
    return render_template("funds/project_form.html", form=form, project=None)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@access("projects.manage")
def project_edit(project_id: int):
    project = load(Project, project_id, "projects.manage")
    detail = url_for("projects.project_detail", project_id=project.id)
    if project.status == ProjectStatus.CLOSED:
        flash(_("A closed project cannot be changed."), "error")
        return redirect(detail)
    form = ProjectForm(obj=project)
    del form.organization_id
    form.campaign_ids.choices = _campaign_choices(project.organization_id)
    if request.method == "GET":
        form.campaign_ids.data = [c.id for c in project.campaigns]
    if form.validate_on_submit():
        try:
            services.update_project(current_user, db.session, project, form.data_for_service())
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(detail)
    return render_template("funds/project_form.html", form=form, project=project)


# --- detail ----------------------------------------------------------------------------------

def _figures(project: Project) -> dict:
    """Money of the project by source, summed from the ledger in one grouped query: per
    campaign (None = the organisation's general fund), income designated to it and spending."""
    rows = db.session.execute(
        sa.select(FundEntry.campaign_id, Campaign.name, FundEntry.kind,
                  sa.func.sum(FundEntry.amount))
        .outerjoin(Campaign, Campaign.id == FundEntry.campaign_id)
        .where(FundEntry.project_id == project.id)
        .group_by(FundEntry.campaign_id, Campaign.name, FundEntry.kind)).all()
    sources: dict = {}
    for campaign_id, name, kind, total in rows:
        source = sources.setdefault(campaign_id, {"campaign_id": campaign_id, "name": name,
                                                  "income": Decimal("0"),
                                                  "spent": Decimal("0")})
        if kind in SPENDING_KINDS:
            source["spent"] += Decimal(total)
        elif kind in INCOME_KINDS:
            source["income"] += Decimal(total)
    ordered = sorted(sources.values(), key=lambda s: (s["campaign_id"] is None, s["name"] or ""))
    return {"sources": ordered,
            "spent": sum((s["spent"] for s in ordered), Decimal("0")),
            "income": sum((s["income"] for s in ordered), Decimal("0"))}


def render_detail(project: Project, close_form: CloseProjectForm | None = None):
    manage = can(current_user, "projects.manage", project)
    activate_form = None
    if manage:
        activate_form = ActionForm(prefix="activate", formdata=None)
        activate_form.submission_token.data = new_token()
        if close_form is None:
            close_form = CloseProjectForm(prefix="close", formdata=None)
            today = org_today(project.organization)
            close_form.end_date.data = min(today, project.planned_end or today)
            close_form.submission_token.data = new_token()
    else:
        close_form = None
    return render_template(
        "funds/project_detail.html", project=project, figures=_figures(project),
        campaigns=sorted(project.campaigns, key=lambda c: c.name), manage=manage,
        activate_form=activate_form, close_form=close_form, statuses=PROJECT_STATUS_LABELS,
        campaign_statuses=CAMPAIGN_STATUS_LABELS)


@bp.route("/<int:project_id>")
@access("projects.view")
def project_detail(project_id: int):
    return render_detail(load(Project, project_id, "projects.view"))


# --- start and close -------------------------------------------------------------------------

@bp.route("/<int:project_id>/activate", methods=["POST"])
@access("projects.manage")
def project_activate(project_id: int):
    project = load(Project, project_id, "projects.manage")
    form = ActionForm(prefix="activate")
    if form.validate_on_submit():
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            services.activate_project(current_user, db.session, project)
            record_result(token, f"project:{project.id}")
        except AlreadySubmitted:
            db.session.rollback()
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
            flash(_("The project has started."), "success")
    return redirect(url_for("projects.project_detail", project_id=project.id))


@bp.route("/<int:project_id>/close", methods=["POST"])
@access("projects.manage")
def project_close(project_id: int):
    project = load(Project, project_id, "projects.manage")
    form = CloseProjectForm(prefix="close")
    if form.validate_on_submit():
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            services.close_project(current_user, db.session, project, form.end_date.data,
                                   form.leftover_property.data, form.leftover_handling.data)
            record_result(token, f"project:{project.id}")
        except AlreadySubmitted as done:
            db.session.rollback()
            return redirect(result_url(done.result, url_for("projects.project_detail",
                                                            project_id=project.id)))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("The project is closed. Its final disclosure is due within three months."),
                  "success")
            return redirect(url_for("projects.project_detail", project_id=project.id))
    return render_detail(project, close_form=form)
