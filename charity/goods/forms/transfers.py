"""Forms of the transfer screens: sending goods to another point, receiving them.

Select fields that name a point or an item do not check their choice themselves
(`validate_choice=False`): the goods services decide, so an unknown or foreign id is answered
with the service's message next to the field. Quantities are text (never floats); the
services parse them as Decimal.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from charity.core.i18n import _l
from charity.goods.forms.lines import (
    BLANK_LINES,
    MAX_LINES,
    MORE_LINES,
    LineErrors,
    item_needed,
    mark,
    item_unit_choices,
    select_id,
    unit_field,
)
from charity.goods.quantities import plain_qty
from charity.web.forms import PostingForm, strip


class TransferLineForm(Form):
    item_type_id = SelectField(_l("Item"), coerce=select_id, validate_choice=False,
                               validators=[item_needed])
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=32)],
                           filters=[strip])
    unit_id = unit_field()
    batch = StringField(_l("Batch"), validators=[Optional(), Length(max=64)], filters=[strip],
                        description=_l("Leave empty to send the oldest first."))


class TransferForm(LineErrors, PostingForm):
    from_point_id = SelectField(_l("From point"), coerce=select_id, validate_choice=False)
    to_point_id = SelectField(_l("To point"), coerce=select_id, validate_choice=False)
    sent_on = DateField(_l("Sent on"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)],
                         filters=[strip],
                         description=_l("e.g. who carries the goods, vehicle."))
    lines = FieldList(FormField(TransferLineForm), min_entries=BLANK_LINES,
                      max_entries=MAX_LINES)

    def add_lines(self) -> None:
        for _i in range(min(MORE_LINES, MAX_LINES - len(self.lines))):
            self.lines.append_entry()

    def show_lines(self, wanted: int) -> None:
        """At least `wanted` lines (a link may ask for more than the blank ones)."""
        while len(self.lines) < min(wanted, MAX_LINES):
            self.lines.append_entry()

    def data_for_service(self) -> dict:
        """The header and the filled lines; remembers for each line the index of its line
        on the form (the service numbers the lines it is given, skipping none)."""
        lines, self._positions = [], []
        for index, entry in enumerate(self.lines):
            if not entry.item_type_id.data:
                continue
            lines.append({"item_type_id": entry.item_type_id.data,
                          "quantity": entry.quantity.data or "",
                          "unit_id": entry.unit_id.data, "batch": entry.batch.data or None})
            self._positions.append(index)
        return {"to_point_id": self.to_point_id.data, "sent_on": self.sent_on.data,
                "note": self.note.data, "lines": lines}

    def rename_field(self, name: str) -> str:
        parts = name.split("-")
        positions = getattr(self, "_positions", [])
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() \
                and int(parts[1]) < len(positions):
            return f"lines-{positions[int(parts[1])]}-{parts[2]}"
        return name

    def show_error(self, error) -> None:
        if error.field == "lines":  # no line filled in
            mark(self.lines[0].item_type_id, error.message)
            self.form_errors.append(error.message)
        else:
            super().show_error(error)


class ReceiveLineForm(Form):
    quantity = StringField(_l("Received"), validators=[Length(max=32)], filters=[strip])
    unit_id = unit_field()
    loss_reason = StringField(_l("What happened to the missing goods"),
                              validators=[Optional(), Length(max=300)], filters=[strip])


class ReceiveForm(LineErrors, PostingForm):
    """One entry per line of the transfer, prefilled with what was sent."""

    lines = FieldList(FormField(ReceiveLineForm), max_entries=MAX_LINES * 10)

    def match(self, lines) -> list:
        """An entry for every line of the transfer; (line, entry) pairs in order."""
        self._line_index = {line.id: i for i, line in enumerate(lines)}
        while len(self.lines) < len(lines):
            self.lines.append_entry({"quantity": plain_qty(lines[len(self.lines)].quantity_sent)})
        for line, entry in zip(lines, self.lines):
            entry.unit_id.choices = item_unit_choices(line.item_type)
        return list(zip(lines, self.lines))

    def received(self, lines) -> dict:
        """line id → what the form says arrived; '0' (any spelling) is nothing arrived."""
        out = {}
        for line, entry in zip(lines, self.lines):
            raw = entry.quantity.data or ""
            try:
                if raw and Decimal(raw) == 0:
                    raw = Decimal("0")
            except InvalidOperation:
                pass
            out[line.id] = {"quantity": raw, "loss_reason": entry.loss_reason.data or "",
                            "unit_id": entry.unit_id.data}
        return out

    def rename_field(self, name: str) -> str:
        """The service names a line by its id ("line-<id>-quantity"), the form by position."""
        parts = name.split("-")
        index = getattr(self, "_line_index", {})
        if len(parts) == 3 and parts[0] == "line" and parts[1].isdigit() \
                and int(parts[1]) in index:
            return f"lines-{index[int(parts[1])]}-{parts[2]}"
        return name
