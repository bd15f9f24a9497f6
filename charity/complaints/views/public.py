"""Public complaint pages (no sign-in): the form, the tracking page, monthly statistics.

Abuse is kept down without third-party services: a honeypot field people never see, a
signed render time (a post faster than a person can type is refused), and at most
RATE_LIMIT complaints per hour per remote address, counted in the database by a keyed hash
of the address — so the limit holds across every app process and survives restarts.
Contact details and attachments are never shown on these pages.
"""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _

from charity.complaints import formstamp, queries, rules
from charity.complaints.followup import RATING_LABELS, call_back, can_rate
from charity.complaints.forms import CallbackForm, ComplaintForm
from charity.complaints.services import RateLimited, submit_complaint
from charity.complaints.rates import rate_rows, totals
from charity.complaints.stats import monthly_stats
from charity.complaints.timeline import timeline
from charity.complaints.views.attachments import complaint_store
from charity.core.clock import today_in
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.funds.uploads import read_upload
from charity.orgs.models import Organization
from charity.web.access import PUBLIC, access, query_int
from charity.web.forms import choices
from charity.web.posting import show_refusal
from charity.web.public_page import public_page
from charity.web.public_posting import post_public_form, robot_refused

bp = Blueprint("public_complaints", __name__, url_prefix="/complaints")

RESULT_KIND = "complaint"  # stored results read "complaint:<tracking number>"


def _fill_choices(form: ComplaintForm, orgs: list[Organization]) -> None:
    several = len(orgs) > 1
    form.organization_id.choices = choices([("", _("Choose…"))] * several
                                           + [(str(o.id), o.name) for o in orgs])
    names = queries.public_category_names(db.session, [o.id for o in orgs])
    seen: list[str] = []
    for org in orgs:
        seen += [n for n in names[org.id] if n not in seen]
    form.category.choices = choices([("", _("Choose…"))] + [(n, n) for n in seen])


def _refusal(form: ComplaintForm) -> int | None:
    """The status of a post refused before validation (robots, stale forms), else None."""
    if robot_refused(form):
        return 400
    verdict = formstamp.check_stamp(
        current_app.secret_key, form.rendered.data,
        min_seconds=current_app.config.get("CHARITY_COMPLAINT_MIN_SECONDS",
                                           rules.MIN_FILL_SECONDS))
    if verdict == formstamp.TOO_FAST:
        form.form_errors.append(_("That was very fast. Please check what you wrote and send "
                                  "the form again."))
        return 400
    if verdict != formstamp.OK:
        form.form_errors.append(_("The form has expired. Please check what you wrote and send "
                                  "it again."))
        return 400
    return None


def _submit(form: ComplaintForm, org: Organization) -> str:
    """File the complaint once for the form's token; its tracking number (the first one's,
    for a form sent again; "" if that one left none). The attachment is kept only once the
    database has the row."""
    config = current_app.config
    max_bytes = config["CHARITY_UPLOAD_MAX_BYTES"]
    upload = form.attachment.data
    upload = read_upload(upload, max_bytes) if upload and upload.filename else None
    store = complaint_store()
    try:
        complaint, number = post_public_form(
            form.submission_token.data,
            lambda: submit_complaint(
                db.session, org, form.data_for_service(), upload=upload, store=store,
                max_bytes=max_bytes,
                address_hash=rules.address_hash(request.remote_addr,
                                                config["CHARITY_ID_HASH_KEY"]),
                limit=config.get("CHARITY_COMPLAINT_RATE_LIMIT", rules.RATE_LIMIT)),
            kind=RESULT_KIND, code=lambda c: c.tracking_no)
    except BaseException:
        store.discard()
        raise
    if complaint is not None:
        store.publish()
    else:
        store.discard()
    return number


