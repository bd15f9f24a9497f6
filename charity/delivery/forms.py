"""Forms of home delivery: the household's need, the order, and the steps."""
from __future__ import annotations

from wtforms import BooleanField, DateField, FormField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from charity.core.i18n import _l
from charity.delivery.models import NeedReason
from charity.goods.forms.counter import CounterForm, DistributionLineForm
from charity.goods.forms.lines import COUNTER_LINES, MAX_LINES, LineList
from charity.web.forms import PostingForm, choices, strip

NEED_REASONS = {NeedReason.ELDERLY_ALONE: _l("Elderly, living alone"),
                NeedReason.DISABILITY: _l("Disability"), NeedReason.ILLNESS: _l("Illness"),
                NeedReason.OTHER: _l("Other")}


class NeedForm(PostingForm):
    beneficiary_id = SelectField(_l("Household"), choices=[], validators=[DataRequired()])
    reason = SelectField(_l("Why delivery is needed"),
                         choices=choices((r.value, label) for r, label in NEED_REASONS.items()),
                         validators=[DataRequired()])
    address = StringField(_l("Delivery address"), validators=[DataRequired(), Length(max=300)],
                          filters=[strip],
                          description=_l("Private: shown only to the staff assigned and to "
                                         "managers."))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)], filters=[strip])
    active = BooleanField(_l("Delivery needed"), default=True)


class DeliveryForm(CounterForm):
    beneficiary_id = SelectField(_l("Household"), choices=[], validators=[DataRequired()])
    assigned_to_id = SelectField(_l("Delivered by"), choices=[], validators=[DataRequired()])
    planned_on = DateField(_l("Delivery day"), validators=[DataRequired()])
    lines = LineList(FormField(DistributionLineForm), min_entries=COUNTER_LINES,
                     max_entries=MAX_LINES)

    def data_for_service(self) -> dict:
        return {"beneficiary_id": self.beneficiary_id.data,
                "assigned_to_id": self.assigned_to_id.data, "planned_on": self.planned_on.data,
                "lines": self.service_lines()}


class StepForm(PostingForm):
    """Packed / out for delivery: a button with its one-time token."""


class DeliverForm(PostingForm):
    code = StringField(_l("Code the household gives"),
                       validators=[DataRequired(), Length(max=8)], filters=[strip])


class FailForm(PostingForm):
    reason = StringField(_l("Why it failed"), validators=[DataRequired(), Length(max=300)],
                         filters=[strip])
