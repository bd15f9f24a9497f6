"""Forms of the counter intake, the catalogue, stock targets and write-offs.

The intake lines are named `lines-<i>-item_type_id`, `lines-<i>-quantity` … exactly like the
intake service's error fields, so a refusal lands next to the input it concerns
(`IntakeForm.show_error`). Quantities and money are text: the services parse them as Decimal
(never through float).
"""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField,
                     RadioField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from charity.web.forms import choices, strip
from charity.goods.models import Condition, WriteOffReason
from charity.core.i18n import _l
from charity.web.access import show_domain_error

BLANK_LINES = 5  # lines a new intake form shows
MORE_LINES = 5  # lines the "more lines" button adds
MAX_LINES = 60

CONDITION_LABELS = {Condition.NEW.value: _l("New"), Condition.GOOD.value: _l("Good"),
                    Condition.USABLE.value: _l("Usable")}
WRITE_OFF_LABELS = {WriteOffReason.EXPIRED.value: _l("Expired"),
                    WriteOffReason.DAMAGED.value: _l("Damaged"),
                    WriteOffReason.UNUSABLE.value: _l("Unusable")}
DONOR_ANONYMOUS, DONOR_EXISTING, DONOR_NEW = "anonymous", "existing", "new"
DONOR_MODE_LABELS = {DONOR_ANONYMOUS: _l("Anonymous (爱心人士)"),
                     DONOR_EXISTING: _l("Known donor"), DONOR_NEW: _l("New donor")}
# Units offered as suggestions when a volunteer adds an item type.
COMMON_UNITS = ("件", "双", "套", "袋", "箱", "瓶", "包", "本", "台", "个", "条", "床", "盒",
                "桶", "kg", "斤", "升")

_LINE_FIELD = re.compile(r"^lines-(\d+)-(\w+)$")


def _blank_none(value):
    return None if value in (None, "") else value


class LineList(FieldList):
    """A FieldList that keeps the posted line numbers (WTForms would renumber a post with a
    gap, lines 0 and 2, and then pad by reading line 2 twice): every error names the input
    the user filled in."""

    def _compact_indices(self):
        pass


# --- intake ----------------------------------------------------------------------------------

class IntakeLineForm(Form):
    barcode = StringField(_l("Barcode"), validators=[Optional(), Length(max=64)],
                          filters=[strip])
    item_type_id = SelectField(_l("Item"), choices=[], default="", validate_choice=True)
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)],
                           filters=[strip])
    condition = SelectField(_l("Condition"), choices=choices(CONDITION_LABELS.items()),
                            default=Condition.GOOD.value)
    unit_value = StringField(_l("Unit value (yuan)"), validators=[Optional(), Length(max=20)],
                             filters=[strip])
    valuation_basis = StringField(_l("Valuation basis"),
                                  validators=[Optional(), Length(max=200)], filters=[strip])
    batch = StringField(_l("Batch"), validators=[Optional(), Length(max=64)], filters=[strip])
    production_date = DateField(_l("Production date"), validators=[Optional()])
    expiry_date = DateField(_l("Expiry date"), validators=[Optional()])
    inspected = BooleanField(_l("Inspected: packaging intact, within its date"))

    def validate_item_type_id(self, field):
        # A quantity without an item would otherwise be dropped silently.
        if not field.data and not self.barcode.data and (
                self.quantity.data or self.unit_value.data or self.batch.data):
            raise ValidationError(_l("Choose the item for this line."))

    def is_blank(self) -> bool:
        return not (self.item_type_id.data or self.barcode.data)


