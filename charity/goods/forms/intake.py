"""The counter intake form, and what its buttons do to it before anything is posted.

The intake lines are named `lines-<i>-item_type_id`, `lines-<i>-quantity` … exactly like the
intake service's error fields, so a refusal lands next to the input it concerns
(`IntakeForm.show_error`). Quantities and money are text: the services parse them as Decimal
(never through float).
"""
from __future__ import annotations

from flask_babel import gettext as _
from wtforms import (
    BooleanField,
    DateField,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from charity.core.i18n import _l
from charity.goods.forms.lines import (COUNTER_LINES, MAX_LINES, CounterLines, LineList, mark,
                                       unit_field)
from charity.goods.models import Condition
from charity.goods.queries.counter import id_of
from charity.goods.services.intake import NEW_DONOR, donor_from_preregistration
from charity.web.access import parse_id
from charity.web.forms import PostingForm, choices, scan_attrs, strip

CONDITION_LABELS = {Condition.NEW.value: _l("New"), Condition.GOOD.value: _l("Good"),
                    Condition.USABLE.value: _l("Usable")}
DONOR_ANONYMOUS, DONOR_EXISTING, DONOR_NEW = "anonymous", "existing", "new"
DONOR_MODE_LABELS = {DONOR_ANONYMOUS: _l("Anonymous (爱心人士)"),
                     DONOR_EXISTING: _l("Known donor"), DONOR_NEW: _l("New donor")}
# Units offered as suggestions when a volunteer adds an item type.
COMMON_UNITS = ("件", "双", "套", "袋", "箱", "瓶", "包", "本", "台", "个", "条", "床", "盒",
                "桶", "kg", "斤", "升")
# The valuation basis written when the catalogue's fair value is taken over. It is stored
# with the intake and printed on receipts, which are Chinese documents: so it is data in
# Chinese, not a translated UI string.
CATALOGUE_BASIS = "目录参考价"


def _blank_none(value):
    return None if value in (None, "") else value


def item_choices(items) -> list[SelectChoice]:
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


class IntakeLineForm(Form):
    barcode = StringField(_l("Barcode"), validators=[Optional(), Length(max=64)],
                          filters=[strip], render_kw=scan_attrs("ean"))
    item_type_id = SelectField(_l("Item"), choices=[], default="", validate_choice=True)
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)],
                           filters=[strip])
    unit_id = unit_field()
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


