"""Forms of the time bank: the organisation's terms, the review of hours, a gift to a
household, the consent to be named, and the counter's redemption."""
from __future__ import annotations

from wtforms import (BooleanField, DateField, FormField, HiddenField, IntegerField,
                     SelectField, StringField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from charity.core.i18n import _l
from charity.goods.forms.counter import CounterForm, DistributionLineForm
from charity.goods.forms.lines import COUNTER_LINES, MAX_LINES, LineList
from charity.web.forms import PostingForm, strip


KIND_LABELS = {"earn": _l("Earned for service hours"), "spend": _l("Spent at the counter"),
               "give": _l("Gift"), "expire": _l("Expired"), "adjust": _l("Adjustment")}


class TermsForm(PostingForm):
    points_per_hour = IntegerField(_l("Points per hour"), default=10,
                                   validators=[DataRequired(), NumberRange(0, 1000)])
    expiry_months = IntegerField(_l("Points expire after (months)"), default=24,
                                 validators=[DataRequired(), NumberRange(1, 120)])
    effective_from = DateField(_l("Effective from"), validators=[DataRequired()])


class ReviewForm(PostingForm):
    shift_id = HiddenField()
    decision = HiddenField()
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)],
                         filters=[strip])


class AdjustForm(PostingForm):
    volunteer_id = SelectField(_l("Volunteer"), choices=[], validate_choice=False,
                               validators=[DataRequired()])
    points = IntegerField(_l("Points (+ or −)"), validators=[DataRequired(),
                                                           NumberRange(-100000, 100000)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)],
                         filters=[strip])


class GiveForm(PostingForm):
    beneficiary_id = SelectField(_l("Household"), choices=[], validate_choice=False,
                                 validators=[DataRequired()])
    points = IntegerField(_l("Points to give"), validators=[DataRequired(), NumberRange(1, 100000)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)], filters=[strip])


class ConsentForm(PostingForm):
    publish_name = BooleanField(_l("Name me in the public thanks"))


class RedeemForm(CounterForm):
    volunteer_id = SelectField(_l("Volunteer"), choices=[], validate_choice=False,
                               validators=[DataRequired()])
    redeemed_on = DateField(_l("Date"), validators=[Optional()])
    lines = LineList(FormField(DistributionLineForm), min_entries=COUNTER_LINES,
                     max_entries=MAX_LINES)

    def data_for_service(self) -> dict:
        return {"volunteer_id": self.volunteer_id.data, "redeemed_on": self.redeemed_on.data,
                "lines": self.service_lines()}
