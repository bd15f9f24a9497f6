"""Donor forms. Publication consent is asked field by field and starts unticked."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from charity.core.i18n import _l
from charity.people.models import DonorKind, masked_address
from charity.web.forms import PostingForm, choices, optional_int, strip

DONOR_KIND_LABELS = {DonorKind.PERSON.value: _l("Person"),
                     DonorKind.ORGANIZATION.value: _l("Organisation")}
PRIVATE_FIELDS = ("phone", "address", "id_code")


class DonorForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(DONOR_KIND_LABELS.items()),
                       default=DonorKind.PERSON.value, validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       filters=[strip])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)], filters=[strip])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)],
                          filters=[strip])
    id_code = StringField(
        _l("ID number or unified social credit code"),
        validators=[Optional(), Length(max=32)], filters=[strip],
        description=_l("Resident ID number of a person, or the 18-character code of an "
                       "organisation. Printed on receipts; shown masked to volunteers."))
    # Charity Law 2023 Art. 82: nothing is published without the donor's consent.
    publish_name = BooleanField(_l("The donor agrees to publish their name"), default=False)
    publish_address = BooleanField(_l("The donor agrees to publish their address"),
                                   default=False)
    publish_contact = BooleanField(_l("The donor agrees to publish their contact details"),
                                   default=False)
    related_party = BooleanField(_l("Related party of the organisation (关联方)"),
                                 default=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         filters=[strip])

    def hide_private(self, donor) -> None:
        """For a user who may edit but not see private data: the private fields start empty
        (an empty field keeps the stored value) and show the masked value as a hint."""
        shown = {"phone": donor.masked_phone, "address": masked_address(donor.address),
                 "id_code": donor.masked_id_code}
        for name in PRIVATE_FIELDS:
            if not self.is_submitted():
                self[name].data = ""
            self[name].render_kw = {"placeholder": shown[name]}

    def data_for_service(self, keep_blank_private: bool = True) -> dict:
        """The fields for the donor service. With `keep_blank_private` False (a user who may
        not see private data), an empty phone, address or ID code means "unchanged"."""
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "submission_token", "organization_id")}
        for name in ("name", "phone", "address", "id_code", "note"):
            data[name] = data.get(name) or ""  # a field absent from the post is empty
        if not keep_blank_private:
            for name in PRIVATE_FIELDS:
                if not data.get(name):
                    data.pop(name, None)
        return data


class NewDonorForm(DonorForm, PostingForm):
    organization_id = SelectField(_l("Organisation"), coerce=optional_int,
                                  validators=[DataRequired()])
