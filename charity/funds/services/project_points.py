"""Attaching a charity point to an ongoing project for a span of days (issue 17 item 5): the
point's distributions, sales and goods received in those days count in the project's
reports. A point serves one project at a time, so no day is counted twice."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.funds.models import Project, ProjectPoint, ProjectStatus
from charity.orgs.models import CharityPoint

FAR = dt.date(9999, 12, 31)


def _overlapping(session: Session, point_id: int, start: dt.date, end: dt.date | None,
                 other_than: int | None = None) -> ProjectPoint | None:
    stmt = sa.select(ProjectPoint).where(
        ProjectPoint.point_id == point_id,
        ProjectPoint.start_on <= (end or FAR),
        sa.func.coalesce(ProjectPoint.end_on, FAR) >= start)
    if other_than is not None:
        stmt = stmt.where(ProjectPoint.id != other_than)
    return session.scalars(stmt.limit(1)).first()


def attach_point(actor, session: Session, project: Project, data: dict) -> ProjectPoint:
    """Attach point `data["point_id"]` to `project` from `start_on` to `end_on` (open when
    empty). Refused for a closed project, a point of another organisation, dates out of
    order or before the project's start, or days the point already serves a project."""
    require(actor, "projects.manage", project)
    if project.status == ProjectStatus.CLOSED:
        raise ValidationFailed(_l("A closed project cannot be changed."))
    point = session.get(CharityPoint, data.get("point_id") or 0)
    if point is None or point.organization_id != project.organization_id:
        raise ValidationFailed(_l("Choose a point of the organisation."), field="point_id")
    start, end = data.get("start_on"), data.get("end_on")
    if not isinstance(start, dt.date):
        raise ValidationFailed(_l("Enter a date."), field="start_on")
    if start < project.planned_start:
        raise ValidationFailed(_l("The project had not started on that day."), field="start_on")
    if end is not None and end < start:
        raise ValidationFailed(_l("The end is before the start."), field="end_on")
    clash = _overlapping(session, point.id, start, end)
    if clash is not None:
        raise ValidationFailed(_l("On some of these days the point already works for "
                                  "project %(name)s.", name=clash.project.name),
                               field="start_on")
    link = ProjectPoint(project_id=project.id, point_id=point.id, start_on=start, end_on=end,
                        created_by_id=getattr(actor, "id", None))
    session.add(link)
    session.flush()
    record(session, actor, "project.attach_point", project,
           {"point_id": point.id, "start_on": start.isoformat(),
            "end_on": end.isoformat() if end else None})
    return link


def project_points(session: Session, project_id: int) -> list[ProjectPoint]:
    """The points attached to a project, earliest first."""
    return list(session.scalars(sa.select(ProjectPoint)
                                .where(ProjectPoint.project_id == project_id)
                                .order_by(ProjectPoint.start_on, ProjectPoint.id)))


def end_point_link(actor, session: Session, link: ProjectPoint, end_on) -> ProjectPoint:
    """End an open attachment on `end_on` (the point's last day for the project): later
    hand-outs there no longer count for the project."""
    require(actor, "projects.manage", link.project)
    if link.end_on is not None:
        raise ValidationFailed(_l("This attachment has already ended."), field="end_on")
    if not isinstance(end_on, dt.date):
        raise ValidationFailed(_l("Enter a date."), field="end_on")
    if end_on < link.start_on:
        raise ValidationFailed(_l("The end is before the start."), field="end_on")
    link.end_on = end_on
    record(session, actor, "project.end_point", link.project,
           {"point_id": link.point_id, "start_on": link.start_on.isoformat(),
            "end_on": end_on.isoformat()})
    session.flush()
    return link
