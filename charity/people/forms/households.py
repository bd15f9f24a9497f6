"""Beneficiary household forms. The ID number is write-only: the form never shows it."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from charity.auth.forms import MultiCheckboxField
from charity.core.i18n import _l
from charity.people.models import BENEFICIARY_CATEGORY_NAMES
from charity.web.forms import PostingForm, choices, strip


def _optional_int(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _upper_id(value):
    """Resident ID numbers: no spaces, a lower-case check character x read as X."""
    if not isinstance(value, str):
        return value
    return value.strip().replace(" ", "").upper()


class BeneficiaryForm(FlaskForm):
    name = StringField(_l("Name of the household head"),
                       validators=[DataRequired(), Length(max=100)], filters=[strip])
    # The categories' Chinese names are the terms of the policy documents (孤寡老人 …).
    categories = MultiCheckboxField(_l("Categories"),
                                    choices=choices(BENEFICIARY_CATEGORY_NAMES.items()))
    members = IntegerField(_l("Household members"), default=1,
                           validators=[InputRequired(), NumberRange(min=1, max=30)])
    community = StringField(_l("Community"), validators=[Optional(), Length(max=100)],
                            filters=[strip])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)], filters=[strip])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)],
                          filters=[strip])
    # Write-only: empty keeps the registered number; the stored number is never shown.
    id_number = StringField(_l("Resident ID number"), validators=[Optional(), Length(max=32)],
                            filters=[_upper_id],
                            description=_l("18 characters. Kept only as a check value and "
                                           "its last four characters."))
    certified_until = DateField(_l("Certified until"), validators=[Optional()],
                                description=_l("Households receive goods only while "
                                               "certified."))
    monthly_points = IntegerField(_l("Points per month (爱心积分)"), default=0,
                                  validators=[Optional(), NumberRange(min=0, max=100000)])
    consent_note = StringField(_l("Consent to data processing"),
                               validators=[Optional(), Length(max=300)], filters=[strip],
                               description=_l("How the household agreed, e.g. signed form "
                                              "kept in the office."))
    consent_on = DateField(_l("Consent given on"), validators=[Optional()])

    def data_for_service(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "submission_token", "organization_id")}
        for name in ("community", "phone", "address", "consent_note"):
            data[name] = data.get(name) or ""
        data["monthly_points"] = data.get("monthly_points") or 0
        if not data.get("id_number"):
            data.pop("id_number", None)  # empty: the registered number stays
        return data


class NewBeneficiaryForm(BeneficiaryForm, PostingForm):
    organization_id = SelectField(_l("Organisation"), coerce=_optional_int,
                                  validators=[DataRequired()])


class EraseForm(FlaskForm):
    confirm = BooleanField(_l("I understand: the name, phone, address and ID of this household "
                              "are erased for good; its distributions stay in the figures."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
