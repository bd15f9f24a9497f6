"""Goods: the catalogue, the stock ledger and the documents that move stock (intake,
transfer, stocktake, distribution, sale, write-off)."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, utcnow

Qty = sa.Numeric(14, 3)


def _enum(cls, name):
    return sa.Enum(cls, native_enum=False, length=24, create_constraint=True,
                   values_callable=lambda e: [m.value for m in e], name=name)


# Seeded by migration 0003; codes are stable, names are shown as they are.
SEED_CATEGORIES = [
    ("clothing", "衣物鞋帽"), ("food", "粮油食品"), ("household", "日用百货"),
    ("appliances", "家用电器"), ("books", "文体用品与书籍"), ("baby", "母婴用品"),
    ("elderly_disabled", "助老助残用品"), ("other", "其他"),
]
# Units whose quantities are whole numbers.
COUNTABLE_UNITS = {"件", "个", "双", "套", "本", "台", "袋", "箱", "瓶", "包", "条", "床", "盒", "桶",
                   "张", "把", "只", "辆", "顶", "副", "piece", "pcs"}


class ItemCategory(Base):
    __tablename__ = "item_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    sort: Mapped[int] = mapped_column(default=0)


class RefusedGood(Base):
    """Goods the point does not accept, with the reason told to the donor."""

    __tablename__ = "refused_good"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    reason: Mapped[str] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(default=True)


class ItemType(Base):
    __tablename__ = "item_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("item_category.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    unit: Mapped[str] = mapped_column(sa.String(16))
    countable: Mapped[bool] = mapped_column(default=True)
    default_fair_value: Mapped[Decimal | None]
    point_price: Mapped[int] = mapped_column(default=0)  # 爱心积分 per unit
    sale_price: Mapped[Decimal | None]
    perishable: Mapped[bool] = mapped_column(default=False)
    # Most a household may receive per calendar month (None: no limit).
    monthly_limit: Mapped[Decimal | None] = mapped_column(Qty)
    barcode: Mapped[str | None] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(default=True)

    category: Mapped[ItemCategory] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name", "unit"),
        sa.UniqueConstraint("organization_id", "barcode"),
        sa.CheckConstraint("point_price >= 0", name="points_not_negative"),
        sa.CheckConstraint("sale_price IS NULL OR sale_price >= 0", name="price_not_negative"),
    )


class MovementKind(enum.StrEnum):
    DONATION_IN = "donation_in"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    TRANSFER_LOSS = "transfer_loss"
    DISTRIBUTION = "distribution"
    SALE = "sale"
    WRITE_OFF = "write_off"
    STOCKTAKE = "stocktake"
    REVERSAL = "reversal"


class StockBalance(Base):
    """Quantity on hand per (point, item type, batch), kept in the same transaction as every
    movement. The check constraint makes a negative balance impossible in the database."""

    __tablename__ = "stock_balance"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"))
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"), index=True)
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    expiry_date: Mapped[dt.date | None] = mapped_column(index=True)
    quantity: Mapped[Decimal] = mapped_column(Qty, default=Decimal("0"))
    value: Mapped[Decimal] = mapped_column(default=Decimal("0"))  # fair value on hand

    item_type: Mapped[ItemType] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("point_id", "item_type_id", "batch"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )


class StockMovement(Base):
    """One line of the stock ledger. Append-only: corrections are reversal movements."""

    __tablename__ = "stock_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"))
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"), index=True)
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    kind: Mapped[MovementKind] = mapped_column(_enum(MovementKind, "movement_kind"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Qty)  # + in, − out
    unit_value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    movement_date: Mapped[dt.date] = mapped_column(index=True)
    document_type: Mapped[str] = mapped_column(sa.String(24))
    document_id: Mapped[int]
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_movement.id"),
                                                    unique=True)
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    item_type: Mapped[ItemType] = relationship()

    __table_args__ = (
        sa.CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        sa.Index("ix_stock_movement_balance_key", "point_id", "item_type_id", "batch"),
        sa.Index("ix_stock_movement_document", "document_type", "document_id"),
    )


class Condition(enum.StrEnum):
    NEW = "new"
    GOOD = "good"
    USABLE = "usable"


class DocStatus(enum.StrEnum):
    POSTED = "posted"
    REVERSED = "reversed"


class Intake(Base):
    """A donation of goods received at a point (接收捐赠)."""

    __tablename__ = "intake"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(index=True)
    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipt.id"))
    preregistration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("preregistration.id"))
    total_value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    status: Mapped[DocStatus] = mapped_column(_enum(DocStatus, "doc_status"),
                                              default=DocStatus.POSTED)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    reversed_reason: Mapped[str] = mapped_column(sa.Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intake.id"))
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[IntakeLine]] = relationship(back_populates="intake",
                                                   order_by="IntakeLine.id")
    point = relationship("CharityPoint")
    donor = relationship("Donor")
    receipt = relationship("Receipt")


class IntakeLine(Base):
    __tablename__ = "intake_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(sa.ForeignKey("intake.id"), index=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"))
    quantity: Mapped[Decimal] = mapped_column(Qty)
    condition: Mapped[Condition] = mapped_column(_enum(Condition, "condition"))
    unit_value: Mapped[Decimal]
    valuation_basis: Mapped[str] = mapped_column(sa.String(200), default="")
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    production_date: Mapped[dt.date | None]
    expiry_date: Mapped[dt.date | None]
    inspected: Mapped[bool] = mapped_column(default=False)

    intake: Mapped[Intake] = relationship(back_populates="lines")
    item_type: Mapped[ItemType] = relationship()

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),
                      sa.CheckConstraint("unit_value >= 0", name="value_not_negative"))


class PreRegistration(Base):
    """A drop-off announced online; the donor brings the code to the counter."""

    __tablename__ = "preregistration"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    donor_name: Mapped[str] = mapped_column(sa.String(100), default="")
    donor_phone: Mapped[str] = mapped_column(sa.String(50), default="")
    items: Mapped[str] = mapped_column(sa.Text, default="")
    expected_on: Mapped[dt.date | None]
    wants_receipt: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None]


class TransferStatus(enum.StrEnum):
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"


class Transfer(Base):
    """Goods sent from one point to another (调拨): sent → received, loss recorded."""

    __tablename__ = "transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    from_point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    to_point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    status: Mapped[TransferStatus] = mapped_column(_enum(TransferStatus, "transfer_status"),
                                                   default=TransferStatus.IN_TRANSIT)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    sent_on: Mapped[dt.date]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    received_at: Mapped[dt.datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    lines: Mapped[list[TransferLine]] = relationship(back_populates="transfer",
                                                     order_by="TransferLine.id")
    from_point = relationship("CharityPoint", foreign_keys=[from_point_id])
    to_point = relationship("CharityPoint", foreign_keys=[to_point_id])

    __table_args__ = (sa.CheckConstraint("from_point_id <> to_point_id", name="two_points"),)


class TransferLine(Base):
    __tablename__ = "transfer_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(sa.ForeignKey("transfer.id"), index=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"))
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    expiry_date: Mapped[dt.date | None]
    unit_value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    quantity_sent: Mapped[Decimal] = mapped_column(Qty)
    quantity_received: Mapped[Decimal | None] = mapped_column(Qty)
    loss_reason: Mapped[str] = mapped_column(sa.String(300), default="")

    transfer: Mapped[Transfer] = relationship(back_populates="lines")
    item_type: Mapped[ItemType] = relationship()


class StocktakeStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"


class Stocktake(Base):
    """A count of a point's shelves (盘点): draft → submitted → approved by a manager."""

    __tablename__ = "stocktake"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("item_category.id"))
    status: Mapped[StocktakeStatus] = mapped_column(_enum(StocktakeStatus, "stocktake_status"),
                                                    default=StocktakeStatus.DRAFT)
    counted_on: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[dt.datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    lines: Mapped[list[StocktakeLine]] = relationship(back_populates="stocktake",
                                                      order_by="StocktakeLine.id")
    point = relationship("CharityPoint")


class StocktakeLine(Base):
    __tablename__ = "stocktake_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(sa.ForeignKey("stocktake.id"), index=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"))
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    counted: Mapped[Decimal] = mapped_column(Qty)
    expected: Mapped[Decimal | None] = mapped_column(Qty)  # the balance at approval

    stocktake: Mapped[Stocktake] = relationship(back_populates="lines")
    item_type: Mapped[ItemType] = relationship()

    __table_args__ = (sa.UniqueConstraint("stocktake_id", "item_type_id", "batch"),
                      sa.CheckConstraint("counted >= 0", name="counted_not_negative"))


