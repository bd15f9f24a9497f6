"""Intake at the counter (phone first), drop-off codes, the goods receipt.

The counter form follows the volunteer: the point (their own, preselected), the donor
(anonymous by default; a known donor found by name or phone; or a new one typed in), then the
lines. Buttons other than "Receive" re-render the form with everything typed kept and post
nothing: finding a donor, looking up barcodes, more lines, and adding a missing item type
(the only one that writes: the item type). The first button of the form is "Find", so the
Enter key of a barcode scanner looks up instead of posting a half-typed intake.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from charity.auth.permissions import can, scope_points
from charity.core.clock import org_today
from charity.core.db import run_transaction
from charity.core.errors import DomainError, PermissionDenied, ValidationFailed
from charity.core.extensions import db
from charity.core.i18n import money
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.funds.models import Campaign, CampaignStatus
from charity.goods.catalogue import create_item_type, find_by_barcode
from charity.goods.distribution_views import quantity_text
from charity.goods.forms import (
    COMMON_UNITS,
    CONDITION_LABELS,
    DONOR_EXISTING,
    DONOR_NEW,
    IntakeForm,
    ReverseForm,
)
from charity.goods.intake import post_intake, reverse_intake
from charity.goods.models import (
    Intake,
    IntakeLine,
    ItemCategory,
    ItemType,
    PreRegistration,
    RefusedGood,
)
from charity.orgs.models import CharityPoint
from charity.people.models import Donor
from charity.people.services import create_donor, find_donors
from charity.web.access import (
    access,
    contains,
    date_arg,
    int_arg,
    load,
    paginate,
    show_domain_error,
)
from charity.web.forms import choices
from charity.web.points import chosen_point, counter_points, point_label

bp = Blueprint("intake", __name__, url_prefix="/staff/intake")

RESULT_PREFIX = "intake:"
# Buttons that only re-render the form (nothing is posted).
RERENDER_BUTTONS = ("find_donor", "lookup", "more")


# --- what the form offers --------------------------------------------------------------------

def categories() -> list[ItemCategory]:
    return list(db.session.scalars(sa.select(ItemCategory).order_by(ItemCategory.sort,
                                                                    ItemCategory.name)))


def catalogue_items(org_id: int | None) -> list[ItemType]:
    if org_id is None:
        return []
    return list(db.session.scalars(
        sa.select(ItemType).join(ItemCategory, ItemCategory.id == ItemType.category_id)
        .where(ItemType.organization_id == org_id, ItemType.active.is_(True))
        .options(selectinload(ItemType.category))
        .order_by(ItemCategory.sort, ItemCategory.name, ItemType.name)))


def item_choices(items: list[ItemType]) -> list[SelectChoice]:
    """The item select, grouped by category; each option carries what the form's script
    needs to prefill the value and open the food fields."""
    out = [SelectChoice("", "—")]
    for item in items:
        attrs = {"data-unit": item.unit, "data-perishable": "1" if item.perishable else ""}
        if item.default_fair_value is not None:
            attrs["data-value"] = format(item.default_fair_value, "f")
        out.append(SelectChoice(str(item.id), f"{item.name}（{item.unit}）", render_kw=attrs,
                                optgroup=item.category.name))
    return out


def basis_text() -> str:
    """The valuation basis written when the catalogue's fair value is taken over. It is
    stored with the intake and printed on receipts, which are Chinese documents: so it is
    data in Chinese, not a translated UI string."""
    return "目录参考价"


def donor_label(donor: Donor) -> str:
    phone = donor.phone if can(current_user, "donors.private", donor) else donor.masked_phone
    return f"{donor.name} · {phone}" if phone else donor.name


def _prereg(code: str | None) -> PreRegistration | None:
    code = (code or "").strip().upper()[:16]
    if not code:
        return None
    return db.session.scalar(sa.select(PreRegistration).where(PreRegistration.code == code))


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None  # no id is larger; SQLite overflows


# --- filling in and checking the typed lines -------------------------------------------------

def resolve_barcodes(form: IntakeForm, org_id: int, items_by_id: dict) -> bool:
    """Lines with a barcode get their item; an unknown barcode is answered next to it.
    Returns False when a barcode could not be resolved."""
    ok = True
    for entry in form.lines:
        code = entry.barcode.data
        if not code:
            continue
        item = find_by_barcode(db.session, org_id, code)
        if item is None:
            form.add_error(entry.barcode, _("No item has the barcode %(code)s. Choose the item "
                                            "or add it below.", code=code))
            ok = False
        elif entry.item_type_id.data and entry.item_type_id.data != str(item.id):
            form.add_error(entry.barcode, _("This barcode belongs to %(name)s.", name=item.name))
            ok = False
        else:
            entry.item_type_id.data = str(item.id)
            items_by_id.setdefault(item.id, item)
    return ok


def prefill_values(form: IntakeForm, items_by_id: dict) -> None:
    """A line without a unit value takes the catalogue's fair value, and says so."""
    for entry in form.lines:
        item = items_by_id.get(_int(entry.item_type_id.data))
        if item is None or entry.unit_value.data or item.default_fair_value is None:
            continue
        entry.unit_value.data = format(item.default_fair_value, "f")
        if not entry.valuation_basis.data:
            entry.valuation_basis.data = basis_text()


