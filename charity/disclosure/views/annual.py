"""The managers' parts of an annual report (staff pay, overseas cooperation, asset changes,
related-party transactions, the audit report PDF), entered before the deadline."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.core.extensions import db
from charity.disclosure.annual.models import TEXT_PARTS
from charity.disclosure.annual.statement import save_statement, statement_of
from charity.disclosure.forms import AnnualStatementForm
from charity.disclosure.models import Obligation
from charity.funds.uploads import FileStore, download_name, read_upload, upload_dir
from charity.orgs.models import Organization
from charity.web.access import access, load
from charity.web.posting import post_form_with_files

bp = Blueprint("annual_statement", __name__, url_prefix="/staff/disclosure")


def audit_store() -> FileStore:
    """Where audit reports are kept, beside the other uploads."""
    return FileStore(upload_dir(current_app.instance_path) / "audit-reports")


def _annual(obligation_id: int, permission: str) -> Obligation:
    ob = load(Obligation, obligation_id, permission)
    if ob.kind != "annual":
        abort(404)
    return ob


@bp.route("/<int:obligation_id>/annual", methods=["GET", "POST"])
@access("disclosure.narrative")
def statement_edit(obligation_id: int):
    ob = _annual(obligation_id, "disclosure.narrative")
    row = statement_of(db.session, ob.organization_id, ob.seq)
    form = AnnualStatementForm(obj=row)
    if ob.published_on is None and form.validate_on_submit():
        max_bytes = current_app.config["CHARITY_UPLOAD_MAX_BYTES"]
        upload = form.audit_report.data
        here = url_for("annual_statement.statement_edit", obligation_id=ob.id)
        store = audit_store()
        response = post_form_with_files(
            form, store,
            lambda: save_statement(current_user, db.session, ob,
                                   {part: getattr(form, part).data for part in TEXT_PARTS},
                                   read_upload(upload, max_bytes) if upload and upload.filename
                                   else None, store=store, max_bytes=max_bytes),
            kind="annual_statement", fallback=here,
            success=lambda _row: (_("Saved. The report published on its deadline prints "
                                    "what is saved by then."), here))
        if response:
            return response
    return render_template("disclosure/annual_statement.html", ob=ob, form=form, row=row,
                           org=db.session.get(Organization, ob.organization_id))


@bp.route("/<int:obligation_id>/annual/audit-report")
@access("disclosure.view")
def audit_report(obligation_id: int):
    ob = _annual(obligation_id, "disclosure.view")
    row = statement_of(db.session, ob.organization_id, ob.seq)
    path = audit_store().path_of(row.audit_stored_name) if row and row.has_audit_report else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=download_name(row.audit_name, "application/pdf"),
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