@bp.route("/new", methods=["GET", "POST"])
@access(PUBLIC)
def complaint_new():
    orgs = queries.public_organisations(db.session)
    form = ComplaintForm()
    _fill_choices(form, orgs)
    status = 200
    if request.method == "GET":
        if len(orgs) == 1:
            form.organization_id.data = str(orgs[0].id)
    elif (refused := _refusal(form)) is not None:
        status = refused
    elif form.validate_on_submit():
        try:
            number = _submit(form, next(o for o in orgs if str(o.id) == form.organization_id.data))
        except DomainError as err:
            show_refusal(form, err)
            status = 429 if isinstance(err, RateLimited) else 400
        else:
            if number:
                return redirect(url_for("public_complaints.complaint_done", no=number))
            return redirect(url_for(".complaint_new"))
    else:
        status = 400
    form.rendered.data = formstamp.make_stamp(current_app.secret_key)
    return render_template("complaints/public_new.html", form=form, orgs=orgs), status


def _labels() -> dict:
    return {"status_label": lambda status: rules.STATUS_LABELS[status],
            "accept_days": rules.ACCEPT_DAYS,
            "answer_days": rules.ANSWER_DAYS}


def _lookup():
    """The complaint of the `no` parameter, or None; a wrong number and an unknown one get
    the same answer."""
    number = request.args.get("no", "")[:40]
    return number, (queries.find_by_tracking_no(db.session, number) if number.strip()
                    else None)


@bp.route("/received")
@access(PUBLIC)
def complaint_done():
    number, complaint = _lookup()
    if complaint is None:
        return render_template("complaints/public_track.html", number=number,
                               complaint=None, searched=True, **_labels()), 404
    return render_template("complaints/public_done.html", complaint=complaint,
                           number=rules.format_tracking_no(complaint.tracking_no), **_labels())


def _track_page(number: str, complaint, rate_form=None, status: int | None = None):
    searched = bool(number.strip())
    steps = None
    if complaint is not None:
        steps = timeline(complaint, today_in(complaint.organization.timezone))
        if rate_form is None and can_rate(complaint):
            rate_form = CallbackForm(formdata=None)
    return render_template(
        "complaints/public_track.html", number=number, complaint=complaint, steps=steps,
        searched=searched, **_labels(), rate_form=rate_form, rating_labels=RATING_LABELS,
        formatted=rules.format_tracking_no(complaint.tracking_no) if complaint else "",
    ), status or (404 if searched and complaint is None else 200)


@bp.route("/track")
@access(PUBLIC)
def complaint_track():
    return _track_page(*_lookup())


@bp.route("/track/rate", methods=["POST"])
@access(PUBLIC)
def complaint_rate():
    """The complainant's satisfaction with the answer (once per answer), by tracking number."""
    number, complaint = _lookup()
    if complaint is None:
        abort(404)
    form = CallbackForm()
    if form.validate_on_submit():
        try:
            post_public_form(form.submission_token.data, lambda: call_back(
                None, db.session, complaint, form.rating.data), kind="rating",
                code=lambda _e: complaint.tracking_no)
        except DomainError as err:
            db.session.rollback()
            show_refusal(form, err)
        else:
            flash(_("Thank you: your rating was recorded."), "success")
            return redirect(url_for(".complaint_track", no=complaint.tracking_no))
    return _track_page(number, complaint, form, 400)


@bp.route("/stats")
@access(PUBLIC)
@public_page
def complaint_stats():
    today = today_in(current_app.config["CHARITY_TIMEZONE"])
    year = query_int("year", minimum=2000, maximum=today.year + 1)
    org_id = query_int("org")
    orgs = queries.public_organisations(db.session)
    if org_id is not None and org_id not in {o.id for o in orgs}:
        abort(404)
    stats = monthly_stats(db.session, today=today, year=year, organization_id=org_id)
    rows = rate_rows(db.session, stats.start, stats.end, org_id)
    return render_template("complaints/public_stats.html", stats=stats, year=year,
                           rates_by_category=totals(rows, lambda r: r.category),
                           rates_by_month=totals(rows, lambda r: r.month),
                           rates_total=totals(rows).get(None),
                           org_id=org_id, orgs=orgs, years=range(today.year, today.year - 5, -1),
                           status_labels=rules.STATUS_LABELS,
                           channel_labels={c.value: l for c, l in rules.CHANNEL_LABELS.items()})