def check_donor(form: IntakeForm) -> bool:
    mode = form.donor_mode.data
    if mode == DONOR_EXISTING and not form.donor_id.data:
        form.add_error(form.donor_id, _("Choose the donor, or find them by name or phone."))
        return False
    if mode == DONOR_NEW and not form.new_donor_name.data:
        form.add_error(form.new_donor_name, _("Enter the donor's name."))
        return False
    if form.with_receipt.data and mode not in (DONOR_EXISTING, DONOR_NEW):
        form.add_error(form.with_receipt, _("A receipt needs a donor: choose a known donor or "
                                            "enter a new one, or untick the receipt."))
        return False
    return True


def add_item_type(form: IntakeForm, org, items_by_id: dict) -> ItemType | None:
    """The "new item" sub-form: create the item type (catalogue.add) and put it on the first
    empty line (or the line whose barcode it carries). The intake is not posted."""
    category = db.session.get(ItemCategory, _int(form.new_item_category_id.data) or -1)
    perishable = bool(form.new_item_perishable.data) or (category is not None
                                                         and category.code == "food")
    try:
        item = create_item_type(current_user, db.session, org, form.new_item_data(perishable))
        db.session.commit()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as err:
        db.session.rollback()
        form.show_error(err, rename=IntakeForm.NEW_ITEM_FIELDS)
        return None
    items_by_id[item.id] = item
    target = None
    if item.barcode:
        target = next((e for e in form.lines if e.barcode.data == item.barcode
                       and not e.item_type_id.data), None)
    if target is None:
        target = next((e for e in form.lines if e.is_blank()), None)
    if target is None:
        form.add_lines(1)
        target = form.lines.entries[-1]
    target.item_type_id.data = str(item.id)
    form.clear_new_item()
    flash(_("%(name)s was added to the catalogue and can be chosen now.", name=item.name),
          "success")
    return item


def _food_open(line, items_by_id: dict) -> bool:
    """Show a line's food fields: a perishable item, something typed there, or an error."""
    item = items_by_id.get(_int(line.item_type_id.data))
    fields = (line.batch, line.production_date, line.expiry_date, line.inspected)
    return bool((item is not None and item.perishable)
                or any(f.errors for f in fields)
                or line.batch.data or line.inspected.data
                or any(f.raw_data and f.raw_data[0] for f in (line.production_date,
                                                               line.expiry_date))
                or line.production_date.data or line.expiry_date.data)


def _first_result(result: str):
    db.session.rollback()
    flash(_("This form was already sent; it was posted once. Here is the result."), "info")
    first = (result or "").removeprefix(RESULT_PREFIX)
    if first.isdigit():
        return redirect(url_for("intake.intake_view", intake_id=int(first)))
    return redirect(url_for("intake.intake_list"))


def _post(form: IntakeForm, point: CharityPoint):
    """Claim the token, create the new donor if any, post the intake: one transaction."""
    def work():
        token = claim(db.session, form.submission_token.data, current_user.id)
        donor_id = form.donor_id.data if form.donor_mode.data == DONOR_EXISTING else None
        if form.donor_mode.data == DONOR_NEW:
            try:
                donor = create_donor(current_user, db.session, point.organization,
                                     form.new_donor_data())
            except ValidationFailed as err:
                err.field = IntakeForm.NEW_DONOR_FIELDS.get(err.field or "", "new_donor_name")
                raise
            donor_id = donor.id
        intake = post_intake(current_user, db.session, point, form.data_for_service(donor_id))
        record_result(token, f"{RESULT_PREFIX}{intake.id}")
        return intake

    return run_transaction(db.session, work)