class IntakeForm(FlaskForm):
    submission_token = HiddenField()
    point_id = SelectField(_l("Charity point"), choices=[], validators=[DataRequired()])
    donor_mode = RadioField(_l("Donor"), choices=choices(DONOR_MODE_LABELS.items()),
                            default=DONOR_ANONYMOUS)
    donor_q = StringField(_l("Find a donor by name or phone"),
                          validators=[Optional(), Length(max=50)], filters=[strip])
    donor_id = SelectField(_l("Donor"), choices=[], default="", validate_choice=False)
    new_donor_name = StringField(_l("Donor's name"), validators=[Optional(), Length(max=200)],
                                 filters=[strip])
    new_donor_phone = StringField(_l("Donor's phone"), validators=[Optional(), Length(max=50)],
                                  filters=[strip])
    # Charity Law 2023 Art. 82: nothing is published without the donor's consent.
    publish_name = BooleanField(_l("The donor agrees to publish their name"), default=False)
    publish_contact = BooleanField(_l("The donor agrees to publish their contact details"),
                                   default=False)
    campaign_id = SelectField(_l("Campaign (optional)"), choices=[], default="",
                              validate_choice=False)
    preregistration_code = StringField(_l("Drop-off code (optional)"),
                                       validators=[Optional(), Length(max=16)],
                                       filters=[strip, lambda v: v.upper() if v else v])
    received_on = DateField(_l("Received on"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         filters=[strip])
    with_receipt = BooleanField(_l("Issue a receipt (捐赠票据)"), default=False)
    lines = LineList(FormField(IntakeLineForm), min_entries=BLANK_LINES, max_entries=MAX_LINES)
    # Adding a missing item type without leaving the form (posted with the button add_item).
    new_item_name = StringField(_l("Name of the new item"),
                                validators=[Optional(), Length(max=100)], filters=[strip])
    new_item_category_id = SelectField(_l("Category"), choices=[], default="",
                                       validate_choice=False)
    new_item_unit = StringField(_l("Unit"), validators=[Optional(), Length(max=16)],
                                filters=[strip])
    new_item_value = StringField(_l("Fair value per unit (yuan)"),
                                 validators=[Optional(), Length(max=20)], filters=[strip])
    new_item_barcode = StringField(_l("Barcode (optional)"),
                                   validators=[Optional(), Length(max=64)], filters=[strip])
    new_item_perishable = BooleanField(_l("Food with an expiry date"))

    NEW_ITEM_FIELDS = {"name": "new_item_name", "category_id": "new_item_category_id",
                       "unit": "new_item_unit", "default_fair_value": "new_item_value",
                       "barcode": "new_item_barcode"}
    NEW_DONOR_FIELDS = {"name": "new_donor_name", "phone": "new_donor_phone"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_errors: list = []
        self._item_choices: list = []
        self._index: list[int] = []

    # The services check that the donor and the campaign belong to the point's organisation;
    # here only that the posted values are ids at all.
    def validate_donor_id(self, field):
        if field.data and not (str(field.data).isdigit() and len(str(field.data)) < 10):
            raise ValidationError(_l("Choose the donor from the list."))

    def validate_campaign_id(self, field):
        if field.data and not (str(field.data).isdigit() and len(str(field.data)) < 10):
            raise ValidationError(_l("Choose a campaign from the list."))

    # --- choices -----------------------------------------------------------------------------

    def set_item_choices(self, item_choices) -> None:
        self._item_choices = list(item_choices)
        for entry in self.lines:
            entry.item_type_id.choices = self._item_choices

    def add_lines(self, n: int = MORE_LINES) -> None:
        for _ in range(min(n, MAX_LINES - len(self.lines))):
            entry = self.lines.append_entry()
            entry.item_type_id.choices = self._item_choices

    # --- service data and errors -------------------------------------------------------------

    def service_lines(self) -> list[dict]:
        """The filled-in lines in order; remembers which form line each one came from."""
        out, self._index = [], []
        for i, entry in enumerate(self.lines):
            if not entry.item_type_id.data:
                continue
            out.append({"item_type_id": entry.item_type_id.data,
                        "quantity": entry.quantity.data or "",
                        "condition": entry.condition.data or Condition.GOOD.value,
                        "unit_value": entry.unit_value.data or "",
                        "valuation_basis": entry.valuation_basis.data or "",
                        "batch": entry.batch.data or "",
                        "production_date": entry.production_date.data,
                        "expiry_date": entry.expiry_date.data,
                        "inspected": bool(entry.inspected.data)})
            self._index.append(i)
        return out

    def data_for_service(self, donor_id=None) -> dict:
        return {"donor_id": donor_id, "campaign_id": _blank_none(self.campaign_id.data),
                "preregistration_code": self.preregistration_code.data or None,
                "received_on": self.received_on.data, "note": self.note.data or "",
                "with_receipt": bool(self.with_receipt.data), "lines": self.service_lines()}

    def new_donor_data(self) -> dict:
        return {"kind": "person", "name": self.new_donor_name.data or "",
                "phone": self.new_donor_phone.data or "",
                "publish_name": bool(self.publish_name.data),
                "publish_contact": bool(self.publish_contact.data)}

    def new_item_data(self, perishable: bool) -> dict:
        return {"name": self.new_item_name.data or "",
                "category_id": self.new_item_category_id.data or "",
                "unit": self.new_item_unit.data or "",
                "default_fair_value": self.new_item_value.data or "",
                "barcode": self.new_item_barcode.data or "", "perishable": perishable}

    def clear_new_item(self) -> None:
        for name in ("new_item_name", "new_item_unit", "new_item_value", "new_item_barcode"):
            self[name].data = ""
            self[name].raw_data = None
        self.new_item_category_id.data = ""
        self.new_item_perishable.data = False

    def add_error(self, field, message) -> None:
        field.errors = [*field.errors, message]

    def show_error(self, error, rename: dict | None = None) -> None:
        """Put a service's refusal next to its field: a line's input, the lines, a renamed
        sub-form field (`rename`: service field → form field) or a header field."""
        match = _LINE_FIELD.match(error.field or "")
        if match:
            k, name = int(match.group(1)), match.group(2)
            i = self._index[k] if k < len(self._index) else k
            if i < len(self.lines.entries) and name in self.lines.entries[i]._fields:
                self.add_error(self.lines.entries[i][name], error.message)
                return
        if error.field == "lines":
            self.line_errors.append(error.message)
            return
        if rename is not None:
            target = rename.get(error.field or "")
            if target is not None:
                self.add_error(self[target], error.message)
                return
        show_domain_error(self, error)


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the correction"),
                           validators=[DataRequired(_l("Say why the document is corrected.")),
                                       Length(max=500)], filters=[strip])


# --- catalogue -------------------------------------------------------------------------------

class ItemTypeForm(FlaskForm):
    organization_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip])
    category_id = SelectField(_l("Category"), choices=[], validators=[DataRequired()])
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=16)],
                       filters=[strip], description=_l("e.g. 件, 袋, kg"))
    countable = BooleanField(_l("Counted in whole numbers"), default=True)
    default_fair_value = StringField(_l("Default fair value per unit (yuan)"),
                                     validators=[Optional(), Length(max=20)], filters=[strip],
                                     description=_l("Prefilled at intake; the basis of "
                                                    "receipts."))
    point_price = StringField(_l("Price in love points (爱心积分)"),
                              validators=[Optional(), Length(max=7)], filters=[strip])
    sale_price = StringField(_l("Charity-sale price (yuan)"),
                             validators=[Optional(), Length(max=20)], filters=[strip])
    perishable = BooleanField(_l("Food with an expiry date (checked at intake)"))
    barcode = StringField(_l("Barcode"), validators=[Optional(), Length(max=64)],
                          filters=[strip])
    monthly_limit = StringField(_l("Most a household may receive per month"),
                                validators=[Optional(), Length(max=12)], filters=[strip],
                                description=_l("Empty: no limit."))

    def validate_monthly_limit(self, field):
        from decimal import Decimal, InvalidOperation

        if not field.data:
            return
        try:
            value = Decimal(field.data)
        except InvalidOperation:
            raise ValidationError(_l("Enter a number.")) from None
        if not value.is_finite() or value <= 0 or value > 100000 \
                or value.as_tuple().exponent < -3:
            raise ValidationError(_l("Enter a quantity greater than zero."))

    def data_for_service(self) -> dict:
        return {"name": self.name.data, "category_id": self.category_id.data,
                "unit": self.unit.data, "countable": bool(self.countable.data),
                "default_fair_value": self.default_fair_value.data or "",
                "point_price": self.point_price.data or "0",
                "sale_price": self.sale_price.data or "",
                "perishable": bool(self.perishable.data), "barcode": self.barcode.data or "",
                "monthly_limit": self.monthly_limit.data or ""}