class WriteOffReason(enum.StrEnum):
    EXPIRED = "expired"
    DAMAGED = "damaged"
    UNUSABLE = "unusable"


class WriteOff(Base):
    __tablename__ = "write_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"))
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    quantity: Mapped[Decimal] = mapped_column(Qty)
    reason: Mapped[WriteOffReason] = mapped_column(_enum(WriteOffReason, "write_off_reason"))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    written_off_on: Mapped[dt.date]
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)


class Distribution(Base):
    """Goods handed to a beneficiary household at a point (发放)."""

    __tablename__ = "distribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id"), index=True)
    distributed_on: Mapped[dt.date] = mapped_column(index=True)
    points_total: Mapped[int] = mapped_column(default=0)
    status: Mapped[DocStatus] = mapped_column(_enum(DocStatus, "doc_status"),
                                              default=DocStatus.POSTED)
    reversed_reason: Mapped[str] = mapped_column(sa.Text, default="")
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[DistributionLine]] = relationship(back_populates="distribution",
                                                         order_by="DistributionLine.id")
    beneficiary = relationship("Beneficiary")
    point = relationship("CharityPoint")
    project = relationship("Project")


class DistributionLine(Base):
    __tablename__ = "distribution_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    distribution_id: Mapped[int] = mapped_column(sa.ForeignKey("distribution.id"), index=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"), index=True)
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    quantity: Mapped[Decimal] = mapped_column(Qty)
    unit_value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    points: Mapped[int] = mapped_column(default=0)

    distribution: Mapped[Distribution] = relationship(back_populates="lines")
    item_type: Mapped[ItemType] = relationship()

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)


class Sale(Base):
    """A charity sale at a point (义卖/慈善消费); the proceeds go to the fund ledger."""

    __tablename__ = "sale"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    sold_on: Mapped[dt.date] = mapped_column(index=True)
    payment_method: Mapped[str] = mapped_column(sa.String(24))
    total: Mapped[Decimal]
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"))
    fund_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_entry.id"))
    status: Mapped[DocStatus] = mapped_column(_enum(DocStatus, "doc_status"),
                                              default=DocStatus.POSTED)
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[SaleLine]] = relationship(back_populates="sale", order_by="SaleLine.id")
    point = relationship("CharityPoint")


class SaleLine(Base):
    __tablename__ = "sale_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(sa.ForeignKey("sale.id"), index=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"))
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    quantity: Mapped[Decimal] = mapped_column(Qty)
    unit_price: Mapped[Decimal]
    amount: Mapped[Decimal]

    sale: Mapped[Sale] = relationship(back_populates="lines")
    item_type: Mapped[ItemType] = relationship()

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)


class StockTarget(Base):
    """How much of an item a point wants on hand: below it, the item is on the needs list."""

    __tablename__ = "stock_target"

    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), primary_key=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"), primary_key=True)
    wanted: Mapped[Decimal] = mapped_column(Qty)