class IntakeForm(CounterLines, PostingForm):
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
                                       filters=[strip, lambda v: v.upper() if v else v],
                                       render_kw=scan_attrs("code", param="code"))
    received_on = DateField(_l("Received on"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         filters=[strip])
    # On by default (issue 15): a known donor gets a receipt unless the volunteer switches
    # it off; an anonymous gift gets none, whatever the switch says.
    with_receipt = BooleanField(_l("Issue a receipt (捐赠票据)"), default=True,
                                description=_l("Only for a known donor; switch off if the "
                                               "donor does not want one."))
    lines = LineList(FormField(IntakeLineForm), min_entries=COUNTER_LINES, max_entries=MAX_LINES)
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
                                   validators=[Optional(), Length(max=64)], filters=[strip],
                                   render_kw=scan_attrs("ean"))
    new_item_perishable = BooleanField(_l("Food with an expiry date"))

    NEW_ITEM_FIELDS = {"name": "new_item_name", "category_id": "new_item_category_id",
                       "unit": "new_item_unit", "default_fair_value": "new_item_value",
                       "barcode": "new_item_barcode"}
    NEW_DONOR_FIELDS = {"name": "new_donor_name", "phone": "new_donor_phone"}

    # The services check that the donor and the campaign belong to the point's organisation;
    # here only that the posted values are ids at all.
    def validate_donor_id(self, field):
        if field.data and parse_id(str(field.data)) is None:
            raise ValidationError(_l("Choose the donor from the list."))

    def validate_campaign_id(self, field):
        if field.data and parse_id(str(field.data)) is None:
            raise ValidationError(_l("Choose a campaign from the list."))

    # --- service data and errors -------------------------------------------------------------

    def service_lines(self) -> list[dict]:
        """The filled-in lines in order; remembers which form line each one came from."""
        return self.filled_lines(lambda entry: {
            "item_type_id": entry.item_type_id.data, "quantity": entry.quantity.data or "",
            "unit_id": entry.unit_id.data,
            "condition": entry.condition.data or Condition.GOOD.value,
            "unit_value": entry.unit_value.data or "",
            "valuation_basis": entry.valuation_basis.data or "",
            "batch": entry.batch.data or "", "production_date": entry.production_date.data,
            "expiry_date": entry.expiry_date.data, "inspected": bool(entry.inspected.data)})

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

    def new_item_data(self) -> dict:
        return {"name": self.new_item_name.data or "",
                "category_id": self.new_item_category_id.data or "",
                "unit": self.new_item_unit.data or "",
                "default_fair_value": self.new_item_value.data or "",
                "barcode": self.new_item_barcode.data or "",
                "perishable": bool(self.new_item_perishable.data)}

    def donor_for_service(self) -> tuple[str | None, dict | None]:
        """(the known donor's id, the new donor's data): at most one of them."""
        if self.donor_mode.data == DONOR_NEW:
            return None, self.new_donor_data()
        return (self.donor_id.data if self.donor_mode.data == DONOR_EXISTING else None), None

    def clear_new_item(self) -> None:
        for name in ("new_item_name", "new_item_unit", "new_item_value", "new_item_barcode"):
            self[name].data = ""
            self[name].raw_data = None
        self.new_item_category_id.data = ""
        self.new_item_perishable.data = False

    def add_error(self, field, message) -> None:
        mark(field, message)

    def show_error(self, error, rename: dict | None = None) -> None:
        """Put a service's refusal next to its field: a renamed sub-form field (`rename`:
        service field → form field), the new donor's input, a line's input, the lines or a
        header field."""
        name = error.field or ""
        target = (rename or {}).get(name)
        if target is None and name.startswith(NEW_DONOR):
            target = self.NEW_DONOR_FIELDS.get(name.removeprefix(NEW_DONOR), "new_donor_name")
        if target is not None:
            self.add_error(self[target], error.message)
            return
        super().show_error(error)

    # --- the counter's buttons (nothing is posted) -------------------------------------------

    def start(self, point, today, donor_q: str = "", prereg=None, code: str = "") -> None:
        """The form as the counter opens it: a new token, the point, today; a donor search
        and a drop-off code from the address (a registered drop-off prefills its donor)."""
        self.point_id.data = str(point.id) if point else ""
        self.received_on.data = today
        if donor_q:
            self.donor_q.data = donor_q.strip()[:50]
            self.donor_mode.data = DONOR_EXISTING
        if prereg is not None:
            self.preregistration_code.data = prereg.code
            donor = donor_from_preregistration(prereg)
            if donor is not None:
                self.donor_mode.data = DONOR_NEW
                self.new_donor_name.data = donor["name"]
                self.new_donor_phone.data = donor["phone"]
                self.with_receipt.data = True
                self.donor_q.data = self.donor_q.data or donor["phone"] or donor["name"]
        elif code:
            self.preregistration_code.data = code.strip().upper()[:16]

    def resolve_barcodes(self, lookup, items_by_id: dict) -> bool:
        """Lines with a barcode get their item (`lookup(code)`); an unknown barcode is
        answered next to it. Returns False when a barcode could not be resolved."""
        ok = True
        for entry in self.lines:
            code = entry.barcode.data
            if not code:
                continue
            item = lookup(code)
            if item is None:
                self.add_error(entry.barcode, _("No item has the barcode %(code)s. Choose the "
                                                "item or add it below.", code=code))
                ok = False
            elif entry.item_type_id.data and entry.item_type_id.data != str(item.id):
                self.add_error(entry.barcode, _("This barcode belongs to %(name)s.",
                                                name=item.name))
                ok = False
            else:
                entry.item_type_id.data = str(item.id)
                items_by_id.setdefault(item.id, item)
        return ok

    def prefill_values(self, items_by_id: dict) -> None:
        """A line without a unit value takes the catalogue's fair value, and says so."""
        for entry in self.lines:
            item = items_by_id.get(id_of(entry.item_type_id.data))
            if item is None or entry.unit_value.data or item.default_fair_value is None:
                continue
            entry.unit_value.data = format(item.default_fair_value, "f")
            if not entry.valuation_basis.data:
                entry.valuation_basis.data = CATALOGUE_BASIS

    def check_donor(self) -> bool:
        mode = self.donor_mode.data
        if mode == DONOR_EXISTING and not self.donor_id.data:
            self.add_error(self.donor_id, _("Choose the donor, or find them by name or phone."))
            return False
        if mode == DONOR_NEW and not self.new_donor_name.data:
            self.add_error(self.new_donor_name, _("Enter the donor's name."))
            return False
        return True

    def place_new_item(self, item) -> None:
        """Put a just-added item type on the line whose barcode it carries, else on the first
        empty line (a new one if none is left), and empty the "new item" sub-form."""
        target = None
        if item.barcode:
            target = next((e for e in self.lines if e.barcode.data == item.barcode
                           and not e.item_type_id.data), None)
        if target is None:
            target = next((e for e in self.lines if e.is_blank()), None)
        if target is None:
            self.add_lines(1)
            target = self.lines.entries[-1]
        target.item_type_id.data = str(item.id)
        self.clear_new_item()

    def offer_donors(self, chosen, matches: list, label, choose_only_match: bool) -> None:
        """The donor select: the chosen donor and the search's matches, labelled by `label`;
        with `choose_only_match`, a single match is chosen."""
        shown = ([chosen] if chosen else []) + [
            d for d in matches if chosen is None or d.id != chosen.id]
        self.donor_id.choices = choices([("", "—")] + [(str(d.id), label(d)) for d in shown])
        if choose_only_match and len(matches) == 1 and not self.donor_id.data:
            self.donor_id.data = str(matches[0].id)

    def offer_unknown_barcode(self) -> None:
        """The barcode nobody knew is offered to the "new item" sub-form."""
        if not self.new_item_barcode.data:
            self.new_item_barcode.data = next((e.barcode.data for e in self.lines
                                               if e.barcode.data and e.barcode.errors), "")

    def food_open(self, line, items_by_id: dict) -> bool:
        """Show a line's food fields: a perishable item, something typed there, or an error."""
        item = items_by_id.get(id_of(line.item_type_id.data))
        fields = (line.batch, line.production_date, line.expiry_date, line.inspected)
        return bool((item is not None and item.perishable)
                    or any(f.errors for f in fields)
                    or line.batch.data or line.inspected.data
                    or any(f.raw_data and f.raw_data[0] for f in (line.production_date,
                                                                   line.expiry_date))
                    or line.production_date.data or line.expiry_date.data)
