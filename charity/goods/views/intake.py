"""Intake at the counter (phone first), the intake record and its correction, the list.

The counter form follows the volunteer: the point (their own, preselected), the donor
(anonymous by default; a known donor found by name or phone; or a new one typed in), then the
lines. Buttons other than "Receive" re-render the form with everything typed kept and post
nothing: finding a donor, looking up barcodes, more lines, and adding a missing item type
(the only one that writes: the item type). The first button of the form is "Find", so the
Enter key of a barcode scanner looks up instead of posting a half-typed intake.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.clock import org_today
from charity.core.db import run_transaction
from charity.core.errors import DomainError, PermissionDenied
from charity.core.extensions import db
from charity.core.i18n import money
from charity.funds.models import Campaign
from charity.goods.forms.corrections import ReverseForm
from charity.goods.forms.intake import (COMMON_UNITS, CONDITION_LABELS, DONOR_EXISTING,
                                        IntakeForm, item_choices)
from charity.goods.forms.lines import units_of
from charity.goods.models import Intake, PreRegistration
from charity.goods.quantities import quantity_text
from charity.goods.queries.catalogue import catalogue_items, categories, refused_goods
from charity.goods.queries.counter import (donor_of, normalise_code, preregistration,
                                          running_campaigns)
from charity.goods.queries.lists import filter_points, intake_list as listed_intakes, lines_of
from charity.goods.services.catalogue import create_counter_item, find_by_barcode
from charity.goods.services.intake import (issue_intake_receipt, receive_donation,
                                          reverse_intake)
from charity.goods.views.corrections import post_correction
from charity.goods.counter import list_filters
from charity.goods.views.links import other_feature_url
from charity.orgs.models import CharityPoint
from charity.people.models import Donor
from charity.people.services import find_donors
from charity.web.access import access, load
from charity.web.keyset import keyset_paginate
from charity.web.forms import ConfirmForm, choices
from charity.web.points import chosen_point, counter_points, point_label
from charity.web.posting import post_form
from charity.web.ratelimit import AddressLimiter

bp = Blueprint("intake", __name__, url_prefix="/staff/intake")

# Buttons that only re-render the form (nothing is posted).
RERENDER_BUTTONS = ("find_donor", "lookup", "more")
# Drop-off code look-ups per remote address per hour (a counter types a few dozen a day).
LOOKUP_LIMIT = 60
lookup_limiter = AddressLimiter("dropoff_lookup", "CHARITY_DROPOFF_LOOKUP_RATE_LIMIT",
                                LOOKUP_LIMIT)


def donor_label(donor: Donor) -> str:
    phone = donor.phone if can(current_user, "donors.private", donor) else donor.masked_phone
    return f"{donor.name} · {phone}" if phone else donor.name


def _looked_up(code: str | None, points: list[CharityPoint]) -> PreRegistration | None:
    """The drop-off a code names within the user's organisations; every look-up counts
    towards a per-address limit kept in the database (codes cannot be tried in bulk)."""
    if not normalise_code(code):
        return None
    address = request.remote_addr or ""
    if lookup_limiter.over(address):
        flash(_("Too many drop-off code look-ups from this network in the last hour. Please "
                "try again later."), "error")
        return None
    lookup_limiter.hit(address)
    return preregistration(db.session, code, {p.organization_id for p in points})


@dataclass
class _Counter:
    """The counter form during one request: where, which drop-off, which items."""

    points: list[CharityPoint]
    point: CharityPoint | None
    prereg: PreRegistration | None
    items_by_id: dict

    def __post_init__(self):
        self.org = self.point.organization if self.point else None
        self.today = org_today(self.org) if self.org else None


def _open(form: IntakeForm, posting: bool) -> _Counter:
    """The point (a drop-off code brings its own point, if the user works there), and what
    the form offers there: items, categories for a new item, running campaigns."""
    points = counter_points()
    prereg = _looked_up(form.preregistration_code.data if posting else request.args.get("code"),
                        points)
    raw_point = form.point_id.data if posting else request.args.get("point")
    if not posting and not raw_point and prereg is not None \
            and prereg.point_id in {p.id for p in points}:
        raw_point = prereg.point_id
    point = chosen_point(raw_point, points, "goods.intake")
    org_id = point.organization_id if point else None
    items = catalogue_items(db.session, [org_id])
    form.set_item_choices(item_choices(items), units_of(items))
    form.point_id.choices = choices((str(p.id), point_label(p)) for p in points)
    if not can(current_user, "donors.private"):  # volunteers find donors by name only
        form.donor_q.label.text = _("Find a donor by name")
    form.new_item_category_id.choices = choices(
        [("", "—")] + [(str(c.id), c.name) for c in categories(db.session)])
    form.campaign_id.choices = choices([("", _("— none —"))] + [
        (str(c.id), c.name) for c in running_campaigns(db.session, org_id)])
    return _Counter(points, point, prereg, {item.id: item for item in items})


@bp.route("/new", methods=["GET", "POST"])
@access("goods.intake")
def intake_new():
    form = IntakeForm()
    posting = request.method == "POST"
    counter = _open(form, posting)
    if not posting:
        form.start(counter.point, counter.today, request.args.get("donor_q", ""),
                   counter.prereg, request.args.get("code", ""))
    action = next((name for name in ("add_item", *RERENDER_BUTTONS) if request.form.get(name)),
                  None) if posting else None
    if posting and counter.org is not None:
        response = _press(form, counter, action)
        if response is not None:
            return response
    return _render_new(form, counter, choose_only_match=not posting or action == "find_donor",
                       found=action == "find_donor")


def _press(form: IntakeForm, counter: _Counter, action: str | None):
    """What a button does; the redirect after receiving, or None to show the form again."""
    org, items_by_id = counter.org, counter.items_by_id

    def lookup(code):
        return find_by_barcode(db.session, org.id, code)

    if action == "add_item":
        if _add_item_type(form, org, items_by_id):
            items = catalogue_items(db.session, [org.id])
            form.set_item_choices(item_choices(items), units_of(items))
        form.resolve_barcodes(lookup, items_by_id)
    elif action in RERENDER_BUTTONS:
        form.resolve_barcodes(lookup, items_by_id)
        if action == "more":
            form.add_lines()
    else:
        valid = form.validate()
        found = form.resolve_barcodes(lookup, items_by_id)
        donor_ok = form.check_donor()
        form.prefill_values(items_by_id)
        if valid and found and donor_ok:
            response = _receive(form, counter.point)
            if response is not None:
                return response
    form.prefill_values(items_by_id)
    return None


def _receive(form: IntakeForm, point: CharityPoint):
    """Post the intake (and the new donor, if any) once for the form's token."""
    def work():
        donor_id, new_donor = form.donor_for_service()
        return receive_donation(current_user, db.session, point,
                                form.data_for_service(donor_id), new_donor)

    def received(intake: Intake):
        total = money(intake.total_value)
        if intake.receipt is not None:
            message = _("Donation received, %(total)s in all. Receipt %(number)s issued.",
                        total=total, number=intake.receipt.number)
        else:
            message = _("Donation received, %(total)s in all.", total=total)
        return message, url_for("intake.intake_view", intake_id=intake.id)

    return post_form(form, work, kind="intake", success=received,
                     first=lambda intake_id: url_for("intake.intake_view", intake_id=intake_id),
                     fallback=url_for("intake.intake_list"))


