"""A box, what it holds (item, batch, quantity at its point) and the log of what happened to
it. The contents name batches of the stock balance of the box's point; the ledger stays the
truth (docs/decisions/0025-boxes.md)."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, Created, Qty, utcnow
from charity.goods.models import ItemType, PointDocument


class BoxState(enum.StrEnum):
    ON_SHELF = "on_shelf"
    IN_TRANSIT = "in_transit"
    HANDED_OUT = "handed_out"
    LOST = "lost"


class BoxEventKind(enum.StrEnum):
    PACKED = "packed"
    SENT = "sent"
    RECEIVED = "received"
    HANDED_OUT = "handed_out"
    LOST = "lost"
    COUNTED = "counted"  # found on the shelf in a stocktake
    MISSING = "missing"  # not found in a stocktake


def _enum(cls, name):
    return sa.Enum(cls, native_enum=False, length=24, create_constraint=True,
                   values_callable=lambda e: [m.value for m in e], name=name)


class Box(PointDocument, Created, Base):
    """A box at a point (the point it is at, or was last at once handed out or lost)."""

    __tablename__ = "box"

    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    label: Mapped[str] = mapped_column(sa.String(100), default="")
    state: Mapped[BoxState] = mapped_column(_enum(BoxState, "box_state"), index=True,
                                            default=BoxState.ON_SHELF)
    # The transfer it travels in (or last travelled in), the distribution that handed it out.
    transfer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transfer.id"), index=True)
    distribution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("distribution.id"))

    lines: Mapped[list[BoxLine]] = relationship(back_populates="box", order_by="BoxLine.id")
    events: Mapped[list[BoxEvent]] = relationship(order_by="BoxEvent.id")
    point = relationship("CharityPoint")

    @property
    def is_open(self) -> bool:
        """Still holds goods the point is responsible for (on the shelf or on its way)."""
        return self.state in (BoxState.ON_SHELF, BoxState.IN_TRANSIT)


class BoxLine(Base):
    """So much of one batch of an item in the box."""

    __tablename__ = "box_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    box_id: Mapped[int] = mapped_column(sa.ForeignKey("box.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Qty)
    item_type_id: Mapped[int] = mapped_column(sa.ForeignKey("item_type.id"), index=True)
    batch: Mapped[str] = mapped_column(sa.String(64), default="")

    box: Mapped[Box] = relationship(back_populates="lines")
    item_type: Mapped[ItemType] = relationship()

    __table_args__ = (sa.UniqueConstraint("box_id", "item_type_id", "batch"),
                      sa.CheckConstraint("quantity > 0", name="quantity_positive"))


class BoxEvent(Base):
    """One step of a box's life: who, when, where, and the stock document it posted (if any).
    Append-only; reports count from these stamps, not from the current state."""

    __tablename__ = "box_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    box_id: Mapped[int] = mapped_column(sa.ForeignKey("box.id"), index=True)
    kind: Mapped[BoxEventKind] = mapped_column(_enum(BoxEventKind, "box_event_kind"))
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    document_type: Mapped[str] = mapped_column(sa.String(24), default="")
    document_id: Mapped[int | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")
