"""Micro-wishes (微心愿): a household's small wish, posted anonymised, claimed by the public.

Public columns: what, tag, age, category, quantity, unit, point, status and the dates.
Private columns (staff only, never on a public page, feed or log line): the linked household,
the claimant's name and phone, the staff note.
"""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, Created


class WishStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


class Wish(Created, Base):
    """A wish; `created_at`/`created_by_id` (Created) stamp who posted it."""

    __tablename__ = "wish"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    # Public, anonymised: "一件冬衣 · 留守儿童 · 8岁".
    what: Mapped[str] = mapped_column(sa.String(100))
    tag: Mapped[str] = mapped_column(sa.String(50), default="")
    age: Mapped[int | None]
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("item_category.id"))
    quantity: Mapped[int] = mapped_column(default=1)
    unit: Mapped[str] = mapped_column(sa.String(16), default="")
    # Private: staff only.
    beneficiary_id: Mapped[int | None] = mapped_column(sa.ForeignKey("beneficiary.id"),
                                                       index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[WishStatus] = mapped_column(
        sa.Enum(WishStatus, native_enum=False, length=16, create_constraint=True,
                values_callable=lambda e: [m.value for m in e], name="wish_status"),
        default=WishStatus.OPEN, index=True)
    # The claim (public step): a reference the claimant keeps, their name and phone.
    claim_ref: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    claimant_name: Mapped[str] = mapped_column(sa.String(100), default="")
    claimant_phone: Mapped[str] = mapped_column(sa.String(50), default="")
    claimed_at: Mapped[dt.datetime | None]
    # The last release of a claim (back to open).
    released_at: Mapped[dt.datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    release_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    fulfilled_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    fulfilled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    intake_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intake.id"), index=True)
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    organization = relationship("Organization")
    point = relationship("CharityPoint")
    category = relationship("ItemCategory")
    beneficiary = relationship("Beneficiary")
    intake = relationship("Intake")
    created_by = relationship("User", foreign_keys="Wish.created_by_id")
    released_by = relationship("User", foreign_keys=[released_by_id])
    fulfilled_by = relationship("User", foreign_keys=[fulfilled_by_id])
    cancelled_by = relationship("User", foreign_keys=[cancelled_by_id])

    __table_args__ = (
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
        sa.CheckConstraint("age IS NULL OR (age >= 0 AND age <= 120)", name="age_range"),
        # A fulfilled wish names the intake that fulfilled it.
        sa.CheckConstraint("status <> 'fulfilled' OR intake_id IS NOT NULL",
                           name="fulfilled_has_intake"),
        sa.CheckConstraint("status <> 'claimed' OR claimed_at IS NOT NULL",
                           name="claimed_has_time"),
    )

    def __repr__(self) -> str:
        return f"<Wish {self.id} {self.status}>"
