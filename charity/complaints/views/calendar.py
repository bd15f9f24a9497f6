"""The administrator's working-day calendar: holidays and make-up working days (audited)."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.complaints import calendar
from charity.complaints.forms import CalendarForm
from charity.complaints.models import CalendarEntry
from charity.core.extensions import db
from charity.web.access import access, load
from charity.web.posting import post_form

bp = Blueprint("complaint_calendar", __name__, url_prefix="/staff/complaints/calendar")



def _page(form: CalendarForm, status: int = 200):
    return render_template("complaints/calendar.html", form=form,
                           entries=calendar.entries(db.session)), status


@bp.route("/")
@access("complaints.calendar")
def calendar_list():
    return _page(CalendarForm())


@bp.route("/new", methods=["POST"])
@access("complaints.calendar")
def calendar_new():
    form = CalendarForm()
    back = url_for(".calendar_list")
    if form.validate_on_submit():
        data = {k: getattr(form, k).data for k in ("kind", "name", "first_day", "last_day")}
        response = post_form(form, lambda: calendar.add_entry(current_user, db.session, data),
                             success=lambda _e: (_("Days added to the calendar."), back),
                             fallback=back)
        if response:
            return response
    return _page(form, 400)


@bp.route("/<int:entry_id>/remove", methods=["POST"])
@access("complaints.calendar")
def calendar_remove(entry_id: int):
    entry = load(CalendarEntry, entry_id, "complaints.calendar")
    form = CalendarForm()
    back = url_for(".calendar_list")
    return post_form(form, lambda: calendar.remove_entry(current_user, db.session, entry),
                     success=lambda _e: (_("Days removed from the calendar."), back),
                     fallback=back) or _page(form, 400)
