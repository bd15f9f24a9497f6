"""The `staff` blueprint: the staff home page and the audit log reader."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from charity.audit.models import AuditLog
from charity.audit.queries import AuditFilter, audit_entries, audit_users, object_types
from charity.core.extensions import db
from charity.core.roles import Role
from charity.goods.forms.stock import WriteOffExpiredForm
from charity.goods.quantities import quantity_text
from charity.staff import queries
from charity.web.access import BadQueryParameter, access, query_choice, query_int
from charity.web.keyset import keyset_paginate

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@access("staff.home")
def home():
    deadlines, names, no_narrative = queries.deadlines(current_user)
    points = queries.open_points(current_user)
    # A volunteer's home is the day's work (issue 15): the jobs and today's figures.
    day = (queries.today_figures(points[:queries.TODAY_POINTS_SHOWN])
           if current_user.role.value == "volunteer" else [])
    return render_template("staff/home.html", points=points, day=day,
                           counts=queries.counts(current_user), deadlines=deadlines,
                           names=names, no_narrative=no_narrative,
                           expired=queries.expired_food(current_user),
                           write_off_form=_write_off_form, quantity_text=quantity_text,
                           backups=_backups())


def _backups():
    """The administrator's block: the last good backup, the last drill, and warnings."""
    if current_user.role != Role.ADMIN:
        return None
    from charity.ops.backup_jobs import backup_status, settings_from_config

    return backup_status(db.session, settings_from_config(current_app.config,
                                                          current_app.instance_path))


def _write_off_form(point) -> WriteOffExpiredForm:
    """The one-tap write-off of `point`'s expired food, returning here."""
    form = WriteOffExpiredForm(formdata=None)
    form.point_id.data, form.back.data = str(point.id), "home"
    return form


@bp.route("/audit")
@access("audit.view")
def audit_log():
    tz_name = current_app.config.get("CHARITY_TIMEZONE") or "Asia/Shanghai"
    if current_user.organization is not None:
        tz_name = current_user.organization.timezone or tz_name
    types = object_types(db.session, current_user)
    flt = AuditFilter(
        user_id=query_int("user"), action=request.args.get("action", "").strip()[:64],
        object_type=query_choice("type", types, "") if types else "",
        object_id=request.args.get("id", "").strip()[:64],
        date_from=_query_date("from"), date_to=_query_date("to"), tz_name=tz_name)
    page = keyset_paginate(audit_entries(current_user, flt), (AuditLog.id,), per_page=50)
    return render_template("staff/audit_log.html", page=page, flt=flt, action=flt.action,
                           users=audit_users(db.session, current_user), types=types)


def _query_date(name: str):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadQueryParameter(_("The parameter “%(name)s” must be a date (YYYY-MM-DD).",
                                  name=name)) from None
