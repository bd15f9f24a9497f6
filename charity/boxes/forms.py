"""Forms of the box screens: packing a box from stock and the box's one-button steps.

A packing line chooses a batch on the shelf (the select's value is "item id|batch", so the
item and its batch are chosen in one tap) and a quantity; the service checks both and its
refusals land next to the line (`CounterLines.show_error`)."""
from __future__ import annotations

from wtforms import Form, FormField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from charity.core.i18n import _l
from charity.goods.forms.lines import COUNTER_LINES, MAX_LINES, CounterLines, LineList
from charity.web.forms import PostingForm, choices, strip

PACK_LINES = 3  # a box usually holds one to three sorts (女装 冬 M, 围巾…)


class PackLineForm(Form):
    item_type_id = SelectField(_l("Goods on the shelf"), choices=[], default="")
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)],
                           filters=[strip])

    def validate_item_type_id(self, field):
        if not field.data and self.quantity.data:
            raise ValidationError(_l("Choose the goods for this line."))


class PackBoxForm(CounterLines, PostingForm):
    label = StringField(_l("What is in the box"), validators=[Optional(), Length(max=100)],
                        filters=[strip], description=_l("e.g. 女装 冬 M: printed on the label."))
    lines = LineList(FormField(PackLineForm), min_entries=PACK_LINES, max_entries=MAX_LINES)

    def set_item_choices(self, pairs) -> None:
        super().set_item_choices(choices([("", "—")] + list(pairs)))

    def add_lines(self, n: int = COUNTER_LINES) -> None:
        super().add_lines(n)

    def data_for_service(self) -> dict:
        def line(entry) -> dict:
            item_id, _bar, batch = entry.item_type_id.data.partition("|")
            return {"item_type_id": item_id, "batch": batch,
                    "quantity": entry.quantity.data or ""}

        return {"label": self.label.data or "", "lines": self.filled_lines(line)}


class SendBoxForm(PostingForm):
    to_point_id = SelectField(_l("To point"), choices=[], validators=[DataRequired()])


class HandOutForm(PostingForm):
    beneficiary_id = HiddenField(validators=[DataRequired()])


class LoseBoxForm(PostingForm):
    note = StringField(_l("What happened to the box"),
                       validators=[DataRequired(), Length(max=200)], filters=[strip])


class StepForm(PostingForm):
    """A step without fields (receiving a box, the stocktake's box check)."""
