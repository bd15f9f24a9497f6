"""Public disclosure pages: the list, the compliance table and the overdue obligations, each
report as a page, and its PDF (the stored bytes)."""
from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from charity.core.clock import today_in
from charity.core.extensions import db
from charity.disclosure.models import Publication
from charity.disclosure.publishing import publication_meta
from charity.log import queries as log_queries
from charity.portal.queries import disclosures
from charity.web.access import (PUBLIC, BadQueryParameter, access, page_arg, paginate,
                                query_choice, query_int)
from charity.web.public_page import public_page

bp = Blueprint("disclosures", __name__, url_prefix="/disclosures")
KINDS = ("periodic", "final", "annual", "correction")
SUBJECT_TYPES = ("campaign", "project", "organization")
DONORS_PER_PAGE = 50
SUBJECT_RE = re.compile(r"^(campaign|project):(\d{1,10})$")


def _subject_args() -> tuple[str | None, int | None]:
    """The subject filter: `subject_type` (+ `subject_id`), or the list form's combined
    select `subject=campaign:12`."""
    combined = request.args.get("subject", "").strip()
    if combined:
        match = SUBJECT_RE.match(combined)
        if match is None or not 0 < int(match.group(2)) < 2**31:
            raise BadQueryParameter(_("The parameter “%(name)s” must name a campaign or a "
                                      "project.", name="subject"))
        return match.group(1), int(match.group(2))
    subject_type = query_choice("subject_type", SUBJECT_TYPES)
    subject_id = query_int("subject_id")
    if subject_id is not None and subject_type is None:
        raise BadQueryParameter(_("The parameter “%(name)s” needs “%(other)s”.",
                                  name="subject_id", other="subject_type"))
    return subject_type, subject_id


def _today():
    # Deadlines are calendar days in the organisations' time zone (all Asia/Shanghai by
    # default); one day for all keeps the compliance table a single grouped query.
    return today_in(None)


@bp.route("/")
@access(PUBLIC)
@public_page
def publication_list():
    org_id = query_int("org")
    year = query_int("year", minimum=1900, maximum=2999)
    kind = query_choice("kind", KINDS)
    subject_type, subject_id = _subject_args()
    q = request.args.get("q", "").strip()[:100]
    page = paginate(disclosures.publication_list(
        organization_id=org_id, subject_type=subject_type, subject_id=subject_id, year=year,
        kind=kind, q=q))
    corrected_by, corrects = disclosures.correction_notes(db.session, page.items)
    subject = f"{subject_type}:{subject_id}" if subject_type and subject_id else ""
    return render_template("portal/disclosure_list.html", page=page, corrected_by=corrected_by,
                           corrects=corrects, orgs=disclosures.organisation_choices(db.session),
                           org_id=org_id, year=year, kind=kind or "", q=q,
                           subjects=disclosures.publication_subjects(db.session, org_id),
                           subject=subject)


@bp.route("/compliance", endpoint="compliance")
@access(PUBLIC)
@public_page
def compliance_table():
    """Per organisation: obligations published on time, late, overdue now, due soon."""
    today = _today()
    rows = disclosures.compliance_table(db.session, today)
    return render_template("portal/compliance.html", rows=rows, today=today,
                           due_soon_days=disclosures.DUE_SOON_DAYS)


@bp.route("/compliance/overdue")
@access(PUBLIC)
@public_page
def overdue_list():
    """The obligations overdue now: subject, kind, deadline and days overdue."""
    org_id = query_int("org")
    org_name = None
    if org_id is not None:
        org_name = disclosures.organization_name(db.session, org_id)
        if org_name is None:
            abort(404)
    today = _today()
    page = paginate(disclosures.overdue_stmt(today, org_id))
    rows = disclosures.overdue_rows(db.session, page.items, today)
    return render_template("portal/compliance_overdue.html", page=page, rows=rows,
                           org_id=org_id, org_name=org_name, today=today)


def _load(pub_id: int) -> Publication:
    # Ids beyond a 32-bit integer cannot exist (and PostgreSQL would refuse the query).
    pub = db.session.get(Publication, pub_id) if 0 < pub_id < 2**31 else None
    if pub is None:
        abort(404)
    return pub


@bp.route("/<int:pub_id>")
@access(PUBLIC)
@public_page
def publication_view(pub_id: int):
    pub = _load(pub_id)
    report = json.loads(pub.snapshot)
    donors = (report.get("donors") or {}).get("named") or []
    page = page_arg()
    return render_template(
        "portal/disclosure_view.html", pub=pub, report=report, meta=publication_meta(pub),
        web=True, donor_page=donors[(page - 1) * DONORS_PER_PAGE: page * DONORS_PER_PAGE],
        donor_pages=max(1, -(-len(donors) // DONORS_PER_PAGE)), donor_page_no=page,
        corrections=disclosures.corrections_of(db.session, pub),
        log=log_queries.inclusion_for_publication(db.session, pub.id))


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
    response.headers["Content-Disposition"] = f'inline; filename="{pub.report_no}.pdf"'
    return response
