"""The money ledger screens: record money, list, export, correct, transfer."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.routing import BuildError

from charity.audit.services import record_export
from charity.auth.permissions import can
from charity.core.clock import org_today, today_in
from charity.core.db import run_transaction
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.funds import queries
from charity.funds.forms.ledger import (
    ACTIVITY_LABELS,
    CHANNEL_LABELS,
    KIND_LABELS,
    POSTABLE_KINDS,
    RECEIPT_KINDS,
    CorrectionForm,
    EntryForm,
    LedgerFilter,
    TransferForm,
    label,
)
from charity.funds.models import EntryKind, FundEntry
from charity.funds.services import ledger
from charity.funds.services.lookup import MAX_ID
from charity.funds.views.org_choice import is_admin, posting_organisation
from charity.orgs.models import Organization
from charity.web.access import access, load, query_int
from charity.web.downloads import csv_response, xlsx_response
from charity.web.forms import choices
from charity.web.keyset import keyset_paginate
from charity.web.posting import post_form, to_record

bp = Blueprint("ledger", __name__, url_prefix="/staff/funds")

EXPORT_WIDTHS = (8, 12, 24, 14, 14, 24, 24, 20, 12, 14, 30, 14, 18, 8, 14, 10, 10, 10, 24, 12, 18)


# --- helpers ---------------------------------------------------------------------------------

def receipt_url(receipt) -> str | None:
    """The receipt's print page, once the receipts screens provide one."""
    if receipt is None or "receipts.receipt_view" not in current_app.view_functions:
        return None
    try:
        return url_for("receipts.receipt_view", receipt_id=receipt.id)
    except BuildError:
        return None


def entry_url(entry_id: int) -> str:
    return url_for("ledger.entry_view", entry_id=entry_id)


def _org_today(org):
    return org_today(org) if org is not None else today_in(
        current_app.config.get("CHARITY_TIMEZONE"))


def _load_entry(entry_id: int, permission: str) -> FundEntry:
    if entry_id > MAX_ID:
        abort(404)  # no such id can exist; PostgreSQL would refuse the comparison
    return load(FundEntry, entry_id, permission)


def _posted_message(entry: FundEntry):
    message = _("Entry posted.")
    if entry.receipt is None:
        return message
    text = _("Receipt %(number)s issued.", number=entry.receipt.number)
    url = receipt_url(entry.receipt)
    if url is None:
        return f"{message} {text}"
    return Markup('{} {} <a href="{}">{}</a>').format(message, text, url, _("Print receipt"))


def _posting_form(form):
    """The organisation a new entry or transfer goes to; a new form gets its token and today's
    date."""
    org = posting_organisation(form)
    if request.method == "GET":
        form.entry_date.data = _org_today(org)
    return org


def _post(form, org, work, message):
    """Post an entry or a transfer (`work(org)`); the organisation must have been chosen."""
    if org is None:
        form.organization_id.errors = [_("Choose the organisation.")]
        return None
    return post_form(form, lambda: work(org), kind="fund_entry",
                     **to_record(entry_url, message, fallback=url_for("ledger.entry_list")))


# --- list ------------------------------------------------------------------------------------

@bp.route("/")
@access("funds.view")
def entry_list():
    flt = LedgerFilter.from_args(request.args)
    page = keyset_paginate(queries.ledger_entries(current_user, flt),
                           (FundEntry.entry_date, FundEntry.id))
    return render_template(
        "funds/ledger_list.html", page=page, flt=flt,
        **queries.ledger_page(current_user, flt, page.items), kind_labels=KIND_LABELS,
        channel_labels=CHANNEL_LABELS, label=label, receipt_url=receipt_url,
        many_orgs=is_admin())


# --- posting ---------------------------------------------------------------------------------

def _post_money(form, org):
    data = form.entry_data()
    if data["kind"] in RECEIPT_KINDS:
        return ledger.post_donation(current_user, db.session, org, data,
                                    with_receipt=form.issue_receipt.data)
    return ledger.post_entry(current_user, db.session, org, data)


@bp.route("/new", methods=["GET", "POST"])
@access("funds.post")
def entry_new():
    form = EntryForm()
    org = _posting_form(form)
    form.fill_choices(*queries.posting_choices(current_user, org))
    if request.method == "GET":
        form.kind.data = EntryKind.DONATION.value
        if request.args.get("campaign", "").isdigit():
            form.campaign_id.data = request.args["campaign"]
    if form.validate_on_submit():
        response = _post(form, org, lambda org: _post_money(form, org), _posted_message)
        if response:
            return response
    return render_template("funds/ledger_form.html", form=form, org=org, pick_org=is_admin())


@bp.route("/transfer", methods=["GET", "POST"])
@access("funds.post")
def transfer_new():
    form = TransferForm()
    org = _posting_form(form)
    campaigns, _projects, _donors, label_org = queries.posting_choices(current_user, org)
    form.fill_choices(campaigns, label_org)
    if request.method == "GET" and request.args.get("from"):  # from an ended campaign's page
        form.from_campaign_id.data = str(query_int("from"))
    if form.validate_on_submit():
        response = _post(form, org, lambda org: ledger.post_transfer(
            current_user, db.session, org, from_campaign_id=form.from_campaign_id.data,
            to_campaign_id=form.to_campaign_id.data, amount=form.amount.data,
            entry_date=form.entry_date.data, reason=form.reason.data)[0],
            lambda _out: _("Transfer posted."))
        if response:
            return response
    return render_template("funds/ledger_transfer.html", form=form, org=org,
                           pick_org=is_admin())


# --- one entry -------------------------------------------------------------------------------

