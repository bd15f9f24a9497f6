"""Campaigns (募捐活动), projects (慈善项目), the fund ledger, receipts and non-cash gifts."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, utcnow


def _enum(cls, name):
    return sa.Enum(cls, native_enum=False, length=24, create_constraint=True,
                   values_callable=lambda e: [m.value for m in e], name=name)


MAX_AMOUNT = Decimal("999999999999.99")  # below 10^12 yuan


class CampaignStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    ENDED = "ended"


class ProjectStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


project_campaign = sa.Table(
    "project_campaign",
    Base.metadata,
    sa.Column("project_id", sa.ForeignKey("project.id"), primary_key=True),
    sa.Column("campaign_id", sa.ForeignKey("campaign.id"), primary_key=True, index=True),
)


class Campaign(Base):
    """A public fundraising campaign; its plan holds the fields of Charity Law Art. 24."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    region: Mapped[str] = mapped_column(sa.String(200), default="")
    donation_methods: Mapped[str] = mapped_column(sa.Text, default="")
    bank_account: Mapped[str] = mapped_column(sa.String(200), default="")
    beneficiaries: Mapped[str] = mapped_column(sa.Text, default="")
    intended_use: Mapped[str] = mapped_column(sa.Text, default="")
    cost_budget: Mapped[Decimal | None]
    leftover_plan: Mapped[str] = mapped_column(sa.Text, default="")
    responsible_person: Mapped[str] = mapped_column(sa.String(100), default="")
    contact: Mapped[str] = mapped_column(sa.String(100), default="")
    filing_no: Mapped[str] = mapped_column(sa.String(100), default="")
    filing_date: Mapped[dt.date | None]
    planned_start: Mapped[dt.date]
    planned_end: Mapped[dt.date]
    actual_end: Mapped[dt.date | None]
    target_amount: Mapped[Decimal | None]
    goods_wanted: Mapped[str] = mapped_column(sa.Text, default="")
    emergency: Mapped[bool] = mapped_column(default=False)
    status: Mapped[CampaignStatus] = mapped_column(_enum(CampaignStatus, "campaign_status"),
                                                   default=CampaignStatus.PLANNED, index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organization = relationship("Organization")
    changes: Mapped[list[CampaignChange]] = relationship(
        back_populates="campaign", order_by="CampaignChange.version")
    projects: Mapped[list[Project]] = relationship(secondary=project_campaign,
                                                   back_populates="campaigns")

    __table_args__ = (
        sa.CheckConstraint("planned_end >= planned_start", name="dates_in_order"),
        sa.CheckConstraint("target_amount IS NULL OR target_amount > 0", name="target_positive"),
        sa.CheckConstraint("cost_budget IS NULL OR cost_budget >= 0", name="budget_not_negative"),
        sa.UniqueConstraint("organization_id", "name"),
    )

    @property
    def end(self) -> dt.date:
        """The end that counts: the actual end once ended, else the planned one."""
        return self.actual_end or self.planned_end


class CampaignChange(Base):
    """One version of a campaign's plan: who changed what, when and why."""

    __tablename__ = "campaign_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(24))  # create, edit, activate, extend, end_early, end
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_on: Mapped[dt.date]  # the organisation's calendar day of the change
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    campaign: Mapped[Campaign] = relationship(back_populates="changes")
    changed_by = relationship("User")

    __table_args__ = (sa.UniqueConstraint("campaign_id", "version"),)


class Project(Base):
    """A charity project; the end may be open (an ongoing programme such as a supermarket)."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text, default="")
    area: Mapped[str] = mapped_column(sa.String(200), default="")
    beneficiary_groups: Mapped[str] = mapped_column(sa.Text, default="")
    planned_start: Mapped[dt.date]
    planned_end: Mapped[dt.date | None]
    actual_end: Mapped[dt.date | None]
    budget: Mapped[Decimal | None]
    status: Mapped[ProjectStatus] = mapped_column(_enum(ProjectStatus, "project_status"),
                                                  default=ProjectStatus.PLANNED, index=True)
    leftover_property: Mapped[str] = mapped_column(sa.Text, default="")
    leftover_handling: Mapped[str] = mapped_column(sa.Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    closed_at: Mapped[dt.datetime | None]
    # The organisation's calendar day the close was recorded (a change for the deadlines).
    closed_on: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organization = relationship("Organization")
    campaigns: Mapped[list[Campaign]] = relationship(secondary=project_campaign,
                                                     back_populates="projects")

    __table_args__ = (
        sa.CheckConstraint("planned_end IS NULL OR planned_end >= planned_start",
                           name="dates_in_order"),
        sa.CheckConstraint("budget IS NULL OR budget >= 0", name="budget_not_negative"),
        sa.UniqueConstraint("organization_id", "name"),
    )

    @property
    def end(self) -> dt.date | None:
        return self.actual_end or self.planned_end


class EntryKind(enum.StrEnum):
    DONATION = "donation"  # 捐赠收入
    ACTIVITY_INCOME = "activity_income"  # 义卖 义拍 义演 义展 义诊 义赛
    SALE_INCOME = "sale_income"  # supermarket sales: commercial income, reported apart
    PROJECT_SPENDING = "project_spending"
    OTHER_SPENDING = "other_spending"
    FUNDRAISING_COST = "fundraising_cost"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"


DONATION_INCOME_KINDS = (EntryKind.DONATION, EntryKind.ACTIVITY_INCOME)
COMMERCIAL_INCOME_KINDS = (EntryKind.SALE_INCOME,)
INCOME_KINDS = DONATION_INCOME_KINDS + COMMERCIAL_INCOME_KINDS
SPENDING_KINDS = (EntryKind.PROJECT_SPENDING, EntryKind.OTHER_SPENDING, EntryKind.FUNDRAISING_COST)


class Channel(enum.StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    OTHER = "other"


class Activity(enum.StrEnum):
    CHARITY_SALE = "charity_sale"  # 义卖
    AUCTION = "auction"  # 义拍
    PERFORMANCE = "performance"  # 义演
    EXHIBITION = "exhibition"  # 义展
    CLINIC = "clinic"  # 义诊
    MATCH = "match"  # 义赛


class FundEntry(Base):
    """One line of the money ledger. Never updated or deleted once posted: a correction is a
    reversal (same kind, opposite amount, `reverses_id`) plus, if needed, a replacement
    (`replaces_id`)."""

    __tablename__ = "fund_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind, "entry_kind"), index=True)
    entry_date: Mapped[dt.date] = mapped_column(index=True)
    amount: Mapped[Decimal]
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    counterparty: Mapped[str] = mapped_column(sa.String(200), default="")
    channel: Mapped[Channel | None] = mapped_column(_enum(Channel, "channel"))
    activity: Mapped[Activity | None] = mapped_column(_enum(Activity, "activity"))
    purpose: Mapped[str] = mapped_column(sa.String(300), default="")
    voucher_no: Mapped[str] = mapped_column(sa.String(100), default="")
    reference: Mapped[str] = mapped_column(sa.String(200), default="")
    restricted: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    transfer_group: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_entry.id"), unique=True)
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_entry.id"), index=True)
    correction_reason: Mapped[str] = mapped_column(sa.Text, default="")
    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipt.id"), index=True)
    source_type: Mapped[str | None] = mapped_column(sa.String(32))  # e.g. "sale" (goods issue)
    source_id: Mapped[int | None]
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign | None] = relationship()
    project: Mapped[Project | None] = relationship()
    donor = relationship("Donor")
    posted_by = relationship("User")
    receipt: Mapped[Receipt | None] = relationship(back_populates="entries")
    reverses: Mapped[FundEntry | None] = relationship(
        remote_side=[id], foreign_keys=[reverses_id])

    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        sa.CheckConstraint("amount > 0 OR reverses_id IS NOT NULL", name="negative_only_reversal"),
        sa.CheckConstraint("amount < 1000000000000 AND amount > -1000000000000",
                           name="amount_bounded"),
        sa.Index("ix_fund_entry_org_date", "organization_id", "entry_date"),
    )


class FundBalance(Base):
    """Running totals of one fund, kept in the same transaction as each entry.

    scope: "org" (the whole organisation), "general" (its unrestricted money: entries with
    no campaign), "campaign" or "project"; scope_id is that object's id.
    `charity verify` recomputes them from the ledger.
    """

    __tablename__ = "fund_balance"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    scope: Mapped[str] = mapped_column(sa.String(16))
    scope_id: Mapped[int]
    donation_income: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    commercial_income: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    spent_projects: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    spent_other: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    fundraising_costs: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    transfers_in: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    transfers_out: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    entry_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("scope", "scope_id"),)

    @property
    def income(self) -> Decimal:
        return self.donation_income + self.commercial_income

    @property
    def used(self) -> Decimal:
        return self.spent_projects + self.spent_other + self.fundraising_costs

    @property
    def remaining(self) -> Decimal:
        return self.income + self.transfers_in - self.transfers_out - self.used


class ReceiptStatus(enum.StrEnum):
    ISSUED = "issued"
    VOIDED = "voided"


class ReceiptKind(enum.StrEnum):
    MONEY = "money"
    GOODS = "goods"
    NONCASH = "noncash"


class ReceiptSequence(Base):
    """The last receipt number used per organisation and year; locked while a number is taken,
    so numbers are gap-free and unique even when two people post at once."""

    __tablename__ = "receipt_sequence"

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"),
                                                 primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class Receipt(Base):
    """A donation receipt (捐赠票据), fields after 财综〔2024〕1号 Art. 6."""

    __tablename__ = "receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(32))
    check_code: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[ReceiptKind] = mapped_column(_enum(ReceiptKind, "receipt_kind"))
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    payer_name: Mapped[str] = mapped_column(sa.String(200))
    payer_code: Mapped[str] = mapped_column(sa.String(32), default="")
    issued_on: Mapped[dt.date]
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    handler: Mapped[str] = mapped_column(sa.String(100), default="")
    total: Mapped[Decimal]
    status: Mapped[ReceiptStatus] = mapped_column(_enum(ReceiptStatus, "receipt_status"),
                                                  default=ReceiptStatus.ISSUED)
    void_reason: Mapped[str] = mapped_column(sa.Text, default="")
    voided_at: Mapped[dt.datetime | None]
    voided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    organization = relationship("Organization")
    donor = relationship("Donor")
    lines: Mapped[list[ReceiptLine]] = relationship(back_populates="receipt",
                                                    order_by="ReceiptLine.id")
    entries: Mapped[list[FundEntry]] = relationship(back_populates="receipt")

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "year", "seq"),
        sa.UniqueConstraint("organization_id", "number"),
        sa.CheckConstraint("total >= 0", name="total_not_negative"),
    )


class ReceiptLine(Base):
    __tablename__ = "receipt_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipt.id"), index=True)
    item: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(20), default="")
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(14, 3), default=Decimal("1"))
    unit_value: Mapped[Decimal | None]
    amount: Mapped[Decimal]

    receipt: Mapped[Receipt] = relationship(back_populates="lines")


class PropertyType(enum.StrEnum):
    BUILDING = "building"
    SECURITIES = "securities"
    EQUITY = "equity"
    INTELLECTUAL_PROPERTY = "intellectual_property"
    IP_INCOME = "ip_income"
    TECHNOLOGY = "technology"
    CHARITABLE_TRUST = "charitable_trust"
    SERVICE = "service"
    OTHER = "other"


class ValuationBasis(enum.StrEnum):
    DOCUMENT_AMOUNT = "document_amount"  # 票据/协议金额
    FAIR_VALUE = "fair_value"  # 公允价值 (with evidence)
    HISTORICAL_COST = "historical_cost"  # equity: 历史成本
    NOT_MEASURABLE = "not_measurable"  # 无法可靠计量: recorded, no receipt


class NonCashGift(Base):
    """A gift of property other than money and everyday goods (Charity Law Art. 36)."""

    __tablename__ = "noncash_gift"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id"), index=True)
    property_type: Mapped[PropertyType] = mapped_column(_enum(PropertyType, "property_type"))
    description: Mapped[str] = mapped_column(sa.Text)
    valuation_basis: Mapped[ValuationBasis] = mapped_column(
        _enum(ValuationBasis, "valuation_basis"))
    value: Mapped[Decimal | None]
    received_on: Mapped[dt.date]
    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipt.id"), index=True)
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    donor = relationship("Donor")
    campaign: Mapped[Campaign | None] = relationship()
    receipt: Mapped[Receipt | None] = relationship()
    files: Mapped[list[StoredFile]] = relationship(back_populates="noncash_gift")

    __table_args__ = (
        sa.CheckConstraint("value IS NULL OR value >= 0", name="value_not_negative"),
        sa.CheckConstraint("valuation_basis = 'not_measurable' OR value IS NOT NULL",
                           name="value_unless_not_measurable"),
    )


class StoredFile(Base):
    """An uploaded evidence file, kept outside static/ under a generated name."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    mime: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    noncash_gift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("noncash_gift.id"),
                                                        index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    noncash_gift: Mapped[NonCashGift | None] = relationship(back_populates="files")
