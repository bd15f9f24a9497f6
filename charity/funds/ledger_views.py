"""The money ledger screens: record money, list, export, correct, transfer."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import aliased, selectinload
from werkzeug.routing import BuildError

from charity.audit.models import AuditLog
from charity.audit.services import record_export
from charity.auth.models import User
from charity.auth.permissions import can, scope_organizations
from charity.core.roles import Role
from charity.core.clock import org_today, today_in
from charity.core.db import run_transaction
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.web.forms import choices
from charity.funds import export as exporting
from charity.funds.views.downloads import csv_response, xlsx_response
from charity.funds.services import ledger
from charity.funds.ledger_forms import (ACTIVITY_LABELS, CHANNEL_LABELS, KIND_LABELS,
                                        MAX_ID, POSTABLE_KINDS, RECEIPT_KINDS, CorrectionForm,
                                        EntryForm, LedgerFilter, TransferForm, label)
from charity.funds.models import (Campaign, CampaignStatus, EntryKind, FundEntry, Project,
                                  ProjectStatus, Receipt)
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.orgs.models import Organization
from charity.people.models import Donor
from charity.web.access import access, load, paginate, show_domain_error

bp = Blueprint("ledger", __name__, url_prefix="/staff/funds")

DONOR_CHOICES_LIMIT = 500
TOTAL_KEYS = ("donation_income", "commercial_income", "spent_projects", "spent_other",
              "fundraising_costs")


# --- helpers ---------------------------------------------------------------------------------

def receipt_url(receipt) -> str | None:
    """The receipt's print page, once the receipts screens provide one."""
    if receipt is None or "receipts.receipt_view" not in current_app.view_functions:
        return None
    try:
        return url_for("receipts.receipt_view", receipt_id=receipt.id)
    except BuildError:
        return None


def _scoped_orgs(active_only=True) -> list[Organization]:
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    if active_only:
        stmt = stmt.where(Organization.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Organization.name)))


def _posting_org(form) -> Organization | None:
    """The organisation a posting goes to: a manager's own; the one an admin picked."""
    if current_user.role != Role.ADMIN:
        return db.session.get(Organization, current_user.organization_id)
    raw = form.organization_id.data if request.method == "POST" else request.args.get("org")
    try:
        org_id = int(raw)
    except (TypeError, ValueError):
        return None
    org = db.session.get(Organization, org_id) if 0 < org_id <= MAX_ID else None
    if org is None or not org.active or not can(current_user, "funds.post", org):
        return None
    return org


def _org_choices(form, org) -> None:
    orgs = _scoped_orgs()
    form.organization_id.choices = choices([("", _("— choose —"))]
                                           + [(str(o.id), o.name) for o in orgs])
    if org is not None:
        form.organization_id.data = str(org.id)


def _options(org):
    """Campaigns, projects and donors to offer: of `org`, or of every organisation the
    admin sees (then labelled with the organisation) while none is picked."""
    org_ids = [org.id] if org is not None else [o.id for o in _scoped_orgs()]
    names = {}
    if org is None:
        names = dict(db.session.execute(sa.select(Organization.id, Organization.name)
                                        .where(Organization.id.in_(org_ids))).all())
    campaigns = db.session.scalars(
        sa.select(Campaign).where(Campaign.organization_id.in_(org_ids),
                                  Campaign.status.in_([CampaignStatus.ACTIVE,
                                                       CampaignStatus.ENDED]))
        .order_by(Campaign.status, Campaign.name)).all()
    projects = db.session.scalars(
        sa.select(Project).where(Project.organization_id.in_(org_ids),
                                 Project.status != ProjectStatus.CLOSED)
        .order_by(Project.name)).all()
    donors = db.session.scalars(
        sa.select(Donor).where(Donor.organization_id.in_(org_ids))
        .order_by(Donor.name, Donor.id).limit(DONOR_CHOICES_LIMIT)).all()
    label_org = (lambda obj: names.get(obj.organization_id, "")) if org is None else None
    return campaigns, projects, donors, label_org


def _org_today(org):
    return org_today(org) if org is not None else today_in(
        current_app.config.get("CHARITY_TIMEZONE"))


def _load_entry(entry_id: int, permission: str) -> FundEntry:
    if entry_id > MAX_ID:
        abort(404)  # no such id can exist; PostgreSQL would refuse the comparison
    return load(FundEntry, entry_id, permission)


def _first_result(result: str):
    """Where a form that was already submitted leads: the entry it posted."""
    kind, _sep, object_id = (result or "").partition(":")
    if kind == "fund_entry" and object_id.isdigit():
        return redirect(url_for("ledger.entry_view", entry_id=int(object_id)))
    return redirect(url_for("ledger.entry_list"))


