"""The fund ledger: entry kinds, ledger entries (append-only) and each fund's running totals."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, Posted
from charity.funds.models.columns import enum_column

if TYPE_CHECKING:
    from charity.funds.models.campaigns import Campaign, Project
    from charity.funds.models.receipts import Receipt


class EntryKind(enum.StrEnum):
    DONATION = "donation"  # 捐赠收入
    ACTIVITY_INCOME = "activity_income"  # 义卖 义拍 义演 义展 义诊 义赛
    SALE_INCOME = "sale_income"  # supermarket sales: commercial income, reported apart
    PROJECT_SPENDING = "project_spending"
    OTHER_SPENDING = "other_spending"
    FUNDRAISING_COST = "fundraising_cost"
    MANAGEMENT_COST = "management_cost"  # 管理费用: running the organisation itself
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"


DONATION_INCOME_KINDS = (EntryKind.DONATION, EntryKind.ACTIVITY_INCOME)
COMMERCIAL_INCOME_KINDS = (EntryKind.SALE_INCOME,)
INCOME_KINDS = DONATION_INCOME_KINDS + COMMERCIAL_INCOME_KINDS
SPENDING_KINDS = (EntryKind.PROJECT_SPENDING, EntryKind.OTHER_SPENDING, EntryKind.FUNDRAISING_COST,
                  EntryKind.MANAGEMENT_COST)


# The balance column (FundBalance) each kind of entry adds to.
COLUMN = {
    EntryKind.DONATION: "donation_income",
    EntryKind.ACTIVITY_INCOME: "donation_income",
    EntryKind.SALE_INCOME: "commercial_income",
    EntryKind.PROJECT_SPENDING: "spent_projects",
    EntryKind.OTHER_SPENDING: "spent_other",
    EntryKind.FUNDRAISING_COST: "fundraising_costs",
    # A fund's balance needs only what is left: management costs are kept in its "other
    # uses" column, and the reports that name them (the annual report) sum them by kind
    # from the ledger.
    EntryKind.MANAGEMENT_COST: "spent_other",
    EntryKind.TRANSFER_IN: "transfers_in",
    EntryKind.TRANSFER_OUT: "transfers_out",
}
OUTFLOWS = {EntryKind.PROJECT_SPENDING, EntryKind.OTHER_SPENDING, EntryKind.FUNDRAISING_COST,
            EntryKind.MANAGEMENT_COST, EntryKind.TRANSFER_OUT}
INFLOWS = {EntryKind.DONATION, EntryKind.ACTIVITY_INCOME, EntryKind.SALE_INCOME,
           EntryKind.TRANSFER_IN}


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


class FundEntry(Posted, Base):
    """One line of the money ledger. Never updated or deleted once posted: a correction is a
    reversal (same kind, opposite amount, `reverses_id`) plus, if needed, a replacement
    (`replaces_id`)."""

    __tablename__ = "fund_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind, "entry_kind"), index=True)
    entry_date: Mapped[dt.date] = mapped_column(index=True)
    amount: Mapped[Decimal]
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    counterparty: Mapped[str] = mapped_column(sa.String(200), default="")
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel, "channel"))
    activity: Mapped[Activity | None] = mapped_column(enum_column(Activity, "activity"))
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
        # Below a trillion yuan either way: on SQLite the column counts fen (core.db.Money).
        sa.CheckConstraint("amount < 1000000000000 AND amount > -1000000000000",
                           name="amount_bounded").ddl_if(dialect="postgresql"),
        sa.CheckConstraint("amount < 100000000000000 AND amount > -100000000000000",
                           name="amount_bounded").ddl_if(dialect="sqlite"),
        sa.Index("ix_fund_entry_org_date", "organization_id", "entry_date"),
        # The ledger list's totals read this index alone (migration 0029, issue 21).
        sa.Index("ix_fund_entry_org_kind_project", "organization_id", "kind", "project_id",
                 "amount"),
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

    # The figures are defined once, in charity.funds.queries (they also sum the ledger).
    @property
    def income(self) -> Decimal:
        from charity.funds.queries import income

        return income(self)

    @property
    def used(self) -> Decimal:
        from charity.funds.queries import used

        return used(self)

    @property
    def remaining(self) -> Decimal:
        return self.income + self.transfers_in - self.transfers_out - self.used