def _add_item_type(form: IntakeForm, org, items_by_id: dict) -> bool:
    """The "new item" sub-form: create the item type (catalogue.add) and put it on a line.
    The intake is not posted."""
    try:
        item = run_transaction(db.session, lambda: create_counter_item(
            current_user, db.session, org, form.new_item_data()))
    except PermissionDenied:
        abort(403)
    except DomainError as err:
        form.show_error(err, rename=IntakeForm.NEW_ITEM_FIELDS)
        return False
    items_by_id[item.id] = item
    form.place_new_item(item)
    flash(_("%(name)s was added to the catalogue and can be chosen now.", name=item.name),
          "success")
    return True


def _render_new(form: IntakeForm, counter: _Counter, choose_only_match: bool, found: bool):
    org_id = counter.org.id if counter.org else None
    matches = []
    if org_id is not None and form.donor_q.data:
        matches = find_donors(db.session, org_id, form.donor_q.data,
                              by_phone=can(current_user, "donors.private"))
    form.offer_donors(donor_of(db.session, org_id, form.donor_id.data), matches, donor_label,
                      choose_only_match)
    if found and form.donor_q.data:
        form.donor_mode.data = DONOR_EXISTING
    form.offer_unknown_barcode()
    return render_template(
        "goods/intake_new.html", form=form, points=counter.points, point=counter.point,
        prereg=counter.prereg, donor_matches=matches, refused=refused_goods(db.session, org_id),
        today=counter.today, units=COMMON_UNITS, point_label=point_label,
        food_open=lambda line: form.food_open(line, counter.items_by_id),
        can_add_item=counter.org is not None and can(current_user, "catalogue.add", counter.org))


