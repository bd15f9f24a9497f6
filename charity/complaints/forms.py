"""Forms of the complaint pages. Field names match the services' error fields."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional

from charity.complaints.models import ComplaintChannel
from charity.complaints.rules import CHANNEL_LABELS
from charity.core.i18n import _l
from charity.web.forms import PostingForm, choices, strip


class ComplaintForm(PostingForm):
    rendered = HiddenField()  # signed render time (charity.complaints.formstamp)
    organization_id = SelectField(_l("Organisation"), choices=[],
                                  validators=[DataRequired(_l("Choose an organisation."))])
    category = SelectField(_l("Category"), choices=[],
                           validators=[DataRequired(_l("Choose a category."))])
    subject = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(_l("Give your complaint a short subject.")), Length(max=200)])
    description = TextAreaField(_l("What happened?"), filters=[strip], validators=[
        DataRequired(_l("Describe what happened.")), Length(max=5000)],
        description=_l("When and where, who was involved, what you saw. Please do not "
                       "write other people's ID numbers or phone numbers here."))
    contact_name = StringField(_l("Your name (optional)"), filters=[strip],
                               validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Your phone (optional)"), filters=[strip],
                                validators=[Optional(), Length(max=50)])
    contact_email = StringField(_l("Your e-mail (optional)"), filters=[strip],
                                validators=[Optional(), Length(max=200)])
    attachment = FileField(_l("Attachment (optional)"),
                           description=_l("A photo or document: PDF, JPEG or PNG."))
    # A honeypot: hidden from people by the stylesheet, filled in by form-filling robots.
    website = StringField(_l("Leave this field empty"), filters=[strip])

    def data_for_service(self) -> dict:
        return {key: getattr(self, key).data or "" for key in (
            "category", "subject", "description", "contact_name", "contact_phone",
            "contact_email")}


class StepForm(PostingForm):
    """One form for every step; the view uses the fields the step needs."""
    target = SelectField(_l("Dispatch to"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=5000)])


class CategoryForm(FlaskForm):
    organization_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), filters=[strip],
                       validators=[DataRequired(_l("Enter a name.")), Length(max=50)])
    channel = SelectField(_l("Channel"), default=ComplaintChannel.ONLINE.value,
                          choices=choices((c.value, label) for c, label in CHANNEL_LABELS.items()))
    active = BooleanField(_l("Active"), default=True)
    # The 12345 time limits (charity.complaints.rules): range errors come from the service.
    accept_days = IntegerField(_l("Accept within (working days)"), default=1,
                               validators=[Optional()])
    answer_days = IntegerField(_l("Answer within (working days)"), default=15,
                               validators=[Optional()],
                               description=_l("Usually 5 or 15 working days."))


class RecordForm(PostingForm):
    """A complaint received by phone or from the grid centre, recorded by staff."""
    organization_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    category_id = SelectField(_l("Category"), choices=[], validate_choice=False)
    received_on = DateField(_l("Received on"), validators=[Optional()])
    subject = StringField(_l("Title"), filters=[strip], validators=[Length(max=200)])
    description = TextAreaField(_l("What happened?"), filters=[strip],
                                validators=[Length(max=5000)])
    contact_name = StringField(_l("Caller's name (optional)"), filters=[strip],
                               validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Caller's phone (optional)"), filters=[strip],
                                validators=[Optional(), Length(max=50)])


RATING_CHOICES = (("satisfied", _l("Satisfied")), ("fairly", _l("Fairly satisfied")),
                  ("dissatisfied", _l("Dissatisfied")))


class ExtendForm(PostingForm):
    """A manager approves a later answer deadline, with the reason."""
    new_due = DateField(_l("New answer deadline"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for the extension"), filters=[strip],
                           validators=[Length(max=2000)])


class CallbackForm(PostingForm):
    """The call-back (回访): how satisfied the complainant is with the answer."""
    rating = SelectField(_l("Satisfaction"), choices=choices(RATING_CHOICES),
                         validate_choice=False)
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=2000)])


class CalendarForm(PostingForm):
    """Holidays or make-up working days of the installation's calendar."""
    kind = SelectField(_l("Kind"), choices=choices((
        ("holiday", _l("Holiday (days off)")),
        ("workday", _l("Make-up working day (调休上班)")))), validate_choice=False)
    name = StringField(_l("Name"), filters=[strip], validators=[Length(max=50)])
    first_day = DateField(_l("First day"), validators=[Optional()])
    last_day = DateField(_l("Last day (optional)"), validators=[Optional()])