# --- the counter form ------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@access("goods.intake")
def intake_new():
    points = counter_points()
    form = IntakeForm()
    posting = request.method == "POST"
    prereg = _prereg(form.preregistration_code.data if posting else request.args.get("code"))
    raw_point = form.point_id.data if posting else request.args.get("point")
    if not posting and not raw_point and prereg is not None \
            and prereg.point_id in {p.id for p in points}:
        raw_point = prereg.point_id
    point = chosen_point(raw_point, points, "goods.intake")
    org = point.organization if point else None
    today = org_today(org) if org else None

    items = catalogue_items(org.id if org else None)
    items_by_id = {item.id: item for item in items}
    form.set_item_choices(item_choices(items))
    form.point_id.choices = choices((str(p.id), point_label(p)) for p in points)
    form.new_item_category_id.choices = choices(
        [("", "—")] + [(str(c.id), c.name) for c in categories()])
    campaigns = [] if org is None else db.session.scalars(sa.select(Campaign).where(
        Campaign.organization_id == org.id, Campaign.status == CampaignStatus.ACTIVE)
        .order_by(Campaign.name)).all()
    form.campaign_id.choices = choices([("", _("— none —"))]
                                       + [(str(c.id), c.name) for c in campaigns])

    if not posting:
        form.submission_token.data = new_token()
        form.point_id.data = str(point.id) if point else ""
        form.received_on.data = today
        if request.args.get("donor_q"):
            form.donor_q.data = request.args["donor_q"].strip()[:50]
            form.donor_mode.data = DONOR_EXISTING
        if prereg is not None:
            form.preregistration_code.data = prereg.code
            if prereg.donor_name and prereg.wants_receipt:
                form.donor_mode.data = DONOR_NEW
                form.new_donor_name.data = prereg.donor_name
                form.new_donor_phone.data = prereg.donor_phone
                form.with_receipt.data = True
                form.donor_q.data = form.donor_q.data or prereg.donor_phone or prereg.donor_name
        elif request.args.get("code"):
            form.preregistration_code.data = request.args["code"].strip().upper()[:16]

    action = next((name for name in ("add_item", *RERENDER_BUTTONS) if request.form.get(name)),
                  None) if posting else None
    if posting and org is not None:
        if action == "add_item":
            if add_item_type(form, org, items_by_id) is not None:
                form.set_item_choices(item_choices(catalogue_items(org.id)))
            resolve_barcodes(form, org.id, items_by_id)
        elif action in RERENDER_BUTTONS:
            resolve_barcodes(form, org.id, items_by_id)
            if action == "more":
                form.add_lines()
        else:
            valid = form.validate()
            found = resolve_barcodes(form, org.id, items_by_id)
            donor_ok = check_donor(form)
            prefill_values(form, items_by_id)
            if valid and found and donor_ok:
                try:
                    intake = _post(form, point)
                except AlreadySubmitted as done:
                    return _first_result(done.result)
                except PermissionDenied:
                    abort(403)
                except DomainError as err:
                    form.show_error(err)
                else:
                    if intake.receipt is not None:
                        flash(_("Donation received, %(total)s in all. Receipt %(number)s issued.",
                                total=money(intake.total_value),
                                number=intake.receipt.number), "success")
                    else:
                        flash(_("Donation received, %(total)s in all.",
                                total=money(intake.total_value)), "success")
                    return redirect(url_for("intake.intake_view", intake_id=intake.id))
        prefill_values(form, items_by_id)

    donor_matches = []
    if org is not None and form.donor_q.data:
        donor_matches = find_donors(db.session, org.id, form.donor_q.data)
    chosen_donor = None
    if org is not None and _int(form.donor_id.data):
        chosen_donor = db.session.get(Donor, _int(form.donor_id.data))
        if chosen_donor is not None and chosen_donor.organization_id != org.id:
            chosen_donor = None
    shown = ([chosen_donor] if chosen_donor else []) + [
        d for d in donor_matches if chosen_donor is None or d.id != chosen_donor.id]
    form.donor_id.choices = choices([("", "—")] + [(str(d.id), donor_label(d)) for d in shown])
    if action == "find_donor" and form.donor_q.data:
        form.donor_mode.data = DONOR_EXISTING
    if (not posting or action == "find_donor") and len(donor_matches) == 1 \
            and not form.donor_id.data:
        form.donor_id.data = str(donor_matches[0].id)
    if not form.new_item_barcode.data:
        unknown = next((e.barcode.data for e in form.lines
                        if e.barcode.data and e.barcode.errors), "")
        form.new_item_barcode.data = unknown

    refused = [] if org is None else db.session.scalars(sa.select(RefusedGood).where(
        RefusedGood.organization_id == org.id, RefusedGood.active.is_(True))
        .order_by(RefusedGood.name)).all()
    return render_template(
        "goods/intake_new.html", form=form, points=points, point=point, prereg=prereg,
        donor_matches=donor_matches, refused=refused, today=today, units=COMMON_UNITS,
        point_label=point_label,
        food_open=lambda line: _food_open(line, items_by_id),
        can_add_item=org is not None and can(current_user, "catalogue.add", org))