def _already_submitted(err: AlreadySubmitted):
    db.session.rollback()
    flash(_("This form was already sent; it was posted once. Here is the result."), "info")
    return _first_result(err.result)


def _posted_message(entry: FundEntry):
    message = _("Entry posted.")
    if entry.receipt is None:
        return message
    text = _("Receipt %(number)s issued.", number=entry.receipt.number)
    url = receipt_url(entry.receipt)
    if url is None:
        return f"{message} {text}"
    return Markup('{} {} <a href="{}">{}</a>').format(message, text, url, _("Print receipt"))


# --- list ------------------------------------------------------------------------------------

def _scoped_entries(stmt, flt: LedgerFilter):
    return flt.apply(scope_organizations(current_user, stmt, FundEntry.organization_id))


def _totals(flt: LedgerFilter) -> dict:
    """The filter's totals by kind, and project spending by project: one grouped query."""
    stmt = _scoped_entries(
        sa.select(FundEntry.kind, FundEntry.project_id, Project.name,
                  sa.func.sum(FundEntry.amount))
        .outerjoin(Project, Project.id == FundEntry.project_id), flt)
    stmt = stmt.group_by(FundEntry.kind, FundEntry.project_id, Project.name)
    totals = {key: Decimal("0.00") for key in TOTAL_KEYS}
    by_project: dict[int, list] = {}
    for kind, project_id, project_name, total in db.session.execute(stmt):
        total = Decimal(total or 0)
        column = ledger.COLUMN[EntryKind(kind)]
        if column in totals:
            totals[column] += total
        if kind == EntryKind.PROJECT_SPENDING and project_id is not None:
            by_project.setdefault(project_id, [project_name, Decimal("0.00")])[1] += total
    totals["by_project"] = sorted(by_project.values(), key=lambda item: item[0])
    totals["income"] = totals["donation_income"] + totals["commercial_income"]
    totals["used"] = totals["spent_projects"] + totals["spent_other"] + totals["fundraising_costs"]
    return totals


@bp.route("/")
@access("funds.view")
def entry_list():
    flt = LedgerFilter.from_args(request.args)
    stmt = _scoped_entries(sa.select(FundEntry), flt).options(
        selectinload(FundEntry.campaign), selectinload(FundEntry.project),
        selectinload(FundEntry.receipt), selectinload(FundEntry.posted_by))
    page = paginate(stmt.order_by(FundEntry.entry_date.desc(), FundEntry.id.desc()))
    ids = [e.id for e in page.items]
    reversed_ids = set(db.session.scalars(
        sa.select(FundEntry.reverses_id).where(FundEntry.reverses_id.in_(ids)))) if ids else set()
    orgs = _scoped_orgs(active_only=False)
    org_ids = [o.id for o in orgs]
    campaigns = db.session.scalars(sa.select(Campaign).where(
        Campaign.organization_id.in_(org_ids)).order_by(Campaign.name)).all()
    projects = db.session.scalars(sa.select(Project).where(
        Project.organization_id.in_(org_ids)).order_by(Project.name)).all()
    return render_template(
        "funds/ledger_list.html", page=page, flt=flt, totals=_totals(flt),
        reversed_ids=reversed_ids, orgs=orgs, org_names={o.id: o.name for o in orgs},
        campaigns=campaigns, projects=projects, kind_labels=KIND_LABELS,
        channel_labels=CHANNEL_LABELS, label=label, receipt_url=receipt_url,
        many_orgs=current_user.role == Role.ADMIN)


# --- posting ---------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@access("funds.post")
def entry_new():
    form = EntryForm()
    org = _posting_org(form)
    _org_choices(form, org)
    form.fill_choices(*_options(org))
    if request.method == "GET":
        form.submission_token.data = new_token()
        form.entry_date.data = _org_today(org)
        form.kind.data = EntryKind.DONATION.value
        if request.args.get("campaign", "").isdigit():
            form.campaign_id.data = request.args["campaign"]
    if form.validate_on_submit():
        if org is None:
            form.organization_id.errors = [_("Choose the organisation.")]
        else:
            try:
                token = claim(db.session, form.submission_token.data, current_user.id)
                data = form.entry_data()
                if data["kind"] in RECEIPT_KINDS:
                    entry = ledger.post_donation(current_user, db.session, org, data,
                                                 with_receipt=form.issue_receipt.data)
                else:
                    entry = ledger.post_entry(current_user, db.session, org, data)
                record_result(token, f"fund_entry:{entry.id}")
            except AlreadySubmitted as err:
                return _already_submitted(err)
            except DomainError as err:
                db.session.rollback()
                show_domain_error(form, err)
            else:
                db.session.commit()
                flash(_posted_message(entry), "success")
                return redirect(url_for("ledger.entry_view", entry_id=entry.id))
    return render_template("funds/ledger_form.html", form=form, org=org,
                           pick_org=current_user.role == Role.ADMIN)


