"""Counter forms: handing goods to a household and a charity sale.

Both are a header plus a fixed number of blank lines. The line fields are named
`lines-<i>-item_type_id`, `lines-<i>-quantity` … exactly like the services' error fields,
so a refusal lands next to the input it concerns (`CounterLines.show_error`).
"""
from __future__ import annotations

from wtforms import DateField, Form, FormField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from charity.core.i18n import _l
from charity.goods.forms.lines import (COUNTER_LINES, MAX_LINES, CounterLines, LineList,
                                       unit_field)
from charity.web.forms import PostingForm, choices, strip

PAYMENT_LABELS = {"cash": _l("Cash"), "wechat": _l("WeChat Pay"), "alipay": _l("Alipay"),
                  "bank_transfer": _l("Bank transfer"), "other": _l("Other")}


class _LineForm(Form):
    item_type_id = SelectField(_l("Item"), choices=[], default="", validate_choice=True)
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)],
                           filters=[strip])
    unit_id = unit_field()
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


class CounterForm(CounterLines, PostingForm):
    """What the distribution and the sale forms share: the token, the point, the lines."""

    point_id = SelectField(_l("Charity point"), choices=[], validators=[DataRequired()])

    def set_item_choices(self, pairs, units=()) -> None:
        super().set_item_choices(choices([("", "—")] + list(pairs)), units)

    def service_lines(self, *names: str) -> list[dict]:
        """The filled-in lines, in order, with the line fields `names` too."""
        def line(entry) -> dict:
            out = {"item_type_id": entry.item_type_id.data,
                   "quantity": entry.quantity.data or "", "unit_id": entry.unit_id.data,
                   "batch": entry.batch.data or None}
            for name in names:
                out[name] = entry[name].data or ""
            return out

        return self.filled_lines(line)


class DistributionForm(CounterForm):
    beneficiary_id = HiddenField()
    project_id = SelectField(_l("Project"), choices=[], validators=[Optional()])
    distributed_on = DateField(_l("Date"), validators=[Optional()])
    lines = LineList(FormField(DistributionLineForm), min_entries=COUNTER_LINES,
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
    lines = LineList(FormField(SaleLineForm), min_entries=COUNTER_LINES, max_entries=MAX_LINES)

    def data_for_service(self) -> dict:
        return {"payment_method": self.payment_method.data, "sold_on": self.sold_on.data,
                "lines": self.service_lines("unit_price")}
