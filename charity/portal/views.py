"""Public pages: no sign-in needed."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from charity.extensions import db
from charity.orgs.models import CharityPoint, Organization
from charity.web import PUBLIC, access

bp = Blueprint("portal", __name__)


@bp.route("/")
@access(PUBLIC)
def home():
    points = db.session.scalars(
        sa.select(CharityPoint).join(CharityPoint.organization)
        .where(CharityPoint.active.is_(True), Organization.active.is_(True))
        .options(sa.orm.contains_eager(CharityPoint.organization))
        .order_by(CharityPoint.district, CharityPoint.name).limit(100)).all()
    return render_template("portal/home.html", points=points)


@bp.route("/healthz")
@access(PUBLIC)
def healthz():
    """A trivial route: load balancers poll it, benchmarks use it as their baseline."""
    return {"status": "ok"}