# --- one entry -------------------------------------------------------------------------------

def _correction_state(entry: FundEntry) -> tuple[FundEntry | None, list[FundEntry]]:
    reversal = db.session.scalar(sa.select(FundEntry).where(FundEntry.reverses_id == entry.id))
    replacements = list(db.session.scalars(
        sa.select(FundEntry).where(FundEntry.replaces_id == entry.id).order_by(FundEntry.id)))
    return reversal, replacements


@bp.route("/<int:entry_id>")
@access("funds.view")
def entry_view(entry_id: int):
    entry = _load_entry(entry_id, "funds.view")
    reversal, replacements = _correction_state(entry)
    original = db.session.get(FundEntry, entry.reverses_id) if entry.reverses_id else None
    replaced = db.session.get(FundEntry, entry.replaces_id) if entry.replaces_id else None
    other_side = None
    if entry.transfer_group:
        other_side = db.session.scalar(sa.select(FundEntry).where(
            FundEntry.transfer_group == entry.transfer_group, FundEntry.id != entry.id,
            FundEntry.reverses_id.is_(None) if entry.reverses_id is None
            else FundEntry.reverses_id.is_not(None)))
    trail = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.object_type == "FundEntry",
                                  AuditLog.object_id == str(entry.id))
        .options(selectinload(AuditLog.user)).order_by(AuditLog.id)).all()
    return render_template(
        "funds/ledger_view.html", entry=entry, org=db.session.get(Organization,
                                                                  entry.organization_id),
        reversal=reversal, replacements=replacements, original=original, replaced=replaced,
        other_side=other_side, trail=trail, kind_labels=KIND_LABELS,
        channel_labels=CHANNEL_LABELS, activity_labels=ACTIVITY_LABELS, label=label,
        receipt_url=receipt_url,
        correctable=(entry.reverses_id is None and reversal is None
                     and can(current_user, "funds.post", entry)))


@bp.route("/<int:entry_id>/correct", methods=["GET", "POST"])
@access("funds.post")
def entry_correct(entry_id: int):
    entry = _load_entry(entry_id, "funds.post")
    reversal, _replacements = _correction_state(entry)
    if entry.reverses_id is not None or reversal is not None:
        if request.method == "POST":
            try:  # a correction sent twice leads to what the first one posted
                claim(db.session, request.form.get("submission_token"), current_user.id)
            except AlreadySubmitted as err:
                return _already_submitted(err)
            db.session.rollback()
        flash(_("This entry cannot be corrected: it is a reversal.") if entry.reverses_id
              else _("This entry has already been corrected."), "error")
        return redirect(url_for("ledger.entry_view", entry_id=entry.id))
    org = db.session.get(Organization, entry.organization_id)
    form = CorrectionForm()
    form.fill_choices(*_options(org))
    is_transfer = entry.transfer_group is not None
    if entry.kind not in POSTABLE_KINDS and not is_transfer:
        # e.g. supermarket sales income: its replacement keeps the kind
        form.kind.choices = [*form.kind.choices,
                             *choices([(entry.kind.value, KIND_LABELS[entry.kind])])]
    if request.method == "GET":
        form.submission_token.data = new_token()
        form.prefill(entry)
    if form.validate_on_submit():
        replacement = form.entry_data() if form.replace.data and not is_transfer else None
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            _rev, new = ledger.reverse_entry(current_user, db.session, entry, form.reason.data,
                                             replacement=replacement)
            record_result(token, f"fund_entry:{(new or entry).id}")
        except AlreadySubmitted as err:
            return _already_submitted(err)
        except DomainError as err:
            db.session.rollback()
            show_domain_error(form, err)
        else:
            db.session.commit()
            flash(_("The entry was reversed.") if new is None
                  else _("The entry was reversed and the replacement posted."), "success")
            return redirect(url_for("ledger.entry_view", entry_id=(new or entry).id))
    return render_template("funds/ledger_correct.html", form=form, entry=entry, org=org,
                           is_transfer=is_transfer, kind_labels=KIND_LABELS, label=label)


# --- transfers -------------------------------------------------------------------------------