class RefusedGoodForm(FlaskForm):
    organization_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    name = StringField(_l("Goods not accepted"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip], description=_l("e.g. 内衣, 开封食品, 过期药品"))
    reason = TextAreaField(_l("Reason told to the donor"),
                           validators=[DataRequired(), Length(max=300)], filters=[strip])


# --- stock -----------------------------------------------------------------------------------

class StockTargetForm(FlaskForm):
    point_id = HiddenField()
    item_type_id = SelectField(_l("Item"), choices=[], validators=[DataRequired()],
                               validate_choice=False)
    wanted = StringField(_l("Wanted on hand"), validators=[DataRequired(), Length(max=12)],
                         filters=[strip], description=_l("0 removes the item from the "
                                                         "needs list."))


class WriteOffForm(FlaskForm):
    submission_token = HiddenField()
    point_id = SelectField(_l("Charity point"), choices=[], validators=[DataRequired()])
    reason = SelectField(_l("Reason"), choices=choices(WRITE_OFF_LABELS.items()),
                         default=WriteOffReason.EXPIRED.value, validators=[DataRequired()])
    item_type_id = SelectField(_l("Item"), choices=[], validators=[DataRequired()],
                               validate_choice=False)
    batch = SelectField(_l("Batch"), choices=[], default="", validate_choice=False)
    quantity = StringField(_l("Quantity"), validators=[DataRequired(), Length(max=20)],
                           filters=[strip])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=300)],
                         filters=[strip])

    def data_for_service(self) -> dict:
        return {"reason": self.reason.data, "item_type_id": self.item_type_id.data,
                "batch": self.batch.data or "", "quantity": self.quantity.data or "",
                "note": self.note.data or ""}


