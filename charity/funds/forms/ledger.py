"""Forms of the money ledger screens, their labels, and the list's filter.

Select fields that name a campaign, project, donor, kind, channel or activity do not check
their choice themselves (`validate_choice=False`): the ledger service decides, so an unknown
or foreign id is answered with the service's message next to the field.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from charity.core.db import contains
from charity.core.i18n import _l
from charity.funds.models import Activity, Channel, EntryKind, FundEntry
from charity.funds.services.lookup import MAX_ID
from charity.web.forms import PostingForm, choices, strip

KIND_LABELS = {
    EntryKind.DONATION: _l("Donation"),
    EntryKind.ACTIVITY_INCOME: _l("Charity activity income"),
    EntryKind.SALE_INCOME: _l("Charity supermarket sales"),
    EntryKind.PROJECT_SPENDING: _l("Project spending"),
    EntryKind.OTHER_SPENDING: _l("Other spending"),
    EntryKind.FUNDRAISING_COST: _l("Fundraising cost"),
    EntryKind.MANAGEMENT_COST: _l("Management cost"),
    EntryKind.TRANSFER_OUT: _l("Transfer out"),
    EntryKind.TRANSFER_IN: _l("Transfer in"),
}
# What one form may record; sales come from the supermarket, transfers have their own form.
POSTABLE_KINDS = (EntryKind.DONATION, EntryKind.ACTIVITY_INCOME, EntryKind.PROJECT_SPENDING,
                  EntryKind.OTHER_SPENDING, EntryKind.FUNDRAISING_COST,
                  EntryKind.MANAGEMENT_COST)
RECEIPT_KINDS = (EntryKind.DONATION, EntryKind.ACTIVITY_INCOME)
CHANNEL_LABELS = {
    Channel.CASH: _l("Cash"),
    Channel.BANK_TRANSFER: _l("Bank transfer"),
    Channel.WECHAT: _l("WeChat Pay"),
    Channel.ALIPAY: _l("Alipay"),
    Channel.OTHER: _l("Other"),
}
ACTIVITY_LABELS = {
    Activity.CHARITY_SALE: _l("Charity sale (义卖)"),
    Activity.AUCTION: _l("Charity auction (义拍)"),
    Activity.PERFORMANCE: _l("Charity performance (义演)"),
    Activity.EXHIBITION: _l("Charity exhibition (义展)"),
    Activity.CLINIC: _l("Charity clinic (义诊)"),
    Activity.MATCH: _l("Charity match (义赛)"),
}


def label(labels: dict, value) -> str:
    """The translated label of an enum value ('' for none)."""
    if value is None or value == "":
        return ""
    return str(labels.get(value, value))


def _id(value) -> str:
    """Select values as text; a missing value is '' (not 'None'). A number too large to be
    an id becomes "-1", which the services answer as unknown (the database would refuse
    to even compare it)."""
    if value is None or value == "None":
        return ""
    text = str(value).strip()
    if text.lstrip("-").isdigit() and abs(int(text)) > MAX_ID:
        return "-1"
    return text


def _money_text(value) -> str:
    return "" if value is None else str(value)


class EntryFields(PostingForm):
    """The fields of one ledger entry, shared by the new-entry and the correction forms."""

    kind = SelectField(_l("Kind"), coerce=_id, validate_choice=False)
    entry_date = DateField(_l("Date"), validators=[Optional()],
                           description=_l("The day the money came in or went out."))
    amount = StringField(_l("Amount (yuan)"), validators=[Length(max=32)], filters=[strip],
                         description=_l("e.g. 1234.50"))
    campaign_id = SelectField(_l("Campaign"), coerce=_id, validate_choice=False,
                              description=_l("Leave empty for the general fund."))
    project_id = SelectField(_l("Project"), coerce=_id, validate_choice=False,
                             description=_l("Required for project spending."))
    donor_id = SelectField(_l("Donor"), coerce=_id, validate_choice=False,
                           description=_l("A registered donor, or type the name below."))
    counterparty = StringField(_l("Payer or payee"), validators=[Length(max=200)],
                               filters=[strip],
                               description=_l("Required for project spending (the payee)."))
    channel = SelectField(_l("Channel"), coerce=_id, validate_choice=False,
                          description=_l("Donations: how the money came in."))
    activity = SelectField(_l("Charity activity"), coerce=_id, validate_choice=False,
                           description=_l("Activity income: 义卖、义拍、义演、义展、义诊、义赛."))
    purpose = StringField(_l("Purpose"), validators=[Length(max=300)], filters=[strip],
                          description=_l("Required for spending and costs."))
    voucher_no = StringField(_l("Voucher number"), validators=[Length(max=100)],
                             filters=[strip],
                             description=_l("Required for project spending."))
    reference = StringField(_l("Reference (bank or payment number)"),
                            validators=[Length(max=200)], filters=[strip])
    restricted = BooleanField(_l("Restricted gift (定向)"))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)], filters=[strip])

    ENTRY_FIELDS = ("kind", "entry_date", "amount", "campaign_id", "project_id", "donor_id",
                    "counterparty", "channel", "activity", "purpose", "voucher_no", "reference",
                    "restricted", "note")

    def fill_choices(self, campaigns, projects, donors, label_org=None) -> None:
        """Offer the organisation's campaigns, projects and donors (ORM objects)."""
        def name(obj):
            return f"{label_org(obj)} · {obj.name}" if label_org else obj.name

        self.kind.choices = choices((k.value, KIND_LABELS[k]) for k in POSTABLE_KINDS)
        ended = _l("ended")  # outside the f-string, so the extractor sees it
        self.campaign_id.choices = choices(
            [("", _l("— general fund (no campaign) —"))]
            + [(str(c.id), name(c) + ("" if c.status == "active" else f" ({ended})"))
               for c in campaigns])
        self.project_id.choices = choices([("", _l("— none —"))]
                                          + [(str(p.id), name(p)) for p in projects])
        self.donor_id.choices = choices([("", _l("— not registered —"))]
                                        + [(str(d.id), name(d)) for d in donors])
        self.channel.choices = choices([("", "—")] + [(c.value, lbl) for c, lbl
                                                       in CHANNEL_LABELS.items()])
        self.activity.choices = choices([("", "—")] + [(a.value, lbl) for a, lbl
                                                        in ACTIVITY_LABELS.items()])

    def entry_data(self) -> dict:
        """The values as the ledger service takes them (amount as typed: never a float)."""
        return {name: self[name].data for name in self.ENTRY_FIELDS}

    def prefill(self, entry: FundEntry) -> None:
        """Start from a posted entry (the correction form)."""
        for name in self.ENTRY_FIELDS:
            value = getattr(entry, name)
            if name == "amount":
                value = _money_text(value)
            elif isinstance(self[name], SelectField):
                value = _id(getattr(value, "value", value))
            self[name].data = value


