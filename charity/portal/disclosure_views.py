"""Public disclosure pages: the list, each report as a page, its PDF (stored bytes)."""
from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request

from charity.disclosure.models import Publication
from charity.extensions import db
from charity.orgs.models import Organization
from charity.web import PUBLIC, access, contains, page_arg, paginate

bp = Blueprint("disclosures", __name__, url_prefix="/disclosures")
KINDS = ("periodic", "final", "annual", "correction")
DONORS_PER_PAGE = 50


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        abort(400)
    return int(raw)


@bp.route("/")
@access(PUBLIC)
def publication_list():
    stmt = sa.select(Publication).join(Publication.organization)
    org_id = _int_arg("org")
    year = _int_arg("year")
    kind = request.args.get("kind", "")
    if kind and kind not in KINDS:
        abort(400)
    if org_id:
        stmt = stmt.where(Publication.organization_id == org_id)
    if year:
        stmt = stmt.where(Publication.published_on >= dt.date(year, 1, 1),
                          Publication.published_on <= dt.date(year, 12, 31))
    if kind:
        stmt = stmt.where(Publication.kind == kind)
    q = request.args.get("q", "").strip()[:100]
    if q:
        stmt = stmt.where(contains(Publication.title, q))
    stmt = stmt.options(sa.orm.contains_eager(Publication.organization))
    page = paginate(stmt.order_by(Publication.published_on.desc(), Publication.chain_seq.desc()))
    corrected = set(db.session.scalars(sa.select(Publication.corrects_id).where(
        Publication.corrects_id.in_([p.id for p in page.items]))))
    orgs = db.session.execute(sa.select(Organization.id, Organization.name)
                              .order_by(Organization.name)).all()
    return render_template("portal/disclosure_list.html", page=page, corrected=corrected,
                           orgs=orgs, org_id=org_id, year=year, kind=kind, q=q)


def _load(pub_id: int) -> Publication:
    pub = db.session.get(Publication, pub_id)
    if pub is None:
        abort(404)
    return pub


@bp.route("/<int:pub_id>")
@access(PUBLIC)
def publication_view(pub_id: int):
    pub = _load(pub_id)
    report = json.loads(pub.snapshot)
    donors = (report.get("donors") or {}).get("named") or []
    page = page_arg()
    donor_page = donors[(page - 1) * DONORS_PER_PAGE: page * DONORS_PER_PAGE]
    corrections = db.session.scalars(sa.select(Publication).where(
        Publication.corrects_id == pub.id).order_by(Publication.chain_seq)).all()
    meta = {"report_no": f"GK-{pub.chain_seq:06d}", "generated_at": pub.published_at,
            "snapshot_sha256": pub.snapshot_sha256, "due": pub.due,
            "published_on": pub.published_on, "late": pub.late}
    return render_template("portal/disclosure_view.html", pub=pub, report=report, meta=meta,
                           web=True, donor_page=donor_page, donor_pages=max(
                               1, -(-len(donors) // DONORS_PER_PAGE)), donor_page_no=page,
                           corrections=corrections)


@bp.route("/<int:pub_id>.pdf")
@access(PUBLIC)
def publication_pdf(pub_id: int):
    pub = _load(pub_id)
    etag = pub.pdf_sha256
    if request.if_none_match.contains(etag):
        return Response(status=304)
    response = Response(pub.pdf, mimetype="application/pdf")
    response.set_etag(etag)
    # Published bytes never change: let browsers and proxies keep them.
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.headers["Content-Disposition"] = f'inline; filename="GK-{pub.chain_seq:06d}.pdf"'
    return response
