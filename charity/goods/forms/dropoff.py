"""The public form a donor announces a drop-off with (no sign-in; see `charity.portal`)."""
from __future__ import annotations

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from charity.core.i18n import _l
from charity.web.forms import PostingForm, strip


class DropoffForm(PostingForm):
    point_id = SelectField(_l("Where will you bring it?"), choices=[],
                           validators=[DataRequired(_l("Choose a charity point."))])
    donor_name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=100)],
                             filters=[strip])
    donor_phone = StringField(_l("Your phone (optional)"),
                              validators=[Optional(), Length(max=50)], filters=[strip])
    items = TextAreaField(_l("What will you bring?"),
                          validators=[DataRequired(_l("Say what you will bring.")),
                                      Length(max=2000)], filters=[strip],
                          description=_l("e.g. 2 bags of winter clothes, 10 children's books"))
    expected_on = DateField(_l("When do you expect to come? (optional)"),
                            validators=[Optional()])
    wants_receipt = BooleanField(_l("I would like a donation receipt"), default=True)
    # A honeypot: hidden from people by the stylesheet, filled in by form-filling robots.
    website = StringField(_l("Leave this field empty"), filters=[strip])

    def data_for_service(self) -> dict:
        return {"donor_name": self.donor_name.data or "",
                "donor_phone": self.donor_phone.data or "", "items": self.items.data or "",
                "expected_on": self.expected_on.data,
                "wants_receipt": bool(self.wants_receipt.data)}
