"""What makes a receipt a 公益事业捐赠票据 rather than a 捐赠收据 (财综〔2024〕1号).

A finance department allocates an organisation its receipts: a 票据代码 and a range of
票据号码, under its supervision (监制). Only a receipt numbered from such an allocation may
carry the 票据 title; without one the organisation issues a 捐赠收据 that says it is not the
finance-supervised receipt. `ReceiptPolicy` holds the organisation's receipt settings
(whether a second person reviews each receipt, the 复核人).
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from charity.core.db import Base, utcnow


class ReceiptAllocation(Base):
    """A range of receipt numbers allocated by a finance department. `next_number` is the
    next one to use; the row is locked while a number is taken (numbers are gap-free)."""

    __tablename__ = "receipt_allocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    bill_code: Mapped[str] = mapped_column(sa.String(32))  # 票据代码
    first_number: Mapped[int]
    last_number: Mapped[int]
    next_number: Mapped[int]
    number_width: Mapped[int] = mapped_column(default=10)  # 票据号码 printed with leading zeros
    authority: Mapped[str] = mapped_column(sa.String(200))  # 监制单位, e.g. 甘肃省财政厅
    project_code: Mapped[str] = mapped_column(sa.String(32), default="")  # 项目编码
    valid_from: Mapped[dt.date]
    valid_until: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    __table_args__ = (
        sa.UniqueConstraint("bill_code", "first_number"),
        sa.CheckConstraint("first_number >= 0 AND last_number >= first_number",
                           name="range_ordered"),
        sa.CheckConstraint("next_number >= first_number AND next_number <= last_number + 1",
                           name="next_in_range"),
    )

    def format_number(self, number: int) -> str:
        return f"{number:0{self.number_width}d}"

    @property
    def remaining(self) -> int:
        return self.last_number + 1 - self.next_number


class ReceiptPolicy(Base):
    """An organisation's receipt settings; no row means the defaults (no review)."""

    __tablename__ = "receipt_policy"

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"),
                                                 primary_key=True)
    review_required: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
