"""Goods: the catalogue, the stock ledger and the documents that move stock (intake,
transfer, stocktake, distribution, sale, write-off). Their vocabularies (kinds, states) are in
`charity.goods.enums` and importable from here too."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from charity.core.db import Base, Created, Posted, Qty, utcnow
from charity.goods.packaging import ItemUnit
from charity.goods.enums import (Condition, DocStatus, MovementKind, StocktakeStatus,
                                 TransferStatus, WriteOffReason)


def _enum(cls, name):
    return sa.Enum(cls, native_enum=False, length=24, create_constraint=True,
                   values_callable=lambda e: [m.value for m in e], name=name)


class PointDocument:
    """Mixin: a document of one point: its id, organisation and point (both indexed), as the
    first columns of its table."""

    @declared_attr
    def id(cls) -> Mapped[int]:
        return mapped_column(primary_key=True, sort_order=-3)

    @declared_attr
    def organization_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("organization.id"), index=True, sort_order=-2)

    @declared_attr
    def point_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("charity_point.id"), index=True, sort_order=-1)


class ItemCategory(Base):
    """Seeded by migration 0003; codes are stable, names are shown as they are."""

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
    # Packaging units, largest first (`charity.goods.packaging`); `unit` is the base unit.
    units: Mapped[list[ItemUnit]] = relationship(order_by="ItemUnit.factor.desc()",
                                                 lazy="selectin", cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name", "unit"),
        sa.UniqueConstraint("organization_id", "barcode"),
        sa.CheckConstraint("point_price >= 0", name="points_not_negative"),
        sa.CheckConstraint("sale_price IS NULL OR sale_price >= 0", name="price_not_negative"),
    )


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
    # Held for open home deliveries (charity.delivery): on the shelf, but not to be handed
    # out, sold or transferred by anyone else (stock_ledger.move keeps quantity - reserved).
    reserved: Mapped[Decimal] = mapped_column(Qty, default=Decimal("0"), server_default="0")

    item_type: Mapped[ItemType] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("point_id", "item_type_id", "batch"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )


class StockMovement(Posted, Base):
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

    item_type: Mapped[ItemType] = relationship()

    __table_args__ = (
        sa.CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        sa.Index("ix_stock_movement_balance_key", "point_id", "item_type_id", "batch"),
        sa.Index("ix_stock_movement_document", "document_type", "document_id"),
        # The movement list of an organisation, newest first, any page (migration 0029).
        sa.Index("ix_stock_movement_org_date", "organization_id", "movement_date", "id"),
    )


def _doc_status():
    return mapped_column(_enum(DocStatus, "doc_status"), default=DocStatus.POSTED)


class Intake(PointDocument, Posted, Base):
    """A donation of goods received at a point (接收捐赠)."""

    __tablename__ = "intake"

    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(index=True)
    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipt.id"))
    preregistration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("preregistration.id"))
    total_value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    status: Mapped[DocStatus] = _doc_status()
    note: Mapped[str] = mapped_column(sa.Text, default="")
    reversed_reason: Mapped[str] = mapped_column(sa.Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intake.id"))

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


class Stocktake(PointDocument, Created, Base):
    """A count of a point's shelves (盘点): draft → submitted → approved by a manager."""

    __tablename__ = "stocktake"

    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("item_category.id"))
    status: Mapped[StocktakeStatus] = mapped_column(_enum(StocktakeStatus, "stocktake_status"),
                                                    default=StocktakeStatus.DRAFT)
    counted_on: Mapped[dt.date]
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


class WriteOff(PointDocument, Posted, Base):
    __tablename__ = "write_off"

    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"))
    batch: Mapped[str] = mapped_column(sa.String(64), default="")
    quantity: Mapped[Decimal] = mapped_column(Qty)
    reason: Mapped[WriteOffReason] = mapped_column(_enum(WriteOffReason, "write_off_reason"))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    written_off_on: Mapped[dt.date]

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)


class Distribution(PointDocument, Posted, Base):
    """Goods handed to a beneficiary household at a point (发放)."""

    __tablename__ = "distribution"

    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id"), index=True)
    distributed_on: Mapped[dt.date] = mapped_column(index=True)
    points_total: Mapped[int] = mapped_column(default=0)
    status: Mapped[DocStatus] = _doc_status()
    reversed_reason: Mapped[str] = mapped_column(sa.Text, default="")

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


class Sale(PointDocument, Posted, Base):
    """A charity sale at a point (义卖/慈善消费); the proceeds go to the fund ledger."""

    __tablename__ = "sale"

    sold_on: Mapped[dt.date] = mapped_column(index=True)
    payment_method: Mapped[str] = mapped_column(sa.String(24))
    total: Mapped[Decimal]
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"))
    fund_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_entry.id"))
    status: Mapped[DocStatus] = _doc_status()

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

