"""Forms of the micro-wish screens (staff) and the public claim form.

Age, quantity and the intake number are text: the services parse them, so bad input is
answered next to the field with what was typed kept.
"""
from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from charity.core.i18n import _l
from charity.web.forms import PostingForm, strip


class WishForm(PostingForm):
    organization_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    point_id = SelectField(_l("Charity point"), choices=[], default="", validate_choice=False,
                           description=_l("Where the gift is brought."))
    what = StringField(_l("What is wished for"),
                       validators=[DataRequired(_l("Say what is wished for, e.g. 一件冬衣.")),
                                   Length(max=100)], filters=[strip],
                       description=_l("Public. e.g. 一件冬衣, 一个书包. No names, phone or ID "
                                      "numbers."))
    tag = StringField(_l("Who it is for"), validators=[Optional(), Length(max=50)],
                      filters=[strip],
                      description=_l("Public, anonymised: e.g. 留守儿童, 孤寡老人."))
    age = StringField(_l("Age in years (optional)"), validators=[Optional(), Length(max=5)],
                      filters=[strip])
    category_id = SelectField(_l("Category (optional)"), choices=[], default="",
                              validate_choice=False)
    quantity = StringField(_l("Quantity"), default="1",
                           validators=[Optional(), Length(max=5)], filters=[strip])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=16)], filters=[strip],
                       description=_l("e.g. 件, 个, 套"))
    beneficiary_id = SelectField(_l("Household (staff only, never public)"), choices=[],
                                 default="", validate_choice=False)
    note = TextAreaField(_l("Note for the staff (never public)"),
                         validators=[Optional(), Length(max=2000)], filters=[strip])

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in (
            "point_id", "what", "tag", "age", "category_id", "quantity", "unit",
            "beneficiary_id", "note")}


class FulfilForm(PostingForm):
    intake_id = SelectField(_l("Recent intakes"), choices=[], default="",
                            validate_choice=False)
    intake_no = StringField(_l("or the intake number"), validators=[Optional(), Length(max=12)],
                            filters=[strip],
                            description=_l("The number on the intake slip, e.g. 1024."))

    def chosen_intake(self) -> str:
        return self.intake_no.data or self.intake_id.data or ""


class ReasonForm(PostingForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")),
                                                     Length(max=500)], filters=[strip])


class ClaimForm(PostingForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")),
                                                    Length(max=100)], filters=[strip])
    phone = StringField(_l("Your phone"),
                        validators=[DataRequired(_l("Enter your phone number.")),
                                    Length(max=30)], filters=[strip],
                        description=_l("A mobile number or a landline with its area code."))
    # A honeypot: hidden from people by the stylesheet, filled in by form-filling robots.
    website = StringField(_l("Leave this field empty"), filters=[strip])