# --- the record, the list, the correction ----------------------------------------------------

def _load_intake(intake_id: int, permission: str) -> Intake:
    intake = load(Intake, intake_id, permission)
    lines_of(db.session, intake)  # one query for the lines and their items
    return intake


def _render_intake(intake: Intake, reverse_form: ReverseForm | None = None):
    return render_template(
        "goods/intake_view.html", intake=intake,
        campaign=db.session.get(Campaign, intake.campaign_id) if intake.campaign_id else None,
        prereg=(db.session.get(PreRegistration, intake.preregistration_id)
                if intake.preregistration_id else None),
        receipt_url=other_feature_url(intake.receipt_id, "receipts.receipt_view",
                                      "receipts.view", intake, receipt_id=intake.receipt_id),
        reverse_form=reverse_form or ReverseForm(), receipt_form=ConfirmForm(),
        can_issue_receipt=(intake.receipt_id is None and intake.donor_id is not None
                           and intake.status.value == "posted"
                           and can(current_user, "goods.intake", intake)),
        condition_labels=CONDITION_LABELS,
        quantity_text=quantity_text, donor_label=donor_label,
        can_reverse=intake.status.value == "posted" and can(current_user, "goods.correct",
                                                            intake))


@bp.route("/<int:intake_id>")
@access("goods.view")
def intake_view(intake_id: int):
    return _render_intake(_load_intake(intake_id, "goods.view"))


@bp.route("/<int:intake_id>/reverse", methods=["POST"])
@access("goods.correct")
def intake_reverse(intake_id: int):
    intake = _load_intake(intake_id, "goods.correct")
    form = ReverseForm()
    return post_correction(
        form, reverse_intake, intake,
        _("The intake was reversed: its goods are off the stock and its receipt is void. "
          "Nothing was deleted."),
        url_for("intake.intake_view", intake_id=intake.id)) or _render_intake(intake, form)


@bp.route("/<int:intake_id>/receipt", methods=["POST"])
@access("goods.intake")
def intake_receipt(intake_id: int):
    """Issue the receipt of a saved intake later (idempotent: never a second receipt)."""
    intake = _load_intake(intake_id, "goods.intake")
    back = url_for("intake.intake_view", intake_id=intake.id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(back)
    had_receipt = intake.receipt_id is not None

    def issued(done: Intake):
        if had_receipt:
            return _("This intake already has receipt %(number)s.",
                     number=done.receipt.number), back
        return _("Receipt %(number)s issued.", number=done.receipt.number), back

    return post_form(None, lambda: issue_intake_receipt(current_user, db.session, intake),
                     success=issued, fallback=back)


@bp.route("/")
@access("goods.view")
def intake_list():
    args = list_filters(donor=request.args.get("donor", "").strip()[:100])
    page = keyset_paginate(listed_intakes(current_user, args), (Intake.received_on, Intake.id))
    return render_template("goods/intake_list.html", page=page, args=args, filter_points=filter_points(db.session, current_user),
        point_label=point_label, quantity_text=quantity_text)