@bp.route("/transfer", methods=["GET", "POST"])
@access("funds.post")
def transfer_new():
    form = TransferForm()
    org = _posting_org(form)
    _org_choices(form, org)
    campaigns, _projects, _donors, label_org = _options(org)
    form.fill_choices(campaigns, label_org)
    if request.method == "GET":
        form.submission_token.data = new_token()
        form.entry_date.data = _org_today(org)
    if form.validate_on_submit():
        if org is None:
            form.organization_id.errors = [_("Choose the organisation.")]
        else:
            try:
                token = claim(db.session, form.submission_token.data, current_user.id)
                out, _in = ledger.post_transfer(
                    current_user, db.session, org, from_campaign_id=form.from_campaign_id.data,
                    to_campaign_id=form.to_campaign_id.data, amount=form.amount.data,
                    entry_date=form.entry_date.data, reason=form.reason.data)
                record_result(token, f"fund_entry:{out.id}")
            except AlreadySubmitted as err:
                return _already_submitted(err)
            except DomainError as err:
                db.session.rollback()
                show_domain_error(form, err)
            else:
                db.session.commit()
                flash(_("Transfer posted."), "success")
                return redirect(url_for("ledger.entry_view", entry_id=out.id))
    return render_template("funds/ledger_transfer.html", form=form, org=org,
                           pick_org=current_user.role == Role.ADMIN)


# --- export ----------------------------------------------------------------------------------

def _export_headers() -> list[str]:
    return [_("Entry no."), _("Date"), _("Organisation"), _("Kind"), _("Amount (yuan)"),
            _("Campaign"), _("Project"), _("Payer or payee"), _("Channel"),
            _("Charity activity"), _("Purpose"), _("Voucher number"), _("Reference"),
            _("Restricted"), _("Receipt number"), _("Reverses entry"), _("Reversed by entry"),
            _("Replaces entry"), _("Correction reason"), _("Posted by"), _("Posted at")]


def _export_rows(flt: LedgerFilter):
    """The filtered ledger as rows, read from the database in chunks (never all at once)."""
    reversal = aliased(FundEntry)
    stmt = (sa.select(FundEntry.id, FundEntry.entry_date, Organization.name, FundEntry.kind,
                      FundEntry.amount, Campaign.name, Project.name, FundEntry.counterparty,
                      FundEntry.channel, FundEntry.activity, FundEntry.purpose,
                      FundEntry.voucher_no, FundEntry.reference, FundEntry.restricted,
                      Receipt.number, FundEntry.reverses_id, reversal.id, FundEntry.replaces_id,
                      FundEntry.correction_reason, User.display_name, FundEntry.posted_at)
            .join(Organization, Organization.id == FundEntry.organization_id)
            .outerjoin(Campaign, Campaign.id == FundEntry.campaign_id)
            .outerjoin(Project, Project.id == FundEntry.project_id)
            .outerjoin(Receipt, Receipt.id == FundEntry.receipt_id)
            .outerjoin(User, User.id == FundEntry.posted_by_id)
            .outerjoin(reversal, reversal.reverses_id == FundEntry.id))
    # Built now, while the signed-in user is at hand: a streamed response runs the generator
    # after the view has returned (the user is detached by then).
    stmt = _scoped_entries(stmt, flt).order_by(FundEntry.entry_date, FundEntry.id)
    yes, no = _("yes"), _("no")
    system = _("system")

    def rows():
        for row in db.session.execute(stmt.execution_options(yield_per=exporting.CHUNK_ROWS)):
            (entry_id, entry_date, org_name, kind, amount, campaign, project, counterparty,
             channel, activity, purpose, voucher_no, reference, restricted, receipt_no,
             reverses_id, reversed_by, replaces_id, reason, posted_by, posted_at) = row
            yield (entry_id, entry_date, org_name, label(KIND_LABELS, kind), amount,
                   campaign or "", project or "", counterparty, label(CHANNEL_LABELS, channel),
                   label(ACTIVITY_LABELS, activity), purpose, voucher_no, reference,
                   yes if restricted else no, receipt_no or "", reverses_id, reversed_by,
                   replaces_id, reason, posted_by or system, posted_at)

    return rows()


@bp.route("/export.<any(csv, xlsx):fmt>")
@access("funds.export")
def export(fmt: str):
    flt = LedgerFilter.from_args(request.args)
    tz_name = current_app.config.get("CHARITY_TIMEZONE")
    if current_user.role != Role.ADMIN and current_user.organization is not None:
        tz_name = current_user.organization.timezone
    filename = f"ledger-{today_in(tz_name).isoformat()}.{fmt}"
    # Payers' names are personal data: the export is on record (who, filters, rows) first.
    count = db.session.scalar(_scoped_entries(sa.select(sa.func.count(FundEntry.id)), flt))
    run_transaction(db.session, lambda: record_export(
        db.session, current_user, "ledger", fmt, flt.args(), count or 0,
        organization_id=flt.org if current_user.role == Role.ADMIN else None))
    rows = _export_rows(flt)
    if fmt == "csv":
        return csv_response(filename, _export_headers(), rows, tz_name=tz_name)
    if fmt == "xlsx":
        return xlsx_response(
            filename, _export_headers(), rows, title=_("Money ledger"), tz_name=tz_name,
            widths=(8, 12, 24, 14, 14, 24, 24, 20, 12, 14, 30, 14, 18, 8, 14, 10, 10, 10, 24,
                    12, 18))
    abort(404)

