"""Counter forms: handing goods to a household and a charity sale.

Both are a header plus a fixed number of blank lines. The line fields are named
`lines-<i>-item_type_id`, `lines-<i>-quantity` … exactly like the services' error fields,
so a refusal lands next to the input it concerns (`CounterForm.show_error`).
"""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (DateField, FieldList, Form, FormField, HiddenField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from charity.web.forms import choices, strip
from charity.core.i18n import _l
from charity.web.access import show_domain_error

BLANK_LINES = 5  # lines a new form shows
MORE_LINES = 5  # lines the "more lines" button adds
MAX_LINES = 60
PAYMENT_LABELS = {"cash": _l("Cash"), "wechat": _l("WeChat Pay"), "alipay": _l("Alipay"),
                  "bank_transfer": _l("Bank transfer"), "other": _l("Other")}
_LINE_FIELD = re.compile(r"^lines-(\d+)-(\w+)$")


class _LineForm(Form):
    item_type_id = SelectField(_l("Item"), choices=[], default="", validate_choice=True)
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)],
                           filters=[strip])
    batch = StringField(_l("Batch"), validators=[Optional(), Length(max=64)], filters=[strip])

    def validate_item_type_id(self, field):
        # A quantity without an item would otherwise be dropped silently.
        if not field.data and (self.quantity.data or self.batch.data):
            raise ValidationError(_l("Choose the item for this line."))


class DistributionLineForm(_LineForm):
    pass


class SaleLineForm(_LineForm):
    unit_price = StringField(_l("Unit price"), validators=[Optional(), Length(max=20)],
                             filters=[strip])


class LineList(FieldList):
    """A FieldList that keeps the posted line numbers. WTForms renumbers the posted entries
    from 0 and then pads to `min_entries` by reading the form data again, so a post with a
    gap (lines 0 and 2) would yield line 2 twice; kept as posted, padding starts after the
    last posted line and every error names the input the user filled in."""

    def _compact_indices(self):
        pass


class CounterForm(FlaskForm):
    """What the distribution and the sale forms share: the token, the point, the lines."""

    submission_token = HiddenField()
    point_id = SelectField(_l("Charity point"), choices=[], validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_errors: list = []  # refusals about the lines as a whole (e.g. points)
        self._item_choices: list = []
        self._index: list[int] = []

    # --- choices -----------------------------------------------------------------------------

    def set_item_choices(self, pairs) -> None:
        self._item_choices = choices([("", "—")] + list(pairs))
        for entry in self.lines:
            entry.item_type_id.choices = self._item_choices

    def add_lines(self, n: int = MORE_LINES) -> None:
        for _ in range(min(n, MAX_LINES - len(self.lines))):
            entry = self.lines.append_entry()
            entry.item_type_id.choices = self._item_choices

    # --- service data and errors -------------------------------------------------------------

    def service_lines(self, *names: str) -> list[dict]:
        """The filled-in lines, in order; remembers which form line each one came from."""
        out, self._index = [], []
        for i, entry in enumerate(self.lines):
            if entry.item_type_id.data:
                line = {"item_type_id": entry.item_type_id.data,
                        "quantity": entry.quantity.data or "",
                        "batch": entry.batch.data or None}
                for name in names:
                    line[name] = entry[name].data or ""
                out.append(line)
                self._index.append(i)
        return out

    def show_error(self, error) -> None:
        """Put a service's refusal next to its field: a line's input, the lines, or a header
        field (`charity.web.access.show_domain_error`)."""
        match = _LINE_FIELD.match(error.field or "")
        if match:
            k, name = int(match.group(1)), match.group(2)
            i = self._index[k] if k < len(self._index) else k
            if i < len(self.lines.entries) and name in self.lines.entries[i]._fields:
                field = self.lines.entries[i][name]
                field.errors = [*field.errors, error.message]
                return
        if error.field == "lines":
            self.line_errors.append(error.message)
            return
        show_domain_error(self, error)


class DistributionForm(CounterForm):
    beneficiary_id = HiddenField()
    project_id = SelectField(_l("Project"), choices=[], validators=[Optional()])
    distributed_on = DateField(_l("Date"), validators=[Optional()])
    lines = LineList(FormField(DistributionLineForm), min_entries=BLANK_LINES,
                      max_entries=MAX_LINES)

    def data_for_service(self) -> dict:
        return {"beneficiary_id": self.beneficiary_id.data or None,
                "project_id": self.project_id.data or None,
                "distributed_on": self.distributed_on.data,
                "lines": self.service_lines()}


class SaleForm(CounterForm):
    payment_method = SelectField(_l("Payment"), choices=choices(PAYMENT_LABELS.items()),
                                 default="cash", validators=[DataRequired()])
    sold_on = DateField(_l("Date"), validators=[Optional()])
    lines = LineList(FormField(SaleLineForm), min_entries=BLANK_LINES, max_entries=MAX_LINES)

    def data_for_service(self) -> dict:
        return {"payment_method": self.payment_method.data, "sold_on": self.sold_on.data,
                "lines": self.service_lines("unit_price")}


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the correction"),
                           validators=[DataRequired(), Length(max=500)], filters=[strip])
