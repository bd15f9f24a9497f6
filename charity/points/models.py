"""Tables of the time bank: accounts and their append-only ledger, the organisation's dated
rates, the manager's review of each shift's hours, and the counter's redemptions."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, Posted, Qty, utcnow


def _enum(cls, name):
    return sa.Enum(cls, native_enum=False, length=24, create_constraint=True,
                   values_callable=lambda e: [m.value for m in e], name=name)


class EntryKind(enum.StrEnum):
    EARN = "earn"  # + approved hours
    SPEND = "spend"  # − goods at the counter
    GIVE = "give"  # − on the giver, + on the household
    EXPIRE = "expire"  # − points past their expiry
    ADJUST = "adjust"  # ± a manager's correction with a reason


class PointsAccount(Base):
    """Who holds points in the ledger: a volunteer or a household (exactly one). The balance
    is kept in the same transaction as every entry and can never go below zero."""

    __tablename__ = "points_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("volunteer.id"), unique=True)
    beneficiary_id: Mapped[int | None] = mapped_column(sa.ForeignKey("beneficiary.id"),
                                                       unique=True)
    balance: Mapped[int] = mapped_column(default=0)
    # The volunteer agreed to be named in the public thanks (never without it).
    publish_name: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("balance >= 0", name="balance_not_negative"),
        sa.CheckConstraint("(volunteer_id IS NULL) <> (beneficiary_id IS NULL)",
                           name="one_holder"),
    )


class PointsLedgerEntry(Posted, Base):
    """One movement of points: never edited or deleted; a correction is an adjustment."""

    __tablename__ = "points_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("points_account.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind, "points_entry_kind"))
    amount: Mapped[int]
    balance_after: Mapped[int]
    entry_date: Mapped[dt.date] = mapped_column(index=True)  # the organisation's calendar day
    expires_on: Mapped[dt.date | None]  # credits only
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    document_type: Mapped[str] = mapped_column(sa.String(32), default="")
    document_id: Mapped[int | None]
    other_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("points_account.id"),
                                                         index=True)

    __table_args__ = (
        sa.CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        sa.CheckConstraint("(amount > 0) = (expires_on IS NOT NULL)", name="credits_expire"),
    )


class PointsRate(Base):
    """The organisation's time-bank terms from a day on: points per hour of service and the
    months until credited points expire. A change is a new row, never retroactive."""

    __tablename__ = "points_rate"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    points_per_hour: Mapped[int]
    expiry_months: Mapped[int] = mapped_column(default=24)
    effective_from: Mapped[dt.date]
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "effective_from"),
        sa.CheckConstraint("points_per_hour BETWEEN 0 AND 1000", name="rate_range"),
        sa.CheckConstraint("expiry_months BETWEEN 1 AND 120", name="expiry_range"),
    )


class ReviewStatus(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class HoursReview(Base):
    """A manager's decision on one signed-out shift; approved hours earn points once."""

    __tablename__ = "hours_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id"), unique=True)
    status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus, "review_status"))
    hours: Mapped[Decimal] = mapped_column(Qty())
    points_per_hour: Mapped[int] = mapped_column(default=0)
    points: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint("points >= 0", name="points_not_negative"),)


class PointsRedemption(Posted, Base):
    """Goods a volunteer takes at the counter for points (like a household's distribution)."""

    __tablename__ = "points_redemption"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id"), index=True)
    redeemed_on: Mapped[dt.date] = mapped_column(index=True)
    points_total: Mapped[int] = mapped_column(default=0)

    lines: Mapped[list[PointsRedemptionLine]] = relationship(
        back_populates="redemption", order_by="PointsRedemptionLine.id")


class PointsRedemptionLine(Base):
    __tablename__ = "points_redemption_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    redemption_id: Mapped[int] = mapped_column(sa.ForeignKey("points_redemption.id"),
                                               index=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"), index=True)
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    quantity: Mapped[Decimal] = mapped_column(Qty())
    unit_value: Mapped[Decimal]
    points: Mapped[int] = mapped_column(default=0)

    redemption: Mapped[PointsRedemption] = relationship(back_populates="lines")
    item_type = relationship("ItemType")

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)
