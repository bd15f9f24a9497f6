"""Forms of the organisation and charity-point screens, and the confirm button every list
with an activate/deactivate switch uses."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from charity.core.i18n import _l
from charity.orgs.models import REGISTRATION_FIELDS, OrgType, PointKind
from charity.orgs.services import CONTACT_FIELDS
from charity.web.forms import PostingForm, choices, strip


class EmailAddress:
    """name@domain.tld. WTForms' Email() needs the email_validator package, which is not a
    dependency: without it every filled-in address raised an exception (a 500)."""

    _shape = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")

    def __call__(self, form, field):
        if field.data and not self._shape.match(field.data):
            # WTForms' own message, translated by its catalogue.
            raise ValidationError(field.gettext("Invalid email address."))


ORG_TYPE_LABELS = {OrgType.FOUNDATION.value: _l("Foundation"),
                   OrgType.SOCIAL_GROUP.value: _l("Social group"),
                   OrgType.SOCIAL_SERVICE_AGENCY.value: _l("Social service agency")}


REGISTRATION_LABELS = {
    "name": _l("Name"), "uscc": _l("Unified social credit code"),
    "registering_authority": _l("Registering authority"),
    "org_type": _l("Type of organisation"),
    "can_fundraise_publicly": _l("Qualified for public fundraising"),
    "fundraising_cert_no": _l("Public-fundraising certificate number"),
    "fundraising_cert_valid_until": _l("Certificate valid until"),
    "registered_on": _l("Registered on"),
}


class _RegistrationFields(FlaskForm):
    """What the registering authority certified (charity.orgs.models.REGISTRATION_FIELDS)."""
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       filters=[strip])
    uscc = StringField(_l("Unified social credit code"),
                       validators=[DataRequired(), Length(min=18, max=18)],
                       filters=[strip, lambda v: v.upper() if v else v],
                       description=_l("18 characters, e.g. 53620102MJ0000000X"))
    registering_authority = StringField(_l("Registering authority"),
                                        validators=[Optional(), Length(max=200)],
                                        filters=[strip])
    org_type = SelectField(_l("Type of organisation"),
                           choices=choices([("", _l("— not recorded —")),
                                            *ORG_TYPE_LABELS.items()]),
                           validators=[Optional()])
    can_fundraise_publicly = BooleanField(_l("Qualified for public fundraising"))
    fundraising_cert_no = StringField(_l("Public-fundraising certificate number"),
                                      validators=[Optional(), Length(max=100)], filters=[strip])
    fundraising_cert_valid_until = DateField(
        _l("Certificate valid until"), validators=[Optional()],
        description=_l("Leave empty if the certificate has no end date."))
    registered_on = DateField(
        _l("Registered on"), validators=[Optional()],
        description=_l("The date on the registration certificate: annual reports are owed "
                       "from that year on."))

    def registration_data(self) -> dict:
        return {name: getattr(self, name).data for name in REGISTRATION_FIELDS}


class _ContactFields(FlaskForm):
    """The details an organisation's managers keep up to date."""
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

    def contact_data(self) -> dict:
        return {name: getattr(self, name).data for name in CONTACT_FIELDS}


class OrganizationForm(_ContactFields):
    """Editing an organisation (managers and administrators): its details only. Registration
    facts posted with it are not fields of this form, so they never reach the service."""

    def data_for_service(self) -> dict:
        return self.contact_data()


class OrganizationCreateForm(_RegistrationFields, _ContactFields):
    """A new organisation (administrators): registration facts and details; the registration
    date is required (annual reports are owed from it)."""
    registered_on = DateField(
        _l("Registered on"), validators=[DataRequired()],
        description=_l("The date on the registration certificate: annual reports are owed "
                       "from that year on."))

    def data_for_service(self) -> dict:
        return {**self.registration_data(), **self.contact_data()}


class RegistrationForm(_RegistrationFields, PostingForm):
    """Changing registration facts (administrators): the facts, the reason, the evidence."""
    reason = TextAreaField(_l("Reason for the change"),
                           validators=[DataRequired(), Length(max=2000)], filters=[strip],
                           description=_l("e.g. the civil-affairs bureau's approval of the new "
                                          "name, with its document number"))
    evidence = FileField(_l("Evidence"),
                         description=_l("The certificate or decision: a PDF, JPEG or PNG file."))


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
