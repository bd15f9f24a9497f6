"""Forms of the stock screens: a point's wanted level of an item, a write-off, the one-tap
write-off of a point's expired food."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from charity.core.i18n import _l
from charity.goods.models import WriteOffReason
from charity.web.forms import PostingForm, choices, strip

WRITE_OFF_LABELS = {WriteOffReason.EXPIRED.value: _l("Expired"),
                    WriteOffReason.DAMAGED.value: _l("Damaged"),
                    WriteOffReason.UNUSABLE.value: _l("Unusable")}


class StockTargetForm(FlaskForm):
    point_id = HiddenField()
    item_type_id = SelectField(_l("Item"), choices=[], validators=[DataRequired()],
                               validate_choice=False)
    wanted = StringField(_l("Wanted on hand"), validators=[DataRequired(), Length(max=12)],
                         filters=[strip], description=_l("0 removes the item from the "
                                                         "needs list."))


class WriteOffForm(PostingForm):
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


class WriteOffExpiredForm(PostingForm):
    """One tap: write off all of a point's expired food (reason: expired). `back` says which
    page the button was on (the staff home or the stock page), to return there."""

    point_id = HiddenField(validators=[DataRequired()])
    back = HiddenField(default="stock")