# --- the record, the list, the correction ----------------------------------------------------

def _load_intake(intake_id: int, permission: str) -> Intake:
    intake = load(Intake, intake_id, permission)
    db.session.scalars(sa.select(IntakeLine).where(IntakeLine.intake_id == intake.id)
                       .options(selectinload(IntakeLine.item_type))).all()
    return intake


def _render_intake(intake: Intake, reverse_form: ReverseForm | None = None):
    receipt_url = None
    if intake.receipt_id and "receipts.receipt_view" in current_app.view_functions \
            and can(current_user, "receipts.view", intake):
        receipt_url = url_for("receipts.receipt_view", receipt_id=intake.receipt_id)
    campaign = db.session.get(Campaign, intake.campaign_id) if intake.campaign_id else None
    prereg = (db.session.get(PreRegistration, intake.preregistration_id)
              if intake.preregistration_id else None)
    return render_template(
        "goods/intake_view.html", intake=intake, campaign=campaign, prereg=prereg,
        receipt_url=receipt_url, reverse_form=reverse_form or ReverseForm(),
        condition_labels=CONDITION_LABELS, quantity_text=quantity_text,
        donor_label=donor_label,
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
    if form.validate_on_submit():
        try:
            run_transaction(db.session, lambda: reverse_intake(
                current_user, db.session, intake, form.reason.data))
        except PermissionDenied:
            abort(403)
        except DomainError as err:
            show_domain_error(form, err)
        else:
            flash(_("The intake was reversed: its goods are off the stock and its receipt is "
                    "void. Nothing was deleted."), "success")
            return redirect(url_for("intake.intake_view", intake_id=intake.id))
    return _render_intake(intake, form)


@bp.route("/")
@access("goods.view")
def intake_list():
    stmt = scope_points(current_user, sa.select(Intake), Intake.point_id,
                        Intake.organization_id)
    args = {"point": int_arg("point"), "from": date_arg("from"), "to": date_arg("to"),
            "donor": request.args.get("donor", "").strip()[:100]}
    if args["point"]:
        stmt = stmt.where(Intake.point_id == args["point"])
    if args["from"]:
        stmt = stmt.where(Intake.received_on >= args["from"])
    if args["to"]:
        stmt = stmt.where(Intake.received_on <= args["to"])
    if args["donor"]:
        stmt = stmt.join(Donor, Donor.id == Intake.donor_id).where(
            contains(Donor.name, args["donor"]))
    stmt = stmt.options(selectinload(Intake.point), selectinload(Intake.donor),
                        selectinload(Intake.receipt),
                        selectinload(Intake.lines).selectinload(IntakeLine.item_type))
    page = paginate(stmt.order_by(Intake.received_on.desc(), Intake.id.desc()))
    point_stmt = scope_points(current_user, sa.select(CharityPoint), CharityPoint.id,
                              CharityPoint.organization_id)
    filter_points = db.session.scalars(
        point_stmt.options(selectinload(CharityPoint.organization))
        .order_by(CharityPoint.organization_id, CharityPoint.name)).all()
    return render_template("goods/intake_list.html", page=page, args=args,
                           filter_points=filter_points, point_label=point_label,
                           quantity_text=quantity_text)
