"""The charity points a signed-in user works at, for the views of every feature: which points
to offer, which one the request names, how to label them, and today's date for the user."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import abort, current_app, g
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.auth.permissions import can, scope_organizations, scope_points
from charity.core.clock import org_today, today_in
from charity.core.extensions import db
from charity.core.roles import Role
from charity.orgs.models import CharityPoint, Organization
from charity.web.access import parse_id
from charity.web.forms import choices


def counter_points() -> list[CharityPoint]:
    """Where the user works: a volunteer's own open points; otherwise the open points of the
    user's organisation (an administrator: of every organisation)."""
    if current_user.role == Role.VOLUNTEER:
        return [p for p in current_user.points if p.active]
    stmt = scope_organizations(current_user, sa.select(CharityPoint),
                               CharityPoint.organization_id)
    return list(db.session.scalars(stmt.where(CharityPoint.active.is_(True))
                                   .options(selectinload(CharityPoint.organization))
                                   .order_by(CharityPoint.organization_id, CharityPoint.name)))


def point_label(point: CharityPoint) -> str:
    if current_user.role == Role.ADMIN:
        return f"{point.organization.name} · {point.name}"
    return point.name


def chosen_point(raw, points: list[CharityPoint], permission: str) -> CharityPoint | None:
    """The point the request names (403 when it is outside the user's scope), else the
    first of `points`: a volunteer's only point is preselected."""
    wanted = parse_id(raw)
    point = db.session.get(CharityPoint, wanted) if wanted is not None else None
    if point is not None:
        if not can(current_user, permission, point):
            abort(403)
        return point
    return points[0] if points else None


def staff_today(org: Organization | None = None) -> dt.date:
    if org is None and current_user.organization_id:
        org = db.session.get(Organization, current_user.organization_id)
    if org is not None:
        return org_today(org)
    return today_in(current_app.config.get("CHARITY_TIMEZONE"))


def visible_points(permission: str, active_only: bool = True) -> list[CharityPoint]:
    """Points where the current user may `permission`: a volunteer's own points, the
    organisation's points for managers and auditors, every point for an administrator."""
    # The user behind the proxy, once: an administrator's thousand points cost 10,000
    # proxy look-ups otherwise (issue 21: half of /staff/stocktakes/).
    user = current_user._get_current_object()
    return [p for p in _scoped_points(active_only) if can(user, permission, p)]


def _scoped_points(active_only: bool) -> list[CharityPoint]:
    """The user's points, open or closed, read once per request (open ones picked here): a
    page that offers points for two permissions (the stocktake list's filter, every point,
    and its start form, open ones) loaded an administrator's thousand points twice."""
    if "_scoped_points" not in g:
        stmt = sa.select(CharityPoint).join(CharityPoint.organization)
        stmt = scope_points(current_user, stmt, CharityPoint.id, CharityPoint.organization_id)
        stmt = stmt.options(sa.orm.contains_eager(CharityPoint.organization))
        g._scoped_points = db.session.scalars(
            stmt.order_by(Organization.name, CharityPoint.name)).all()
    if active_only:
        return [p for p in g._scoped_points if p.active and p.organization.active]
    return g._scoped_points


def point_choices(points, blank: bool = True):
    pairs = [(str(p.id), point_label(p)) for p in points]
    if blank and len(points) != 1:
        pairs.insert(0, ("", _("— choose —")))
    return choices(pairs)


def offered(raw, options):
    """The option (a point, an organisation…) with id `raw` among `options` (those offered
    to the user), else None: a forged id is simply not among them."""
    wanted = parse_id(raw)
    return next((o for o in options if o.id == wanted), None) if wanted else None

