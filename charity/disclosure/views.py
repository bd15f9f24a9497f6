"""Staff compliance dashboard: every obligation with its deadline and status, narratives
written in advance, and "publish now" (queued for the scheduler; never rendered here)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from charity.auth.permissions import can, scope_organizations
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.disclosure import services
from charity.disclosure.models import Narrative, Obligation, Publication
from charity.disclosure.queries import subject_names
from charity.web.access import access, load, paginate

bp = Blueprint("compliance", __name__, url_prefix="/staff/disclosure")
STATUSES = ("upcoming", "due", "overdue", "published_on_time", "published_late")


class NarrativeForm(FlaskForm):
    text = TextAreaField(validators=[Length(max=5000)])


class ConfirmForm(FlaskForm):
    pass


@bp.route("/")
@access("disclosure.view")
def dashboard():
    stmt = scope_organizations(current_user, sa.select(Obligation), Obligation.organization_id)
    status = request.args.get("status", "")
    if status in STATUSES:
        stmt = stmt.where(Obligation.status == status)
    page = paginate(stmt.order_by(
        sa.case((Obligation.status == "overdue", 0), (Obligation.status == "due", 1),
                (Obligation.status == "upcoming", 2), else_=3),
        Obligation.due, Obligation.id))
    counts = dict(db.session.execute(scope_organizations(
        current_user, sa.select(Obligation.status, sa.func.count()), Obligation.organization_id)
        .group_by(Obligation.status)).all())
    return render_template("disclosure/dashboard.html", page=page, status=status,
                           counts=counts, names=subject_names(page.items),
                           confirm=ConfirmForm())


@bp.route("/<int:obligation_id>", methods=["GET", "POST"])
@access("disclosure.view")
def obligation_view(obligation_id: int):
    ob = load(Obligation, obligation_id, "disclosure.view")
    narrative = db.session.scalar(sa.select(Narrative).where(
        Narrative.subject_type == ob.subject_type, Narrative.subject_id == ob.subject_id,
        Narrative.kind == ob.kind, Narrative.seq == ob.seq))
    form = NarrativeForm(obj=narrative)
    if request.method == "POST":
        if not can(current_user, "disclosure.narrative", ob):
            abort(403)
        if form.validate_on_submit():
            try:
                services.save_narrative(current_user, db.session, ob, form.text.data)
            except DomainError as e:
                db.session.rollback()
                flash(e.message, "error")
            else:
                db.session.commit()
                flash(_("The progress narrative is saved; it will go into the report."),
                      "success")
            return redirect(url_for("compliance.obligation_view", obligation_id=ob.id))
    pub = db.session.scalar(sa.select(Publication).where(Publication.obligation_id == ob.id))
    return render_template("disclosure/obligation.html", ob=ob, form=form, pub=pub,
                           name=subject_names([ob]).get((ob.subject_type, ob.subject_id), ""),
                           confirm=ConfirmForm())


@bp.route("/<int:obligation_id>/publish", methods=["POST"])
@access("disclosure.publish")
def obligation_publish(obligation_id: int):
    """Ask the scheduler to publish now (it covers up to yesterday). Rendering takes seconds,
    so it never happens inside this request; the scheduler picks requests up every minute."""
    ob = load(Obligation, obligation_id, "disclosure.publish")
    if ConfirmForm().validate_on_submit():
        try:
            queued = services.request_publication(current_user, db.session, ob)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
            flash(_("Queued: the scheduler will publish it within a minute.") if queued
                  else _("Already published."), "success" if queued else "info")
    return redirect(url_for("compliance.obligation_view", obligation_id=ob.id))
