"""Forms of the organisation and charity-point screens, and the confirm button every list
with an activate/deactivate switch uses."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from charity.core.i18n import _l
from charity.orgs.models import PointKind
from charity.web.forms import choices, strip


class EmailAddress:
    """name@domain.tld. WTForms' Email() needs the email_validator package, which is not a
    dependency: without it every filled-in address raised an exception (a 500)."""

    _shape = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")

    def __call__(self, form, field):
        if field.data and not self._shape.match(field.data):
            # WTForms' own message, translated by its catalogue.
            raise ValidationError(field.gettext("Invalid email address."))


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       filters=[strip])
    uscc = StringField(_l("Unified social credit code"),
                       validators=[DataRequired(), Length(min=18, max=18)],
                       filters=[strip, lambda v: v.upper() if v else v],
                       description=_l("18 characters, e.g. 53620102MJ0000000X"))
    registering_authority = StringField(_l("Registering authority"),
                                        validators=[Optional(), Length(max=200)],
                                        filters=[strip])
    can_fundraise_publicly = BooleanField(_l("Qualified for public fundraising"))
    fundraising_cert_no = StringField(_l("Public-fundraising certificate number"),
                                      validators=[Optional(), Length(max=100)], filters=[strip])
    contact_person = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)],
                                 filters=[strip])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)], filters=[strip])
    email = StringField(_l("E-mail"), validators=[Optional(), EmailAddress(), Length(max=200)],
                        filters=[strip])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)],
                          filters=[strip])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)],
                          filters=[strip])
    timezone = StringField(_l("Time zone"), default="Asia/Shanghai",
                           validators=[DataRequired(), Length(max=64)], filters=[strip])
    expiry_warning_days = IntegerField(
        _l("Flag food expiring within (days)"), default=7,
        validators=[Optional(), NumberRange(min=0, max=90)],
        description=_l("At hand-out, batches this close to their expiry date are marked and "
                       "offered first."))

    def data_for_service(self) -> dict:
        return {name: field.data for name, field in self._fields.items()
                if name != "csrf_token"}


class PointForm(FlaskForm):
    organization_id = SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Kind"),
                       choices=choices([(PointKind.SUPERMARKET.value, _l("Charity supermarket")),
                                        (PointKind.STATION.value, _l("Donation station"))]),
                       validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)],
                          filters=[strip])
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)],
                           filters=[strip])
    community = StringField(_l("Community"), validators=[Optional(), Length(max=100)],
                            filters=[strip])
    opening_hours = TextAreaField(_l("Opening hours"), validators=[Optional(), Length(max=300)],
                                  filters=[strip],
                                  description=_l("e.g. 周一至周五 09:00-17:00"))
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)], filters=[strip])

    def data_for_service(self) -> dict:
        return {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "organization_id")}



def start_new_record(form, orgs, blank: str, as_text: bool = False) -> None:
    """Prepare the form of a new record of one of `orgs`: the organisation select (after a
    `blank` first choice when there are several; `as_text`: it holds the id as text) and,
    on a fresh form, the only organisation preselected and a one-time token."""
    value = str if as_text else int
    form.organization_id.choices = choices(
        [("", blank)] * (len(orgs) > 1) + [(value(o.id), o.name) for o in orgs])
    if form.is_submitted():
        return
    if len(orgs) == 1:
        form.organization_id.data = value(orgs[0].id)
