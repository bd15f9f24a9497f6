"""Forms of the campaign and project screens.

Amounts are StringFields: the text goes to the service as typed and is parsed there by
`charity.core.money.check_amount` (never through float). The `Amount` validator runs the same
check on the form so that every bad field is marked in one round trip; the service stays
the authority.
"""
from __future__ import annotations

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from charity.auth.forms import MultiCheckboxField
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.core.money import check_amount
from charity.web.forms import PostingForm, choices, strip

# Labels of the plan fields, also used to show what changed in a campaign's history.
CAMPAIGN_LABELS = {
    "name": _l("Name"),
    "purpose": _l("Purpose"),
    "region": _l("Region"),
    "donation_methods": _l("Ways to donate"),
    "bank_account": _l("Bank account for donations"),
    "beneficiaries": _l("Beneficiaries"),
    "intended_use": _l("Intended use of the money and goods"),
    "cost_budget": _l("Budget for fundraising costs"),
    "leftover_plan": _l("Plan for leftover property"),
    "responsible_person": _l("Responsible person"),
    "contact": _l("Contact"),
    "filing_no": _l("Filing number"),
    "filing_date": _l("Filing date"),
    "planned_start": _l("Start"),
    "planned_end": _l("End"),
    "actual_end": _l("Actual end"),
    "target_amount": _l("Target amount"),
    "goods_wanted": _l("Goods wanted"),
    "emergency": _l("Emergency campaign"),
    "status": _l("Status"),
}
CHANGE_KIND_LABELS = {
    "create": _l("Created"),
    "edit": _l("Plan changed"),
    "activate": _l("Started"),
    "extend": _l("Extended"),
    "end": _l("Ended"),
    "end_early": _l("Ended early"),
}
CAMPAIGN_STATUS_LABELS = {"planned": _l("Planned"), "active": _l("Running"),
                          "ended": _l("Ended")}
PROJECT_STATUS_LABELS = {"planned": _l("Planned"), "active": _l("Running"),
                         "closed": _l("Closed")}
ENTRY_KIND_LABELS = {
    "donation": _l("Donation"),
    "activity_income": _l("Charity activity income"),
    "sale_income": _l("Sales income"),
    "project_spending": _l("Project spending"),
    "other_spending": _l("Other use"),
    "fundraising_cost": _l("Fundraising cost"),
    "management_cost": _l("Management cost"),
    "transfer_out": _l("Transfer out"),
    "transfer_in": _l("Transfer in"),
}


class Amount:
    """An optional money amount: at most two decimals, not negative, below 10^12."""

    def __init__(self, allow_zero: bool = False):
        self.allow_zero = allow_zero

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            check_amount(field.data, field=field.name, allow_zero=self.allow_zero)
        except ValidationFailed as e:
            raise ValidationError(e.message) from None


def _text(label, max_length=None, area=False, **kwargs):
    validators = [Optional()] + ([Length(max=max_length)] if max_length else [])
    cls = TextAreaField if area else StringField
    return cls(label, validators=validators, filters=[strip], **kwargs)


def _amount(label, allow_zero=False, **kwargs):
    return StringField(label, validators=[Optional(), Length(max=30), Amount(allow_zero)],
                       filters=[strip], **kwargs)


class ServiceForm(PostingForm):
    """A form whose fields (except the technical ones) are the service's data."""

    TECHNICAL = frozenset({"csrf_token", "submission_token", "organization_id", "reason"})

    def data_for_service(self, exclude=()) -> dict:
        out = {}
        for name, field in self._fields.items():
            if name in self.TECHNICAL or name in exclude:
                continue
            value = field.data
            if value is None and isinstance(field, StringField):
                value = ""  # a field missing from the request is empty text, not NULL
            out[name] = value
        return out


