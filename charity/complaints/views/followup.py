"""Staff follow-up of a complaint: approve an extension, record the call-back (回访)."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from charity.complaints.followup import call_back, extend
from charity.complaints.forms import CallbackForm, ExtendForm
from charity.complaints.views.staff import RESULT_KIND, _load, _render, _view_url
from charity.core.extensions import db
from charity.web.access import access
from charity.web.posting import post_form

bp = Blueprint("complaint_followup", __name__, url_prefix="/staff/complaints")


def _post(complaint_id: int, form, work, message: str, form_name: str):
    complaint = _load(complaint_id, "complaints.manage")
    if form.validate_on_submit():
        response = post_form(form, lambda: work(complaint) and complaint, kind=RESULT_KIND,
                             success=lambda _c: (message, _view_url(complaint_id)),
                             first=_view_url, fallback=_view_url(complaint_id))
        if response:
            return response
    return _render(complaint, None, 400, **{form_name: form})


@bp.route("/<int:complaint_id>/extend", methods=["POST"])
@access("complaints.manage")
def complaint_extend(complaint_id: int):
    form = ExtendForm()
    return _post(complaint_id, form, lambda c: extend(
        current_user, db.session, c, new_due=form.new_due.data, reason=form.reason.data),
        _("Deadline extended."), "extend_form")


@bp.route("/<int:complaint_id>/callback", methods=["POST"])
@access("complaints.manage")
def complaint_callback(complaint_id: int):
    form = CallbackForm()
    return _post(complaint_id, form, lambda c: call_back(
        current_user, db.session, c, form.rating.data, note=form.note.data),
        _("Call-back recorded."), "callback_form")
