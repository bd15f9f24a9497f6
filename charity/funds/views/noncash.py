"""Non-cash gifts and their evidence files."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.core.extensions import db
from charity.funds import queries
from charity.funds.queries import receipts as receipt_queries
from charity.funds.forms.noncash import PROPERTY_TYPE_LABELS, VALUATION_LABELS, GiftForm
from charity.funds.models import NonCashGift, Project, PropertyType, StoredFile
from charity.funds.services.noncash import record_gift
from charity.funds.uploads import FileStore, download_name, read_upload, upload_dir
from charity.orgs.models import Organization
from charity.web.access import access, load, paginate, parse_id
from charity.web.downloads import private_file
from charity.web.posting import post_form

bp = Blueprint("noncash", __name__, url_prefix="/staff/noncash")


def _labels() -> dict:
    return {"property_labels": PROPERTY_TYPE_LABELS, "valuation_labels": VALUATION_LABELS}


def _store() -> FileStore:
    return FileStore(upload_dir(current_app.instance_path))


def gift_url(gift_id: int) -> str:
    return url_for("noncash.gift_view", gift_id=gift_id)


@bp.route("/")
@access("noncash.view")
def gift_list():
    q = request.args.get("q", "").strip()[:100]
    kind = request.args.get("kind", "")
    stmt = receipt_queries.gift_list(current_user, q, kind if kind in set(PropertyType) else "")
    return render_template("funds/noncash_list.html", page=paginate(stmt), q=q, kind=kind,
                           **_labels())


@bp.route("/new", methods=["GET", "POST"])
@access("noncash.post")
def gift_new():
    form = GiftForm()
    orgs = queries.organisations(current_user)
    preselected = request.args.get("donor_id", "")
    donor_id = form.donor_id.data if request.method == "POST" else (
        parse_id(preselected))
    form.fill_choices(orgs, *receipt_queries.gift_choices(orgs, donor_id))
    if request.method == "GET":
        if len(orgs) == 1:
            form.organization_id.data = orgs[0].id
        if donor_id:
            form.donor_id.data = donor_id
    if form.validate_on_submit():
        response = _post_gift(form, load(Organization, form.organization_id.data,
                                         "noncash.post"))
        if response:
            return response
    return render_template("funds/noncash_form.html", form=form,
                           show_org=len(orgs) > 1, **_labels())


def _post_gift(form: GiftForm, org: Organization):
    """Record the gift; its evidence files are staged while the transaction is open, given
    their final names once it has committed, and deleted otherwise (charity.funds.uploads)."""
    max_bytes = current_app.config["CHARITY_UPLOAD_MAX_BYTES"]
    files = [read_upload(f, max_bytes) for f in form.files.data or () if f and f.filename]
    store = _store()
    committed = False

    def work():
        store.discard()  # a transaction run again stages its files again
        return record_gift(current_user, db.session, org, form.data_for_service(), files,
                           store=store, max_bytes=max_bytes)

    def published(gift: NonCashGift):
        nonlocal committed
        committed = True
        store.publish()
        if gift.receipt_id:
            return (_("Gift recorded; receipt %(number)s issued.", number=gift.receipt.number),
                    gift_url(gift.id))
        return _("Gift recorded without a receipt."), gift_url(gift.id)

    try:
        return post_form(form, work, kind="noncash_gift", success=published, first=gift_url,
                         fallback=url_for("noncash.gift_list"))
    finally:
        if not committed:  # refused, sent again, or failed: no row names the files
            store.discard()


@bp.route("/<int:gift_id>")
@access("noncash.view")
def gift_view(gift_id: int):
    gift = load(NonCashGift, gift_id, "noncash.view")
    project = db.session.get(Project, gift.project_id) if gift.project_id else None
    return render_template("funds/noncash_view.html", gift=gift, project=project,
                           **_labels())


@bp.route("/files/<int:file_id>")
@access("noncash.view")
def file_download(file_id: int):
    stored = load(StoredFile, file_id, "noncash.view")
    path = _store().path_of(stored.stored_name)
    if path is None:
        current_app.logger.error("evidence file %s (%s) is missing from the upload folder",
                                 stored.id, stored.stored_name)
        abort(404)
    return private_file(path, stored.mime, download_name(stored.original_name, stored.mime))
