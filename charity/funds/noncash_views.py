"""Non-cash gifts and their evidence files."""
from __future__ import annotations

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import scope_organizations
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.web.forms import choices
from charity.funds.models import (Campaign, CampaignStatus, NonCashGift, Project, ProjectStatus,
                                  PropertyType, StoredFile)
from charity.funds.services.noncash import record_gift
from charity.funds.noncash_forms import PROPERTY_TYPE_LABELS, VALUATION_LABELS, GiftForm
from charity.funds.uploads import FileStore, download_name, read_upload, upload_dir
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.orgs.models import Organization
from charity.people.models import Donor
from charity.web.access import access, contains, load, paginate, show_domain_error

bp = Blueprint("noncash", __name__, url_prefix="/staff/noncash")

DONOR_CHOICES_LIMIT = 300
RESULT_PREFIX = "noncash_gift:"


def _labels() -> dict:
    return {"property_labels": PROPERTY_TYPE_LABELS, "valuation_labels": VALUATION_LABELS}


def _store() -> FileStore:
    return FileStore(upload_dir(current_app.instance_path))


@bp.route("/")
@access("noncash.view")
def gift_list():
    stmt = scope_organizations(current_user, sa.select(NonCashGift),
                               NonCashGift.organization_id)
    q = request.args.get("q", "").strip()[:100]
    if q:
        stmt = stmt.outerjoin(Donor, Donor.id == NonCashGift.donor_id).where(
            sa.or_(contains(NonCashGift.description, q), contains(Donor.name, q)))
    kind = request.args.get("kind", "")
    if kind in set(PropertyType):
        stmt = stmt.where(NonCashGift.property_type == kind)
    stmt = stmt.options(sa.orm.selectinload(NonCashGift.donor),
                        sa.orm.selectinload(NonCashGift.receipt))
    page = paginate(stmt.order_by(NonCashGift.received_on.desc(), NonCashGift.id.desc()))
    return render_template("funds/noncash_list.html", page=page, q=q, kind=kind, **_labels())


def _scoped_orgs() -> list[Organization]:
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    return list(db.session.scalars(stmt.where(Organization.active.is_(True))
                                   .order_by(Organization.name)))


def _fill_choices(form: GiftForm, orgs: list[Organization], donor_id: int | None) -> None:
    org_ids = [o.id for o in orgs] or [-1]
    several = len(orgs) > 1
    org_name = {o.id: o.name for o in orgs}

    def label(obj, text):
        return f"{org_name[obj.organization_id]} · {text}" if several else text

    form.organization_id.choices = choices([("", _("Choose…"))] * several
                                           + [(o.id, o.name) for o in orgs])
    donors = list(db.session.scalars(
        sa.select(Donor).where(Donor.organization_id.in_(org_ids))
        .order_by(Donor.created_at.desc(), Donor.id.desc()).limit(DONOR_CHOICES_LIMIT)))
    # Bounded: a larger posted id overflows SQLite and aborts PostgreSQL's transaction.
    if donor_id and 0 < donor_id < 2**31 and donor_id not in {d.id for d in donors}:
        extra = db.session.get(Donor, donor_id)
        if extra is not None and extra.organization_id in org_ids:
            donors.append(extra)
    donors.sort(key=lambda d: (d.name, d.id))
    form.donor_id.choices = choices(
        [("", _("None (anonymous)"))]
        + [(d.id, label(d, f"{d.name} (#{d.id})")) for d in donors])
    campaigns = db.session.scalars(
        sa.select(Campaign).where(Campaign.organization_id.in_(org_ids),
                                  Campaign.status == CampaignStatus.ACTIVE)
        .order_by(Campaign.name))
    form.campaign_id.choices = choices([("", _("None"))]
                                       + [(c.id, label(c, c.name)) for c in campaigns])
    projects = db.session.scalars(
        sa.select(Project).where(Project.organization_id.in_(org_ids),
                                 Project.status != ProjectStatus.CLOSED)
        .order_by(Project.name))
    form.project_id.choices = choices([("", _("None"))]
                                      + [(p.id, label(p, p.name)) for p in projects])


def _redirect_to_result(result: str):
    if result.startswith(RESULT_PREFIX) and result[len(RESULT_PREFIX):].isdigit():
        return redirect(url_for("noncash.gift_view", gift_id=int(result[len(RESULT_PREFIX):])))
    return redirect(url_for("noncash.gift_list"))


@bp.route("/new", methods=["GET", "POST"])
@access("noncash.post")
def gift_new():
    form = GiftForm()
    orgs = _scoped_orgs()
    preselected = request.args.get("donor_id", "")
    donor_id = form.donor_id.data if request.method == "POST" else (
        int(preselected) if preselected.isdigit() else None)
    _fill_choices(form, orgs, donor_id)
    if request.method == "GET":
        form.submission_token.data = new_token()
        if len(orgs) == 1:
            form.organization_id.data = orgs[0].id
        if donor_id:
            form.donor_id.data = donor_id
    if form.validate_on_submit():
        org = load(Organization, form.organization_id.data, "noncash.post")
        max_bytes = current_app.config["CHARITY_UPLOAD_MAX_BYTES"]
        files = [read_upload(f, max_bytes) for f in form.files.data or () if f and f.filename]
        store = _store()
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            gift = record_gift(current_user, db.session, org, form.data_for_service(), files,
                               store=store, max_bytes=max_bytes)
            record_result(token, f"{RESULT_PREFIX}{gift.id}")
            db.session.commit()
        except AlreadySubmitted as done:
            db.session.rollback()
            store.discard()
            return _redirect_to_result(done.result)
        except DomainError as e:
            db.session.rollback()
            store.discard()
            show_domain_error(form, e)
        except BaseException:
            db.session.rollback()
            store.discard()
            raise
        else:
            store.publish()
            if gift.receipt_id:
                flash(_("Gift recorded; receipt %(number)s issued.",
                        number=gift.receipt.number), "success")
            else:
                flash(_("Gift recorded without a receipt."), "success")
            return redirect(url_for("noncash.gift_view", gift_id=gift.id))
    return render_template("funds/noncash_form.html", form=form,
                           show_org=len(orgs) > 1, **_labels())


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
    response = send_file(path, mimetype=stored.mime, as_attachment=True,
                         download_name=download_name(stored.original_name, stored.mime),
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