@bp.route("/<int:entry_id>")
@access("funds.view")
def entry_view(entry_id: int):
    entry = _load_entry(entry_id, "funds.view")
    reversal, replacements = queries.correction_state(entry)
    return render_template(
        "funds/ledger_view.html", entry=entry, org=db.session.get(Organization,
                                                                  entry.organization_id),
        reversal=reversal, replacements=replacements, **queries.entry_links(entry),
        kind_labels=KIND_LABELS, channel_labels=CHANNEL_LABELS,
        activity_labels=ACTIVITY_LABELS, label=label, receipt_url=receipt_url,
        correctable=(entry.reverses_id is None and reversal is None
                     and can(current_user, "funds.post", entry)))


def _refuse(message):
    """The work of a correction form for an entry that cannot be corrected any more."""
    raise DomainError(message)


@bp.route("/<int:entry_id>/correct", methods=["GET", "POST"])
@access("funds.post")
def entry_correct(entry_id: int):
    entry = _load_entry(entry_id, "funds.post")
    reversal, _replacements = queries.correction_state(entry)
    if entry.reverses_id is not None or reversal is not None:
        message = (_("This entry cannot be corrected: it is a reversal.") if entry.reverses_id
                   else _("This entry has already been corrected."))
        if request.method == "GET":
            flash(message, "error")
            return redirect(entry_url(entry.id))
        # A correction sent twice leads to what the first one posted; any other, to the refusal.
        return post_form(None, lambda: _refuse(message),
                         token=request.form.get("submission_token"), first=entry_url,
                         fallback=entry_url(entry.id), success=None)
    org = db.session.get(Organization, entry.organization_id)
    form = CorrectionForm()
    form.fill_choices(*queries.posting_choices(current_user, org))
    is_transfer = entry.transfer_group is not None
    if entry.kind not in POSTABLE_KINDS and not is_transfer:
        # e.g. supermarket sales income: its replacement keeps the kind
        form.kind.choices = [*form.kind.choices,
                             *choices([(entry.kind.value, KIND_LABELS[entry.kind])])]
    if request.method == "GET":
        form.prefill(entry)
    if form.validate_on_submit():
        replacement = form.entry_data() if form.replace.data and not is_transfer else None
        response = post_form(
            form, lambda: _reverse(entry, form.reason.data, replacement), kind="fund_entry",
            first=entry_url, fallback=url_for("ledger.entry_list"),
            success=lambda shown: (_("The entry was reversed.") if shown is entry
                                   else _("The entry was reversed and the replacement posted."),
                                   entry_url(shown.id)))
        if response:
            return response
    return render_template("funds/ledger_correct.html", form=form, entry=entry, org=org,
                           is_transfer=is_transfer, kind_labels=KIND_LABELS, label=label)


def _reverse(entry: FundEntry, reason: str, replacement: dict | None) -> FundEntry:
    """Reverse `entry`; what to show afterwards: the replacement, or the entry itself."""
    _rev, new = ledger.reverse_entry(current_user, db.session, entry, reason,
                                     replacement=replacement)
    return new or entry


# --- export ----------------------------------------------------------------------------------

def _export_headers() -> list[str]:
    return [_("Entry no."), _("Date"), _("Organisation"), _("Kind"), _("Amount (yuan)"),
            _("Campaign"), _("Project"), _("Payer or payee"), _("Channel"),
            _("Charity activity"), _("Purpose"), _("Voucher number"), _("Reference"),
            _("Restricted"), _("Receipt number"), _("Reverses entry"), _("Reversed by entry"),
            _("Replaces entry"), _("Correction reason"), _("Posted by"), _("Posted at")]


def _export_rows(rows):
    """The ledger's rows as the export shows them: labels translated, blanks for none."""
    yes, no, system = _("yes"), _("no"), _("system")

    def shown():
        for row in rows:
            (entry_id, entry_date, org_name, kind, amount, campaign, project, counterparty,
             channel, activity, purpose, voucher_no, reference, restricted, receipt_no,
             reverses_id, reversed_by, replaces_id, reason, posted_by, posted_at) = row
            yield (entry_id, entry_date, org_name, label(KIND_LABELS, kind), amount,
                   campaign or "", project or "", counterparty, label(CHANNEL_LABELS, channel),
                   label(ACTIVITY_LABELS, activity), purpose, voucher_no, reference,
                   yes if restricted else no, receipt_no or "", reverses_id, reversed_by,
                   replaces_id, reason, posted_by or system, posted_at)

    return shown()


@bp.route("/export.<any(csv, xlsx):fmt>")
@access("funds.export")
def export(fmt: str):
    flt = LedgerFilter.from_args(request.args)
    tz_name = current_app.config.get("CHARITY_TIMEZONE")
    if not is_admin() and current_user.organization is not None:
        tz_name = current_user.organization.timezone
    filename = f"ledger-{today_in(tz_name).isoformat()}.{fmt}"
    # Payers' names are personal data: the export is on record (who, filters, rows) first.
    count = queries.ledger_count(current_user, flt)
    run_transaction(db.session, lambda: record_export(
        db.session, current_user, "ledger", fmt, flt.args(), count,
        organization_id=flt.org if is_admin() else None))
    rows = _export_rows(queries.ledger_export_rows(current_user, flt))
    if fmt == "csv":
        return csv_response(filename, _export_headers(), rows, tz_name=tz_name)
    if fmt == "xlsx":
        return xlsx_response(filename, _export_headers(), rows, title=_("Money ledger"),
                             tz_name=tz_name, widths=EXPORT_WIDTHS)
    abort(404)
