"""Public drop-off pre-registration (no sign-in).

A donor says where and what they will bring and gets a 6-character code with a QR code; at
the counter the volunteer scans it and the intake form opens with the code filled in.

Abuse is kept down without third-party services: a honeypot field that people never see
(robots fill it in), and at most RATE_LIMIT pre-registrations per remote address per hour.
The rate limit is counted in this process's memory (`charity.web.ratelimit`), so with several app
processes each counts on its own and a restart forgets — a crude brake, not a guarantee.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.goods.forms.dropoff import DropoffForm
from charity.goods.services.preregistrations import preregister
from charity.orgs.models import CharityPoint
from charity.portal.queries.points import dropoff_by_code, dropoff_points
from charity.reports.qr import qr_svg
from charity.web.access import PUBLIC, access
from charity.web.forms import choices
from charity.web.posting import show_refusal
from charity.web.public_posting import post_public_form, robot_refused
from charity.web.public_url import public_url
from charity.web.ratelimit import AddressLimiter

bp = Blueprint("dropoff", __name__, url_prefix="/dropoff")

RATE_LIMIT = 10  # pre-registrations per remote address per hour (default)
RESULT_KIND = "preregistration"  # stored results read "preregistration:<code>"
limiter = AddressLimiter("dropoff_rate", "CHARITY_DROPOFF_RATE_LIMIT", RATE_LIMIT)


def _point_label(point: CharityPoint) -> str:
    where = " ".join(p for p in (point.district, point.community) if p)
    return f"{point.name}（{where}）" if where else point.name


def _preselect(form: DropoffForm, points: list[CharityPoint]) -> None:
    """A new form: its token, and the point asked for in the link (or the only one)."""
    wanted = request.args.get("point", "")
    if wanted in {str(p.id) for p in points}:
        form.point_id.data = wanted
    elif len(points) == 1:
        form.point_id.data = str(points[0].id)


def _refused(form: DropoffForm) -> int | None:
    """The status of a post refused before validation (robots, too many from one
    address), else None. A robot's post counts towards the limit too."""
    address = request.remote_addr or ""
    if robot_refused(form):
        limiter.hit(address)
        return 400
    if limiter.over(address):
        form.form_errors.append(_("Too many pre-registrations from your network in the last "
                                  "hour. Please try again later, or simply bring the goods."))
        return 429
    return None


def _done(code: str):
    return redirect(url_for("dropoff.dropoff_done", dropoff_code=code))


@bp.route("/", methods=["GET", "POST"])
@access(PUBLIC)
def dropoff_new():
    points = dropoff_points(db.session)
    form = DropoffForm()
    form.point_id.choices = choices([("", "—")] + [(str(p.id), _point_label(p)) for p in points])
    status = 200
    if request.method == "GET":
        _preselect(form, points)
    elif (refused := _refused(form)) is not None:
        status = refused
    elif form.validate_on_submit():
        point = next(p for p in points if str(p.id) == form.point_id.data)
        try:
            prereg, code = post_public_form(
                form.submission_token.data,
                lambda: preregister(db.session, point, form.data_for_service()),
                kind=RESULT_KIND, code=lambda p: p.code)
        except DomainError as err:
            show_refusal(form, err)
        else:
            if prereg is None:  # sent again: the first one's code
                return _done(code) if code else redirect(url_for("dropoff.dropoff_new"))
            limiter.hit(request.remote_addr or "")
            flash(_("Thank you! Show this code at the counter."), "success")
            return _done(code)
    return render_template("portal/dropoff_new.html", form=form, points=points), status


@bp.route("/<dropoff_code>")
@access(PUBLIC)
def dropoff_done(dropoff_code: str):
    """The code, big, with a QR code of the staff intake URL. No personal data: only the
    code, the point and what the donor said they will bring."""
    prereg = dropoff_by_code(db.session, dropoff_code) or abort(404)
    point = db.session.get(CharityPoint, prereg.point_id)
    intake_url = public_url("intake.intake_new", code=prereg.code)
    qr = Markup(qr_svg(intake_url, title=_("Drop-off code %(code)s", code=prereg.code)))
    return render_template("portal/dropoff_done.html", prereg=prereg, point=point, qr=qr,
                           intake_url=intake_url)
