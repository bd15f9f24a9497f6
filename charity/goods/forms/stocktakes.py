"""Forms of the stocktake screens: starting a count sheet, counting, approving.

The count sheet's entries are matched to its lines by line id, never by position, so a line
added meanwhile cannot shift the counts.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from charity.web.forms import PostingForm
from charity.core.i18n import _l
from charity.goods.forms.lines import (MAX_LINES, MORE_LINES, LineErrors, item_needed,
                                       item_unit_choices, mark, select_id, unit_field)
from charity.goods.quantities import plain_qty
from charity.web.forms import strip

BLANK_EXTRA = 3  # rows for items found on the shelf but missing from the count sheet


class StartStocktakeForm(LineErrors, PostingForm):
    point_id = SelectField(_l("Charity point"), coerce=select_id, validate_choice=False)
    category_id = SelectField(_l("Category"), coerce=select_id, validate_choice=False,
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
    unit_id = unit_field()


class ExtraLineForm(Form):
    item_type_id = SelectField(_l("Item"), coerce=select_id, validate_choice=False,
                               validators=[item_needed])
    batch = StringField(_l("Batch"), validators=[Optional(), Length(max=64)], filters=[strip])
    quantity = StringField(_l("Counted"), validators=[Length(max=32), _count],
                           filters=[strip])
    unit_id = unit_field()


class CountForm(LineErrors, PostingForm):
    lines = FieldList(FormField(CountLineForm), max_entries=5000)
    extra = FieldList(FormField(ExtraLineForm), min_entries=BLANK_EXTRA, max_entries=MAX_LINES)

    def match(self, lines, counted_ids: set[int], fresh: bool) -> list:
        """(line, its form entry) in sheet order. A `fresh` sheet shows the counts entered
        so far and empty inputs for the lines nobody counted (a blind count)."""
        if fresh:
            for line in lines:
                self.lines.append_entry({"line_id": line.id, "counted": plain_qty(line.counted)
                                         if line.id in counted_ids else ""})
        by_line = {}
        for entry in self.lines:
            try:
                by_line.setdefault(int(entry.line_id.data), entry)
            except (TypeError, ValueError):
                continue
        self.rows = []
        for line in lines:
            entry = by_line.get(line.id)
            if entry is None:
                entry = self.lines.append_entry({"line_id": line.id, "counted": ""})
            entry.unit_id.choices = item_unit_choices(line.item_type)
            self.rows.append((line, entry))
        return self.rows

    def add_extra_rows(self) -> None:
        for _i in range(min(MORE_LINES, MAX_LINES - len(self.extra))):
            self.extra.append_entry()

    def counts(self) -> dict:
        """line id → the count typed in (lines left empty are not counted)."""
        return {line.id: entry.counted.data for line, entry in self.rows if entry.counted.data}

    def units(self) -> dict:
        """line id → the packaging unit its count is typed in ('' for the base unit)."""
        return {line.id: entry.unit_id.data for line, entry in self.rows}

    def extras(self) -> list[dict]:
        return [{"item_type_id": e.item_type_id.data, "batch": e.batch.data or "",
                 "quantity": e.quantity.data or "", "unit_id": e.unit_id.data}
                for e in self.extra]

    def rename_field(self, name: str) -> str:
        """The service names a sheet line by its id ("line-<id>"), an extra row by position."""
        kind, _sep, rest = name.partition("-")
        entries = {line.id: entry for line, entry in self.rows}
        if kind == "line" and rest.isdigit() and int(rest) in entries:
            return f"lines-{self.lines.entries.index(entries[int(rest)])}-counted"
        if kind == "extra" and rest.isdigit():
            return f"extra-{rest}-quantity"
        return name

    def show_error(self, error) -> None:
        uncounted = getattr(error, "line_ids", None)  # submitting with lines not counted
        if uncounted is None:
            super().show_error(error)
            return
        for line, entry in self.rows:
            if line.id in uncounted:
                mark(entry.counted, _("Not counted yet."))
        self.form_errors.append(error.message)


class ApproveForm(PostingForm):
    """Approve a submitted count sheet (the button's one-time token)."""
