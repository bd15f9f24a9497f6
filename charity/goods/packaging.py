"""Packaging units of a catalogue item (1 箱 = 24 瓶; 1 斤 = 0.5 kg; 1 袋 = 5 kg).

An item's `ItemType.unit` is its base unit: the stock ledger, balances, points prices and
monthly limits are all in it. A packaging unit only converts what people type and shows
what they read (`charity.goods.quantities`). See docs/decisions/0024-units.md.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from charity.core.db import Base, Qty


class ItemUnit(Base):
    __tablename__ = "item_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(16))
    # How many base units one of this unit holds, exactly (to the thousandth).
    factor: Mapped[Decimal] = mapped_column(Qty)
    # Stock is shown broken down into this unit ("3 箱 + 5 瓶"); 斤 for rice is typed, not shown.
    shown: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.UniqueConstraint("item_type_id", "name"),
        sa.CheckConstraint("factor > 0", name="factor_positive"),
    )
