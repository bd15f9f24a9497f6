"""Home delivery (送货上门) for households who cannot come to the supermarket.

Private columns (never on a public page, the API, an export or a log line): the delivery
address and the household's name and phone (on `Beneficiary`), the confirmation code. Only
the staff member assigned to a delivery and the organisation's managers see the address
(`charity.delivery.services.may_see_address`). Public figures count deliveries by month and
community (`community` is copied onto the order when it is created, so a household moving
does not rewrite last year's figures).
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, Created, Qty


def _enum(cls, name: str):
    return sa.Enum(cls, native_enum=False, length=16, create_constraint=True,
                   values_callable=lambda e: [m.value for m in e], name=name)


class NeedReason(enum.StrEnum):
    ELDERLY_ALONE = "elderly_alone"  # 独居老人
    DISABILITY = "disability"  # 残疾
    ILLNESS = "illness"  # 患病
    OTHER = "other"


class DeliveryStatus(enum.StrEnum):
    RESERVED = "reserved"  # ordered: stock reserved at the point
    PACKED = "packed"
    OUT = "out"  # out for delivery
    DELIVERED = "delivered"
    FAILED = "failed"


OPEN_STATUSES = (DeliveryStatus.RESERVED, DeliveryStatus.PACKED, DeliveryStatus.OUT)


class DeliveryNeed(Created, Base):
    """A household's need for delivery: why, and where to (private)."""

    __tablename__ = "delivery_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary.id"), unique=True)
    reason: Mapped[NeedReason] = mapped_column(_enum(NeedReason, "delivery_need_reason"))
    address: Mapped[str] = mapped_column(sa.String(300))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)

    beneficiary = relationship("Beneficiary")


class Delivery(Created, Base):
    """A delivery order; each step stamps who and when (created → packed → out → delivered,
    or failed from any open step)."""

    __tablename__ = "delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary.id"), index=True)
    community: Mapped[str] = mapped_column(sa.String(100), default="")
    assigned_to_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    planned_on: Mapped[dt.date] = mapped_column(index=True)
    confirm_code: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"),
                                                   default=DeliveryStatus.RESERVED, index=True)
    packed_at: Mapped[dt.datetime | None]
    packed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    out_at: Mapped[dt.datetime | None]
    out_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    delivered_at: Mapped[dt.datetime | None]
    delivered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    delivered_on: Mapped[dt.date | None] = mapped_column(index=True)
    distribution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("distribution.id"))
    failed_at: Mapped[dt.datetime | None]
    failed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    fail_reason: Mapped[str] = mapped_column(sa.String(300), default="")

    point = relationship("CharityPoint")
    beneficiary = relationship("Beneficiary")
    assigned_to = relationship("User", foreign_keys=[assigned_to_id])
    distribution = relationship("Distribution")
    lines: Mapped[list[DeliveryLine]] = relationship(
        back_populates="delivery", order_by="DeliveryLine.id")

    __table_args__ = (
        sa.CheckConstraint("status <> 'delivered' OR distribution_id IS NOT NULL",
                           name="delivered_has_distribution"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class DeliveryLine(Base):
    """What is reserved for a delivery: one batch of one item (first-expiry-first-out)."""

    __tablename__ = "delivery_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery.id"), index=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Qty)
    batch: Mapped[str] = mapped_column(sa.String(64), default="")  # "" when not batched

    delivery: Mapped[Delivery] = relationship(back_populates="lines")
    item_type = relationship("ItemType")

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)
