"""Staff compliance dashboard: every obligation with its deadline and status, narratives
written in advance, and "publish now" (queued for the scheduler; never rendered here)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.disclosure import queries, services
from charity.disclosure.forms import NarrativeForm
from charity.disclosure.models import Obligation
from charity.funds.models import Campaign
from charity.orgs.models import Organization
from charity.web.access import access, load, paginate
from charity.web.forms import ConfirmForm
from charity.web.posting import post_form

bp = Blueprint("compliance", __name__, url_prefix="/staff/disclosure")
STATUSES = ("upcoming", "due", "overdue", "published_on_time", "published_late",
            queries.FAILED)


def _today(ob: Obligation):
    return org_today(db.session.get(Organization, ob.organization_id))


@bp.app_template_global("subject_obligations")
def subject_obligations(subject) -> list[Obligation]:
    """The obligations of a campaign or project that the user may see (staff detail pages
    list them: templates/disclosure/_subject_obligations.html)."""
    subject_type = "campaign" if isinstance(subject, Campaign) else "project"
    return [ob for ob in queries.subject_obligations(db.session, subject_type, subject.id)
            if can(current_user, "disclosure.view", ob)]


@bp.route("/")
@access("disclosure.view")
def dashboard():
    status = request.args.get("status", "")
    page = paginate(queries.dashboard_stmt(current_user, status if status in STATUSES else None))
    return render_template("disclosure/dashboard.html", page=page, status=status,
                           counts=queries.status_counts(db.session, current_user),
                           failed=queries.FAILED,
                           names=queries.subject_names(page.items), confirm=ConfirmForm())


@bp.route("/<int:obligation_id>", methods=["GET", "POST"])
@access("disclosure.view")
def obligation_view(obligation_id: int):
    ob = load(Obligation, obligation_id, "disclosure.view")
    form = NarrativeForm(obj=queries.narrative_of(db.session, ob))
    if request.method == "POST":
        if not can(current_user, "disclosure.narrative", ob):
            abort(403)
        if form.validate_on_submit():
            here = url_for("compliance.obligation_view", obligation_id=ob.id)
            return post_form(
                None, lambda: services.save_narrative(current_user, db.session, ob,
                                                      form.text.data),
                success=lambda _narrative: (_("The progress narrative is saved; it will go "
                                              "into the report."), here),
                fallback=here)
    today = _today(ob)
    return render_template("disclosure/obligation.html", ob=ob, form=form, today=today,
                           publishable=queries.publishable_period(ob, today),
                           publishable_from=queries.first_publishable_day(ob),
                           pub=queries.publication_of(db.session, ob),
                           name=queries.subject_names([ob]).get((ob.subject_type,
                                                                 ob.subject_id), ""),
                           confirm=ConfirmForm())


@bp.route("/<int:obligation_id>/publish", methods=["POST"])
@access("disclosure.publish")
def obligation_publish(obligation_id: int):
    """Ask the scheduler to publish now (a periodic disclosure then covers up to yesterday);
    refused when it cannot be published today. Rendering takes seconds, so it never happens
    inside this request; the scheduler picks requests up every minute."""
    ob = load(Obligation, obligation_id, "disclosure.publish")
    here = url_for("compliance.obligation_view", obligation_id=ob.id)
    if not ConfirmForm().validate_on_submit():
        return redirect(here)

    def queued_or_not(queued: bool) -> tuple[str, str]:
        if queued:
            return _("Queued: the scheduler will publish it within a minute."), here
        flash(_("Already published."), "info")
        return "", here

    return post_form(None, lambda: services.request_publication(current_user, db.session, ob),
                     success=queued_or_not, fallback=here)
