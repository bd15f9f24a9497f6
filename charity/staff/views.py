"""The staff home page and the audit log reader."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user

from charity.audit.models import AuditLog
from charity.auth.models import User
from charity.auth.permissions import can, scope_organizations, scope_points
from charity.extensions import db
from charity.orgs.models import CharityPoint, Organization
from charity.web import access, paginate

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@access("staff.home")
def home():
    points_stmt = scope_points(current_user, sa.select(CharityPoint), CharityPoint.id,
                               CharityPoint.organization_id)
    points = db.session.scalars(points_stmt.where(CharityPoint.active.is_(True))
                                .order_by(CharityPoint.name).limit(50)).all()
    counts = {}
    if can(current_user, "orgs.view"):
        counts["orgs"] = db.session.scalar(scope_organizations(
            current_user, sa.select(sa.func.count(Organization.id)), Organization.id))
        counts["users"] = db.session.scalar(scope_organizations(
            current_user, sa.select(sa.func.count(User.id)), User.organization_id))
    counts["points"] = db.session.scalar(points_stmt.with_only_columns(
        sa.func.count(CharityPoint.id)).where(CharityPoint.active.is_(True)))
    deadlines, names = [], {}
    if can(current_user, "disclosure.view"):
        from charity.disclosure.models import Obligation
        from charity.disclosure.views import subject_names

        # Due in the next 7 days, and anything already overdue: the reason this system exists.
        deadlines = db.session.scalars(scope_organizations(
            current_user, sa.select(Obligation), Obligation.organization_id)
            .where(Obligation.status.in_(("due", "overdue")))
            .order_by(Obligation.due).limit(20)).all()
        names = subject_names(deadlines)
    return render_template("staff/home.html", points=points, counts=counts,
                           deadlines=deadlines, names=names)


@bp.route("/audit")
@access("audit.view")
def audit_log():
    stmt = scope_organizations(current_user, sa.select(AuditLog), AuditLog.organization_id)
    action = request.args.get("action", "").strip()[:64]
    if action:
        stmt = stmt.where(AuditLog.action.startswith(action))
    stmt = stmt.options(sa.orm.selectinload(AuditLog.user))
    page = paginate(stmt.order_by(AuditLog.id.desc()), per_page=50)
    return render_template("staff/audit_log.html", page=page, action=action)
