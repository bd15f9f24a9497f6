"""Donation receipts (捐赠票据): the receipt, its lines and the per-year number sequence."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, Qty, utcnow
from charity.funds.models.columns import enum_column

if TYPE_CHECKING:
    from charity.funds.models.ledger import FundEntry


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
    kind: Mapped[ReceiptKind] = mapped_column(enum_column(ReceiptKind, "receipt_kind"))
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    payer_name: Mapped[str] = mapped_column(sa.String(200))
    payer_code: Mapped[str] = mapped_column(sa.String(32), default="")
    issued_on: Mapped[dt.date]
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    handler: Mapped[str] = mapped_column(sa.String(100), default="")
    total: Mapped[Decimal]
    status: Mapped[ReceiptStatus] = mapped_column(enum_column(ReceiptStatus, "receipt_status"),
                                                  default=ReceiptStatus.ISSUED)
    void_reason: Mapped[str] = mapped_column(sa.Text, default="")
    voided_at: Mapped[dt.datetime | None]
    voided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # With a finance-bureau allocation the receipt is a 公益事业捐赠票据 numbered from it;
    # without one (allocation_id NULL) it is a 捐赠收据 (charity.funds.models.receipt_allocation).
    allocation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("receipt_allocation.id"), index=True)
    bill_code: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    bill_number: Mapped[str | None] = mapped_column(sa.String(32))
    # The number of the electronic receipt issued for this gift on the finance platform.
    platform_number: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    remark: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")  # 备注
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime | None]

    organization = relationship("Organization")
    allocation = relationship("ReceiptAllocation")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    donor = relationship("Donor")
    lines: Mapped[list[ReceiptLine]] = relationship(back_populates="receipt",
                                                    order_by="ReceiptLine.id")
    entries: Mapped[list[FundEntry]] = relationship(back_populates="receipt")

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "year", "seq"),
        sa.UniqueConstraint("organization_id", "number"),
        sa.CheckConstraint("total >= 0", name="total_not_negative"),
        # An index, not a table constraint: SQLite adds it without rebuilding the table.
        sa.Index("ix_receipt_allocation_bill_number", "allocation_id", "bill_number",
                 unique=True),
        # The receipt list's keyset order (newest year, then newest issued: issue 21).
        sa.Index("ix_receipt_year_id", "year", "id"),
    )

    @property
    def is_finance_receipt(self) -> bool:
        """A 公益事业捐赠票据 (numbered from an allocation), not a 捐赠收据."""
        return self.allocation_id is not None


class ReceiptLine(Base):
    __tablename__ = "receipt_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipt.id"), index=True)
    item: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(20), default="")
    quantity: Mapped[Decimal] = mapped_column(Qty, default=Decimal("1"))
    unit_value: Mapped[Decimal | None]
    amount: Mapped[Decimal]

    receipt: Mapped[Receipt] = relationship(back_populates="lines")
