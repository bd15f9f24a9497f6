"""Forms of the transfer and stocktake screens, and putting a service's refusal next to the
right line.

Select fields that name a point or an item do not check their choice themselves
(`validate_choice=False`): the goods services decide, so an unknown or foreign id is answered
with the service's message next to the field. Quantities are text (never floats); the
services parse them as Decimal.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, HiddenField, SelectField, StringField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from charity.web.forms import strip
from charity.core.i18n import _l

BLANK_LINES = 5  # blank lines a new transfer starts with
BLANK_EXTRA = 3  # rows for items found on the shelf but missing from the count sheet
MORE_LINES = 5  # added by the "more lines" button
MAX_LINES = 60


def _id(value) -> str:
    """Select values as text; a missing value is '' (not 'None')."""
    return "" if value is None or value == "None" else str(value)


def plain_qty(value) -> str:
    """A quantity as typed in an input: 12, 2.5 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


# --- putting errors next to lines ------------------------------------------------------------

_LINE_FIELD = re.compile(r"^([a-z_]+)-(\d+)-([a-z_]+)$")


def field_for(form, name: str | None):
    """The field a service names: 'to_point_id', or 'lines-2-quantity' inside a FieldList."""
    if not name:
        return None
    match = _LINE_FIELD.match(name)
    if match:
        entries = getattr(form, match[1], None)
        index = int(match[2])
        if entries is None or not hasattr(entries, "entries") or index >= len(entries.entries):
            return None
        return entries[index].form._fields.get(match[3])
    field = form._fields.get(name)
    return field


def show_line_error(form, error, rename=None) -> None:
    """Like `charity.web.access.show_domain_error`, but finds fields of lines too (and does not
    flash: the form shows its own errors on top). `rename` maps the service's field name to
    the form's (e.g. line id → line index)."""
    name = error.field
    if name and rename is not None:
        name = rename(name)
    field = field_for(form, name)
    if field is None:
        form.form_errors.append(error.message)
        return
    field.errors = [*field.errors, error.message]
    if "-" in (name or ""):
        # Lines are long on a phone: say at the top that one of them needs attention.
        form.form_errors.append(_l("Please correct the marked lines."))


def mark(field, message) -> None:
    field.errors = [*field.errors, message]


# --- transfers -------------------------------------------------------------------------------

def _item_needed(form, field):
    if not field.data and form.quantity.data:
        raise ValidationError(_l("Choose an item."))


class TransferLineForm(Form):
    item_type_id = SelectField(_l("Item"), coerce=_id, validate_choice=False,
                               validators=[_item_needed])
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=32)],
                           filters=[strip])
    batch = StringField(_l("Batch"), validators=[Optional(), Length(max=64)], filters=[strip],
                        description=_l("Leave empty to send the oldest first."))


class TransferForm(FlaskForm):
    submission_token = HiddenField()
    from_point_id = SelectField(_l("From point"), coerce=_id, validate_choice=False)
    to_point_id = SelectField(_l("To point"), coerce=_id, validate_choice=False)
    sent_on = DateField(_l("Sent on"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)],
                         filters=[strip],
                         description=_l("e.g. who carries the goods, vehicle."))
    lines = FieldList(FormField(TransferLineForm), min_entries=BLANK_LINES,
                      max_entries=MAX_LINES)

    def lines_for_service(self) -> tuple[list[dict], list[int]]:
        """The filled lines, and for each the index of its line on the form (the service
        numbers the lines it is given, skipping none)."""
        lines, positions = [], []
        for index, entry in enumerate(self.lines):
            if not entry.item_type_id.data:
                continue
            lines.append({"item_type_id": entry.item_type_id.data,
                          "quantity": entry.quantity.data or "",
                          "batch": entry.batch.data or None})
            positions.append(index)
        return lines, positions


class ReceiveLineForm(Form):
    quantity = StringField(_l("Received"), validators=[Length(max=32)], filters=[strip])
    loss_reason = StringField(_l("What happened to the missing goods"),
                              validators=[Optional(), Length(max=300)], filters=[strip])


class ReceiveForm(FlaskForm):
    submission_token = HiddenField()
    lines = FieldList(FormField(ReceiveLineForm), max_entries=MAX_LINES * 10)


# --- stocktakes ------------------------------------------------------------------------------

class StartStocktakeForm(FlaskForm):
    submission_token = HiddenField()
    point_id = SelectField(_l("Charity point"), coerce=_id, validate_choice=False)
    category_id = SelectField(_l("Category"), coerce=_id, validate_choice=False,
                              description=_l("Leave empty to count the whole point."))


def _count(form, field):
    """A count is empty (not counted yet) or a number of at least zero."""
    if not field.data:
        return
    try:
        value = Decimal(field.data)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise ValidationError(_l("Enter the number counted (0 if there is none)."))


class CountLineForm(Form):
    line_id = HiddenField()
    counted = StringField(_l("Counted"), validators=[Length(max=32), _count], filters=[strip])


class ExtraLineForm(Form):
    item_type_id = SelectField(_l("Item"), coerce=_id, validate_choice=False,
                               validators=[_item_needed])
    batch = StringField(_l("Batch"), validators=[Optional(), Length(max=64)], filters=[strip])
    quantity = StringField(_l("Counted"), validators=[Length(max=32), _count],
                           filters=[strip])


class CountForm(FlaskForm):
    submission_token = HiddenField()
    lines = FieldList(FormField(CountLineForm), max_entries=5000)
    extra = FieldList(FormField(ExtraLineForm), min_entries=BLANK_EXTRA, max_entries=MAX_LINES)


class ApproveForm(FlaskForm):
    submission_token = HiddenField()