class CampaignForm(ServiceForm):
    """The plan of a fundraising campaign (Charity Law Art. 24)."""

    organization_id = SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()])
    name = StringField(CAMPAIGN_LABELS["name"], validators=[DataRequired(), Length(max=200)],
                       filters=[strip])
    purpose = _text(CAMPAIGN_LABELS["purpose"], area=True)
    region = _text(CAMPAIGN_LABELS["region"], 200,
                   description=_l("Where the campaign raises money, e.g. 兰州市城关区"))
    donation_methods = _text(CAMPAIGN_LABELS["donation_methods"], area=True,
                             description=_l("e.g. bank transfer, WeChat Pay, on site"))
    bank_account = _text(CAMPAIGN_LABELS["bank_account"], 200)
    beneficiaries = _text(CAMPAIGN_LABELS["beneficiaries"], area=True)
    intended_use = _text(CAMPAIGN_LABELS["intended_use"], area=True)
    cost_budget = _amount(CAMPAIGN_LABELS["cost_budget"], allow_zero=True,
                          description=_l("In yuan, e.g. 1500.00"))
    leftover_plan = _text(CAMPAIGN_LABELS["leftover_plan"], area=True)
    responsible_person = _text(CAMPAIGN_LABELS["responsible_person"], 100)
    contact = _text(CAMPAIGN_LABELS["contact"], 100)
    filing_no = _text(CAMPAIGN_LABELS["filing_no"], 100,
                      description=_l("Given when the plan is filed with the civil affairs "
                                     "department; needed before the campaign starts."))
    filing_date = DateField(CAMPAIGN_LABELS["filing_date"], validators=[Optional()])
    planned_start = DateField(CAMPAIGN_LABELS["planned_start"], validators=[InputRequired()])
    planned_end = DateField(
        CAMPAIGN_LABELS["planned_end"],
        validators=[InputRequired(_l("A campaign needs an end date (required by law)."))])
    target_amount = _amount(CAMPAIGN_LABELS["target_amount"],
                            description=_l("In yuan, e.g. 100000.00"))
    goods_wanted = _text(CAMPAIGN_LABELS["goods_wanted"], area=True)
    emergency = BooleanField(_l("Emergency campaign (receipts disclosed every 5 days)"))
    reason = TextAreaField(_l("Reason for the change"),
                           validators=[Optional(), Length(max=2000)], filters=[strip],
                           description=_l("Required when the plan of a running campaign "
                                          "changes; it is kept in the campaign's history."))


class ActionForm(PostingForm):
    """A button that changes a state (start a campaign or project), posted once."""


class ExtendForm(PostingForm):
    new_end = DateField(_l("New end"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)],
                           filters=[strip])


class EndForm(PostingForm):
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)],
                           filters=[strip],
                           description=_l("Required when the campaign ends before its "
                                          "planned end."))


class ProjectForm(ServiceForm):
    organization_id = SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       filters=[strip])
    content = _text(_l("Content"), area=True)
    area = _text(_l("Area"), 200)
    beneficiary_groups = _text(_l("Beneficiary groups"), area=True,
                               description=_l("e.g. 孤寡老人、留守儿童、残疾人"))
    planned_start = DateField(_l("Start"), validators=[InputRequired()])
    planned_end = DateField(_l("End"), validators=[Optional()],
                            description=_l("Leave empty for an ongoing programme."))
    budget = _amount(_l("Budget"), allow_zero=True, description=_l("In yuan, e.g. 50000.00"))
    campaign_ids = MultiCheckboxField(_l("Funded by campaigns"), coerce=int,
                                      validators=[Optional()])

    def data_for_service(self, exclude=()) -> dict:
        data = super().data_for_service(exclude)
        data["campaign_ids"] = data.get("campaign_ids") or []
        return data

    def offer_campaigns(self, campaigns, with_org: bool) -> None:
        """The campaigns that may fund the project, with their state (and their organisation
        when an administrator chooses among several)."""
        def label(c) -> str:
            text = f"{c.name} ({CAMPAIGN_STATUS_LABELS[c.status.value]})"
            return f"{c.organization.name} · {text}" if with_org else text

        self.campaign_ids.choices = choices((c.id, label(c)) for c in campaigns)


class CloseProjectForm(PostingForm):
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    leftover_property = TextAreaField(
        _l("Leftover property"), validators=[DataRequired(), Length(max=2000)],
        filters=[strip], description=_l("Write “无” if nothing was left."))
    leftover_handling = TextAreaField(
        _l("How the leftover was handled"), validators=[DataRequired(), Length(max=2000)],
        filters=[strip], description=_l("Write “无” if nothing was left."))


class ProjectPointForm(PostingForm):
    """Attach a charity point to the project for a span of days (its hand-outs count there)."""

    point_id = SelectField(_l("Charity point"), coerce=int, validators=[DataRequired()])
    start_on = DateField(_l("From"), validators=[InputRequired()])
    end_on = DateField(_l("Until"), validators=[Optional()],
                       description=_l("Leave empty while the point keeps working for it."))


class EndProjectPointForm(PostingForm):
    """The last day a point works for the project."""

    end_on = DateField(_l("Until"), validators=[InputRequired()])
