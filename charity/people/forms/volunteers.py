"""Forms of the volunteer screens: profiles and the sign-in board."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from charity.auth.forms import MultiCheckboxField
from charity.core.i18n import _l
from charity.people.models import ServiceType
from charity.web.forms import PostingForm, choices, strip

# The seed article's volunteer services (文体、法律、心理疏导、医疗保健),
# and duty at a charity supermarket.
SERVICE_TYPE_LABELS = {
    ServiceType.CULTURE_SPORT.value: _l("Culture and sport"),
    ServiceType.LEGAL.value: _l("Legal aid"),
    ServiceType.COUNSELLING.value: _l("Counselling"),
    ServiceType.HEALTH.value: _l("Health care"),
    ServiceType.SUPERMARKET.value: _l("Supermarket duty"),
    ServiceType.OTHER.value: _l("Other"),
}


def _id(value) -> str:
    return "" if value is None or value == "None" else str(value)


def _account_id(value) -> int | None:
    """The chosen account's id; a posted value that is no id at all becomes -1, which no
    account has, so the service refuses it on the field instead of int() failing with a 500."""
    if not value:
        return None
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and int(text) < 2**31 else -1


class VolunteerForm(PostingForm):
    organization_id = SelectField(_l("Organisation"), coerce=_id, validate_choice=False)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)], filters=[strip])
    community = StringField(_l("Community"), validators=[Optional(), Length(max=100)],
                            filters=[strip], description=_l("e.g. 张掖路社区"))
    party_member = BooleanField(_l("Party member or cadre"), default=False)
    service_types = MultiCheckboxField(_l("Services offered"),
                                       choices=choices(SERVICE_TYPE_LABELS.items()))
    user_id = SelectField(_l("User account"), coerce=_id, validate_choice=False,
                          description=_l("Optional: the volunteer's own sign-in, if they "
                                         "have one."))
    active = BooleanField(_l("Active"), default=True)

    def offer_accounts(self, users, none_label: str) -> None:
        """The accounts the profile may be linked to, after "none"."""
        self.user_id.choices = choices(
            [("", none_label)] + [(str(u.id), f"{u.display_name} ({u.username})")
                                  for u in users])

    def data_for_service(self) -> dict:
        return {"name": self.name.data or "", "phone": self.phone.data or "",
                "community": self.community.data or "",
                "party_member": bool(self.party_member.data),
                "service_types": list(self.service_types.data or []),
                "user_id": _account_id(self.user_id.data),
                "active": bool(self.active.data)}


class SignInForm(PostingForm):
    point_id = HiddenField()
    volunteer_id = SelectField(_l("Volunteer"), coerce=_id, validate_choice=False)
    service_type = SelectField(_l("Service"), coerce=_id, validate_choice=False,
                               default=ServiceType.SUPERMARKET.value,
                               choices=choices(SERVICE_TYPE_LABELS.items()))

    def offer_volunteers(self, volunteers, signed_in: set[int], blank: str,
                         here: str) -> None:
        """The organisation's active volunteers ("name · community"), those signed in now
        marked `here`."""
        self.volunteer_id.choices = choices(
            [("", blank)]
            + [(str(v.id), (f"{v.name} · {v.community}" if v.community else v.name)
                + (f" ({here})" if v.id in signed_in else "")) for v in volunteers])


class SignOutForm(PostingForm):
    shift_id = HiddenField()
