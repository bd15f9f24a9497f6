"""The receipt screens' forms (void, review setting, finance-bureau allocations, platform
receipt numbers), status labels and paper sizes."""
from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from charity.core.i18n import _l
from charity.funds.models import ReceiptStatus
from charity.web.access import show_domain_error
from charity.web.forms import PostingForm, optional_int, strip

PAPERS = ("a4", "80", "58")
STATUS_LABELS = {ReceiptStatus.ISSUED.value: _l("Issued"),
                 ReceiptStatus.VOIDED.value: _l("Voided")}


class VoidForm(FlaskForm):
    reason = TextAreaField(_l("Reason for voiding"), filters=[strip],
                           validators=[DataRequired(_l("Say why the receipt is voided.")),
                                       Length(max=500)])

    def show_error(self, error) -> None:
        """A refusal about the reason goes next to it; any other (e.g. already void) above
        the page, since the page no longer shows the void form."""
        if error.field:
            show_domain_error(self, error)
        else:
            flash(error.message, "error")


class AllocationForm(PostingForm):
    """A range of receipt numbers allocated by the finance department (财综〔2024〕1号)."""

    organization_id = SelectField(_l("Organisation"), coerce=optional_int,
                                  validators=[DataRequired()])
    bill_code = StringField(_l("Receipt code (票据代码)"), filters=[strip],
                            validators=[DataRequired(), Length(max=32)])
    first_number = IntegerField(_l("First receipt number"),
                                validators=[InputRequired(_l("Enter a whole number.")),
                                            NumberRange(min=0, max=10**12 - 1)])
    last_number = IntegerField(_l("Last receipt number"),
                               validators=[InputRequired(_l("Enter a whole number.")),
                                           NumberRange(min=0, max=10**12 - 1)])
    authority = StringField(_l("Supervising finance department (监制单位)"), filters=[strip],
                            validators=[DataRequired(), Length(max=200)],
                            description=_l("e.g. 甘肃省财政厅"))
    project_code = StringField(_l("Item code (项目编码)"), filters=[strip],
                               validators=[Optional(), Length(max=32)])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in (
            "bill_code", "first_number", "last_number", "authority", "project_code",
            "valid_from", "valid_until")}


class ReviewPolicyForm(FlaskForm):
    organization_id = SelectField(_l("Organisation"), coerce=optional_int,
                                  validators=[DataRequired()])
    review_required = BooleanField(_l("Each receipt is reviewed by a second person (复核人)"))


class PlatformNumberForm(FlaskForm):
    platform_number = StringField(
        _l("Number of the electronic receipt on the finance platform"), filters=[strip],
        validators=[DataRequired(), Length(max=64)])
