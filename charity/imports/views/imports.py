"""The `imports` blueprint: templates, exports, upload → preview → confirm (issue 20 §1)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.audit.services import record_export
from charity.auth.permissions import can
from charity.core.db import run_transaction
from charity.core.extensions import db
from charity.imports import uploads
from charity.imports.forms import ConfirmImportForm, UploadForm
from charity.imports.kinds import KIND_NAMES, kind_of
from charity.imports.spelling import chinese
from charity.imports.template import export_headers, export_rows, template_bytes
from charity.orgs.models import CharityPoint, Organization
from charity.orgs.queries import active_organizations
from charity.reports.spreadsheets import XLSX_MIME, content_disposition
from charity.web import downloads
from charity.web.access import access, load, parse_id
from charity.web.forms import choices
from charity.web.points import counter_points, point_label
from charity.web.posting import post_form

bp = Blueprint("imports", __name__, url_prefix="/staff/imports")
PERMISSION = "imports.run"


def _kind_or_404(name: str):
    kind = kind_of(name)
    if kind is None:
        abort(404)
    return kind


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.kind.choices = choices([(k, chinese(kind_of(k).title)) for k in KIND_NAMES])
    form.organization_id.choices = choices([(o.id, o.name)
                                            for o in active_organizations(current_user)])
    form.point_id.choices = choices([("", "—")] + [(p.id, point_label(p))
                                                   for p in counter_points()])
    return form


def _upload(form: UploadForm):
    organization = load(Organization, form.organization_id.data, PERMISSION)
    point = None
    if form.point_id.data:
        point = load(CharityPoint, form.point_id.data, PERMISSION)
    storage = form.file.data
    content = storage.read(uploads.MAX_BYTES + 1)
    return uploads.store_upload(current_user, db.session, form.kind.data, organization, point,
                                storage.filename or "", content)


@bp.route("/", methods=["GET", "POST"])
@access(PERMISSION)
def start():
    form = _upload_form()
    if form.validate_on_submit():
        response = post_form(form, lambda: _upload(form), kind="import_upload",
                             fallback=url_for("imports.start"),
                             success=lambda up: ("", url_for("imports.preview",
                                                             token=up.token)))
        if response:
            return response
    return render_template("imports/start.html", form=form, kinds=[kind_of(k) for k in KIND_NAMES],
                           chinese=chinese, points=counter_points(), point_label=point_label)


def _own_upload(token: str):
    upload = uploads.upload_for(db.session, current_user, token)
    if upload is None or not can(current_user, PERMISSION, upload.organization):
        abort(404)
    return upload


@bp.route("/<token>", methods=["GET", "POST"])
@access(PERMISSION)
def preview(token: str):
    upload = _own_upload(token)
    id_key = current_app.config["CHARITY_ID_HASH_KEY"]
    form = ConfirmImportForm()
    if upload.imported_at is None and form.validate_on_submit():
        response = post_form(
            form, lambda: uploads.confirm_upload(current_user, db.session, upload, id_key),
            kind="import", fallback=url_for("imports.start"),
            success=lambda report: (_("Imported: %(n)d added.", n=report.added),
                                    url_for("imports.start")))
        if response:
            return response
        db.session.expire_all()
    report = None if upload.imported_at else uploads.preview(current_user, db.session, upload,
                                                              id_key)
    db.session.rollback()
    return render_template("imports/preview.html", upload=upload, report=report, form=form,
                           kind=kind_of(upload.kind), chinese=chinese)


@bp.route("/template/<kind>.xlsx")
@access(PERMISSION)
def template(kind: str):
    definition = _kind_or_404(kind)
    body = template_bytes(definition, db.session)
    response = current_app.response_class(body, mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = content_disposition(
        f"{kind}-template.xlsx")
    return response


@bp.route("/export.xlsx")
@access(PERMISSION)
def export():
    """A kind's records in its import columns (the round trip: this file imports again)."""
    kind = request.args.get("kind", "")
    definition = _kind_or_404(kind)
    organization = load(Organization, request.args.get("org"), PERMISSION)
    point = None
    if definition.needs_point:
        point = load(CharityPoint, request.args.get("point"), PERMISSION)
        if point.organization_id != organization.id:
            abort(404)
    rows = list(export_rows(definition, db.session, organization, point))
    run_transaction(db.session, lambda: record_export(
        db.session, current_user, f"import_{kind}", "xlsx",
        {"org": organization.id, "point": parse_id(request.args.get("point"))}, len(rows),
        organization_id=organization.id))
    return downloads.xlsx_response(f"{kind}.xlsx", export_headers(definition), rows,
                                   title=str(definition.title),
                                   widths=[c.width for c in definition.columns])