class EntryForm(EntryFields):
    organization_id = SelectField(_l("Organisation"), coerce=_id, validate_choice=False)
    issue_receipt = BooleanField(_l("Issue a receipt (donations and activity income)"),
                                 default=True)


class CorrectionForm(EntryFields):
    reason = TextAreaField(_l("Reason for the correction"),
                           validators=[DataRequired(), Length(max=1000)], filters=[strip])
    replace = BooleanField(_l("Post a replacement entry with the values below"))


class TransferForm(PostingForm):
    organization_id = SelectField(_l("Organisation"), coerce=_id, validate_choice=False)
    from_campaign_id = SelectField(_l("From fund"), coerce=_id, validate_choice=False)
    to_campaign_id = SelectField(_l("To fund"), coerce=_id, validate_choice=False)
    amount = StringField(_l("Amount (yuan)"), validators=[Length(max=32)], filters=[strip],
                         description=_l("e.g. 1234.50"))
    entry_date = DateField(_l("Date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=300)], filters=[strip])

    def fill_choices(self, campaigns, label_org=None) -> None:
        funds = [("", _l("General fund (unrestricted)"))] + [
            (str(c.id), (f"{label_org(c)} · " if label_org else "") + c.name) for c in campaigns]
        self.from_campaign_id.choices = choices(funds)
        self.to_campaign_id.choices = choices(funds)


# --- the list's filter -----------------------------------------------------------------------

def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@dataclass
class LedgerFilter:
    """What the list and the exports show: parsed from the query string; nonsense is ignored
    rather than refused, so a hand-edited URL still answers."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = ""
    campaign: int | None = None
    project: int | None = None
    channel: str = ""
    org: int | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args) -> LedgerFilter:
        kind = args.get("kind", "")
        channel = args.get("channel", "")
        return cls(date_from=_date(args.get("from")), date_to=_date(args.get("to")),
                   kind=kind if kind in {k.value for k in EntryKind} else "",
                   campaign=_int(args.get("campaign")), project=_int(args.get("project")),
                   channel=channel if channel in {c.value for c in Channel} else "",
                   org=_int(args.get("org")), q=(args.get("q") or "").strip()[:100])

    def args(self) -> dict:
        """The query string that reproduces this filter (for the export links and pages)."""
        out = {"from": self.date_from.isoformat() if self.date_from else None,
               "to": self.date_to.isoformat() if self.date_to else None,
               "kind": self.kind, "campaign": self.campaign, "project": self.project,
               "channel": self.channel, "org": self.org, "q": self.q}
        return {k: v for k, v in out.items() if v not in (None, "")}

    def apply(self, stmt):
        """Add the filter's conditions to a select() over FundEntry."""
        if self.date_from:
            stmt = stmt.where(FundEntry.entry_date >= self.date_from)
        if self.date_to:
            stmt = stmt.where(FundEntry.entry_date <= self.date_to)
        if self.kind:
            stmt = stmt.where(FundEntry.kind == EntryKind(self.kind))
        if self.campaign:
            stmt = stmt.where(FundEntry.campaign_id == self.campaign)
        if self.project:
            stmt = stmt.where(FundEntry.project_id == self.project)
        if self.channel:
            stmt = stmt.where(FundEntry.channel == Channel(self.channel))
        if self.org:
            stmt = stmt.where(FundEntry.organization_id == self.org)
        if self.q:
            stmt = stmt.where(sa.or_(*(contains(column, self.q) for column in (
                FundEntry.counterparty, FundEntry.purpose, FundEntry.voucher_no,
                FundEntry.reference))))
        return stmt
