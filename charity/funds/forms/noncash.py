"""Forms and labels of the non-cash gift screens."""
from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from charity.core.i18n import _l
from charity.funds.models import PropertyType, ValuationBasis
from charity.web.forms import PostingForm, choices, optional_int, strip

PROPERTY_TYPE_LABELS = {
    PropertyType.BUILDING.value: _l("Building"),
    PropertyType.SECURITIES.value: _l("Securities"),
    PropertyType.EQUITY.value: _l("Equity"),
    PropertyType.INTELLECTUAL_PROPERTY.value: _l("Intellectual property"),
    PropertyType.IP_INCOME.value: _l("Income from intellectual property"),
    PropertyType.TECHNOLOGY.value: _l("Technology"),
    PropertyType.CHARITABLE_TRUST.value: _l("Charitable trust"),
    PropertyType.SERVICE.value: _l("Service"),
    PropertyType.OTHER.value: _l("Other"),
}
VALUATION_LABELS = {
    ValuationBasis.DOCUMENT_AMOUNT.value: _l("Amount on the invoice or agreement"),
    ValuationBasis.FAIR_VALUE.value: _l("Fair value (with evidence)"),
    ValuationBasis.HISTORICAL_COST.value: _l("Historical cost (equity)"),
    ValuationBasis.NOT_MEASURABLE.value: _l("Cannot be measured reliably (no receipt)"),
}


class GiftForm(PostingForm):
    organization_id = SelectField(_l("Organisation"), coerce=optional_int,
                                  validators=[DataRequired()])
    property_type = SelectField(
        _l("Type of property"), validators=[DataRequired()],
        choices=choices([("", _l("Choose…"))] + list(PROPERTY_TYPE_LABELS.items())))
    description = TextAreaField(
        _l("Description"), validators=[DataRequired(), Length(max=2000)], filters=[strip],
        description=_l("What was given, e.g. 10,000 shares of …, a patent licence for …; "
                       "the first line becomes the item on the receipt."))
    valuation_basis = SelectField(
        _l("Valuation basis"), validators=[DataRequired()],
        choices=choices([("", _l("Choose…"))] + list(VALUATION_LABELS.items())))
    value = StringField(_l("Value (yuan)"), validators=[Optional(), Length(max=30)],
                        filters=[strip],
                        description=_l("e.g. 12000.00; leave empty if it cannot be measured."))
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    donor_id = SelectField(_l("Donor"), coerce=optional_int)
    campaign_id = SelectField(_l("Campaign"), coerce=optional_int)
    project_id = SelectField(_l("Project"), coerce=optional_int)
    issue_receipt = BooleanField(_l("Issue a receipt"), default=True)
    files = MultipleFileField(
        _l("Evidence files"),
        description=_l("PDF, JPEG or PNG, e.g. an appraisal report, an invoice, a market "
                       "quotation. Required for a fair value. Files are not kept when the "
                       "form is shown again: choose them again."))

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in (
            "property_type", "description", "valuation_basis", "value", "received_on",
            "donor_id", "campaign_id", "project_id", "issue_receipt")}

    def fill_choices(self, orgs, donors, campaigns, projects) -> None:
        """Offer the organisations in scope and their donors, campaigns and projects (named
        with their organisation when there are several)."""
        several = len(orgs) > 1
        org_name = {o.id: o.name for o in orgs}

        def label(obj, text):
            return f"{org_name[obj.organization_id]} · {text}" if several else text

        self.organization_id.choices = choices([("", _l("Choose…"))] * several
                                               + [(o.id, o.name) for o in orgs])
        self.donor_id.choices = choices(
            [("", _l("None (anonymous)"))]
            + [(d.id, label(d, f"{d.name} (#{d.id})")) for d in donors])
        self.campaign_id.choices = choices([("", _l("None"))]
                                           + [(c.id, label(c, c.name)) for c in campaigns])
        self.project_id.choices = choices([("", _l("None"))]
                                          + [(p.id, label(p, p.name)) for p in projects])
