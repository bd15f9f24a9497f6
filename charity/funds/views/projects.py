"""Project screens (staff): list, new, edit, detail with spending by source, start and close."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.funds import queries
from charity.funds.forms.campaigns import (
    CAMPAIGN_STATUS_LABELS,
    PROJECT_STATUS_LABELS,
    ActionForm,
    CloseProjectForm,
    EndProjectPointForm,
    ProjectForm,
    ProjectPointForm,
)
from charity.funds.models import Project, ProjectPoint, ProjectStatus
from charity.funds.services import campaigns as services
from charity.funds.services.project_points import attach_point, end_point_link, project_points
from charity.funds.views.org_choice import chosen_organisation, plan_organisation
from charity.funds.views.plan_pages import list_page, post_on_detail, post_step
from charity.orgs.models import CharityPoint
from charity.web.access import access, load, load_child
from charity.web.forms import choices
from charity.web.posting import post_or_show, to_record

bp = Blueprint("projects", __name__, url_prefix="/staff/projects")


def detail_url(project_id: int) -> str:
    return url_for("projects.project_detail", project_id=project_id)


@bp.route("")
@access("projects.view")
def project_list():
    return list_page("funds/project_list.html", queries.project_list, "project",
                     PROJECT_STATUS_LABELS, "projects.manage")


# --- new and edit ----------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@access("projects.manage")
def project_new():
    form = ProjectForm()
    org = plan_organisation(form, "projects.manage")
    form.offer_campaigns(queries.funding_campaigns(current_user, org.id if org else None),
                         with_org=org is None)
    if request.method == "GET":
        if request.args.get("campaign", type=int):
            form.campaign_ids.data = [request.args.get("campaign", type=int)]
    return post_or_show(
        form, lambda: services.create_project(
            current_user, db.session, chosen_organisation(form, org, "projects.manage"),
            form.data_for_service()),
        lambda: render_template("funds/project_form.html", form=form, project=None),
        kind="project", **to_record(detail_url, lambda project: _(
            "Project %(name)s created.", name=project.name),
            fallback=url_for("projects.project_list")))


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@access("projects.manage")
def project_edit(project_id: int):
    project = load(Project, project_id, "projects.manage")
    detail = detail_url(project.id)
    if project.status == ProjectStatus.CLOSED:
        flash(_("A closed project cannot be changed."), "error")
        return redirect(detail)
    form = ProjectForm(obj=project)
    del form.organization_id
    form.offer_campaigns(queries.funding_campaigns(current_user, project.organization_id),
                         with_org=False)
    if request.method == "GET":
        form.campaign_ids.data = [c.id for c in project.campaigns]
    return post_or_show(
        form, lambda: services.update_project(current_user, db.session, project,
                                              form.data_for_service()),
        lambda: render_template("funds/project_form.html", form=form, project=project),
        fallback=detail, success=lambda _p: (_("Changes saved."), detail))


# --- detail ----------------------------------------------------------------------------------

def _point_form(project: Project, form: ProjectPointForm | None = None) -> ProjectPointForm:
    form = form or ProjectPointForm(formdata=None, prefix="point")
    form.point_id.choices = choices(db.session.execute(
        sa.select(CharityPoint.id, CharityPoint.name)
        .where(CharityPoint.organization_id == project.organization_id)
        .order_by(CharityPoint.name)).all())
    return form


def render_detail(project: Project, close_form: CloseProjectForm | None = None,
                  point_form: ProjectPointForm | None = None,
                  end_forms: dict[int, EndProjectPointForm] | None = None):
    """The project page; `point_form` / `end_forms` (by link id) are forms shown again with
    their errors."""
    manage = can(current_user, "projects.manage", project)
    activate_form = None
    open_project = project.status != ProjectStatus.CLOSED
    point_form = _point_form(project, point_form) if manage and open_project else None
    points = project_points(db.session, project.id)
    end_forms = dict(end_forms or {})
    for link in points:
        if manage and open_project and link.end_on is None and link.id not in end_forms:
            end_forms[link.id] = EndProjectPointForm(formdata=None, prefix=f"end{link.id}")
    if manage:
        activate_form = ActionForm(formdata=None, prefix="activate")
        if close_form is None:
            close_form = CloseProjectForm(formdata=None, prefix="close")
            today = org_today(project.organization)
            close_form.end_date.data = min(today, project.planned_end or today)
    else:
        close_form = None
    return render_template(
        "funds/project_detail.html", project=project, figures=queries.project_figures(project),
        campaigns=sorted(project.campaigns, key=lambda c: c.name), manage=manage,
        activate_form=activate_form, close_form=close_form, statuses=PROJECT_STATUS_LABELS,
        campaign_statuses=CAMPAIGN_STATUS_LABELS, point_form=point_form,
        points=points, end_forms=end_forms)


@bp.route("/<int:project_id>")
@access("projects.view")
def project_detail(project_id: int):
    return render_detail(load(Project, project_id, "projects.view"))


@bp.route("/<int:project_id>/points", methods=["POST"])
@access("projects.manage")
def project_attach_point(project_id: int):
    project = load(Project, project_id, "projects.manage")
    form = _point_form(project, ProjectPointForm(prefix="point"))
    return post_on_detail(
        form, lambda: attach_point(current_user, db.session, project,
                                   {"point_id": form.point_id.data,
                                    "start_on": form.start_on.data, "end_on": form.end_on.data}),
        lambda: render_detail(project, point_form=form),
        detail=detail_url(project.id), kind="project",
        message=_("The point now counts for this project."))


@bp.route("/<int:project_id>/points/<int:link_id>/end", methods=["POST"])
@access("projects.manage")
def project_end_point(project_id: int, link_id: int):
    project = load(Project, project_id, "projects.manage")
    link = load_child(ProjectPoint, link_id, project_id=project.id)
    form = EndProjectPointForm(prefix=f"end{link.id}")
    return post_on_detail(
        form, lambda: end_point_link(current_user, db.session, link, form.end_on.data),
        lambda: render_detail(project, end_forms={link.id: form}),
        detail=detail_url(project.id), kind="project",
        message=_("The point's attachment has ended."))


# --- start and close -------------------------------------------------------------------------

@bp.route("/<int:project_id>/activate", methods=["POST"])
@access("projects.manage")
def project_activate(project_id: int):
    project = load(Project, project_id, "projects.manage")
    return post_step(ActionForm(prefix="activate"),
                     lambda: services.activate_project(current_user, db.session, project),
                     message=_("The project has started."), detail=detail_url(project.id),
                     kind="project")


@bp.route("/<int:project_id>/close", methods=["POST"])
@access("projects.manage")
def project_close(project_id: int):
    project = load(Project, project_id, "projects.manage")
    form = CloseProjectForm(prefix="close")
    return post_on_detail(
        form, lambda: services.close_project(current_user, db.session, project,
                                             form.end_date.data, form.leftover_property.data,
                                             form.leftover_handling.data),
        lambda: render_detail(project, close_form=form),
        message=_("The project is closed. Its final disclosure is due within three months."),
        detail=detail_url(project.id), kind="project")
