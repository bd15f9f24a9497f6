"""What the goods forms with lines share: how many lines they show, keeping the posted line
numbers, and putting a service's refusal next to the input it concerns.

Services name a line's field `lines-<i>-<field>` (i counts the filled-in lines) or, for lines
of a stored document, `line-<id>-<field>`; the forms map those names onto their own inputs.
"""
from __future__ import annotations

import re

from wtforms import FieldList, SelectChoice, SelectField
from wtforms.validators import ValidationError

from charity.core.i18n import _l
from charity.goods.quantities import unit_label
from charity.web.access import show_domain_error

BLANK_LINES = 5  # lines a new transfer form shows
MORE_LINES = 5  # lines its "more lines" button adds
# The counter forms (intake, distribution, sale) start with one line and grow one at a time
# ("add line" beside the lines): five empty lines made the intake form 3,700 px tall on a
# phone (issue 15).
COUNTER_LINES = 1
MAX_LINES = 60

_COUNTER_FIELD = re.compile(r"^lines-(\d+)-(\w+)$")
_LINE_FIELD = re.compile(r"^([a-z_]+)-(\d+)-([a-z_]+)$")


def select_id(value) -> str:
    """Select values as text; a missing value is '' (not 'None')."""
    return "" if value is None or value == "None" else str(value)


def unit_field():
    """The unit a line's quantity is typed in: '' (the item's base unit) or one of its
    packaging units; the services check that it is the line's item's (issue 20 §2)."""
    return SelectField(_l("Unit"), coerce=select_id, choices=[], default="",
                       validate_choice=False)


def unit_choices(pairs) -> list[SelectChoice]:
    """The options of a unit select for lines whose item is chosen on the form: the base unit
    and every (packaging unit, item) pair, each marked with its item (static/js/units.js
    shows those of the chosen item). No options when no item has a packaging unit."""
    pairs = list(pairs)
    if not pairs:
        return []
    return [SelectChoice("", _l("base unit")), *(
        SelectChoice(str(unit.id), f"{unit_label(unit, item)} · {item.name}",
                     render_kw={"data-item": str(item.id)}) for unit, item in pairs)]


def item_unit_choices(item) -> list[SelectChoice]:
    """The options of a unit select for a line of a known item (count sheet, receiving)."""
    if not item.units:
        return []
    return [SelectChoice("", item.unit),
            *(SelectChoice(str(u.id), unit_label(u, item)) for u in item.units)]


def units_of(items) -> list[tuple]:
    """(packaging unit, item) of the items, for `unit_choices`."""
    return [(unit, item) for item in items for unit in item.units]


def set_unit_choices(entries, options) -> None:
    """Units for lines that have a unit select (a box is packed in base units: it has none)."""
    for entry in entries:
        if hasattr(entry, "unit_id"):
            entry.unit_id.choices = options


def item_needed(form, field):
    if not field.data and form.quantity.data:
        raise ValidationError(_l("Choose an item."))


def mark(field, message) -> None:
    field.errors = [*field.errors, message]


class LineList(FieldList):
    """A FieldList that keeps the posted line numbers. WTForms renumbers the posted entries
    from 0 and then pads to `min_entries` by reading the form data again, so a post with a
    gap (lines 0 and 2) would yield line 2 twice; kept as posted, padding starts after the
    last posted line and every error names the input the user filled in."""

    def _compact_indices(self):
        pass


class CounterLines:
    """Mixin of the counter forms (intake, distribution, sale): item choices for every line,
    more lines on demand, the filled-in lines for the service, and its refusals shown next to
    the line they concern (the service numbers only the filled-in lines)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_errors: list = []  # refusals about the lines as a whole (e.g. points)
        self._item_choices: list = []
        self._unit_choices: list = []
        self._index: list[int] = []

    def set_item_choices(self, item_choices, units=()) -> None:
        """The items the lines offer and, `units` being (packaging unit, item) pairs, the
        units their quantities may be typed in."""
        self._item_choices = list(item_choices)
        self._unit_choices = unit_choices(units)
        for entry in self.lines:
            entry.item_type_id.choices = self._item_choices
        set_unit_choices(self.lines, self._unit_choices)

    def add_lines(self, n: int = COUNTER_LINES) -> None:
        for _ in range(min(n, MAX_LINES - len(self.lines))):
            entry = self.lines.append_entry()
            entry.item_type_id.choices = self._item_choices
            set_unit_choices([entry], self._unit_choices)

    def filled_lines(self, line) -> list[dict]:
        """`line(entry)` for each line that names an item, in order; remembers which form
        line each one came from."""
        out, self._index = [], []
        for i, entry in enumerate(self.lines):
            if entry.item_type_id.data:
                out.append(line(entry))
                self._index.append(i)
        return out

    def show_error(self, error) -> None:
        """Put a service's refusal next to its field: a line's input, the lines, or a header
        field (`charity.web.access.show_domain_error`)."""
        match = _COUNTER_FIELD.match(error.field or "")
        if match:
            k, name = int(match.group(1)), match.group(2)
            i = self._index[k] if k < len(self._index) else k
            if i < len(self.lines.entries) and name in self.lines.entries[i]._fields:
                mark(self.lines.entries[i][name], error.message)
                return
        if error.field == "lines":
            self.line_errors.append(error.message)
            return
        show_domain_error(self, error)


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
    return form._fields.get(name)


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
    mark(field, error.message)
    if "-" in (name or ""):
        # Lines are long on a phone: say at the top that one of them needs attention.
        form.form_errors.append(_l("Please correct the marked lines."))


class LineErrors:
    """Mixin of the transfer and stocktake forms: a refusal goes where `show_line_error`
    finds its field, after `rename_field` (by default none)."""

    def rename_field(self, name: str) -> str:
        return name

    def show_error(self, error) -> None:
        show_line_error(self, error, self.rename_field)