# --- public drop-off pre-registration --------------------------------------------------------

class DropoffForm(FlaskForm):
    submission_token = HiddenField()
    point_id = SelectField(_l("Where will you bring it?"), choices=[],
                           validators=[DataRequired(_l("Choose a charity point."))])
    donor_name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=100)],
                             filters=[strip])
    donor_phone = StringField(_l("Your phone (optional)"),
                              validators=[Optional(), Length(max=50)], filters=[strip])
    items = TextAreaField(_l("What will you bring?"),
                          validators=[DataRequired(_l("Say what you will bring.")),
                                      Length(max=2000)], filters=[strip],
                          description=_l("e.g. 2 bags of winter clothes, 10 children's books"))
    expected_on = DateField(_l("When do you expect to come? (optional)"),
                            validators=[Optional()])
    wants_receipt = BooleanField(_l("I would like a donation receipt"), default=True)
    # A honeypot: hidden from people by the stylesheet, filled in by form-filling robots.
    website = StringField(_l("Leave this field empty"), filters=[strip])

    def data_for_service(self) -> dict:
        return {"donor_name": self.donor_name.data or "",
                "donor_phone": self.donor_phone.data or "", "items": self.items.data or "",
                "expected_on": self.expected_on.data,
                "wants_receipt": bool(self.wants_receipt.data)}
