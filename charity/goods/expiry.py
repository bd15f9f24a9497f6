"""The one reading of "expired" (Food Safety Law Arts. 53–54): a batch is past its expiry
date on calendar day `on` (the organisation's) when its expiry date is before `on` — on the
expiry day itself it is still within it. The ledger refuses outgoing movements by this rule,
and every "available" figure leaves out what it calls expired. The scheduler's daily shelf
check is recorded here too (`ExpiryCheck`)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from charity.core.db import Base, utcnow
from charity.goods.models import StockBalance


def is_expired(expiry: dt.date | None, on: dt.date) -> bool:
    """Past its expiry date on day `on`; goods without an expiry date never are."""
    return expiry is not None and expiry < on


def not_expired(on: dt.date):
    """SQL condition on a stock balance row: within its expiry date on `on`, or none."""
    return sa.or_(StockBalance.expiry_date.is_(None), StockBalance.expiry_date >= on)


def expired(on: dt.date):
    """SQL condition on a stock balance row: past its expiry date on `on`."""
    return StockBalance.expiry_date < on


class ExpiryCheck(Base):
    """The daily check of a point's shelves for expired food (Food Safety Law Arts. 53–54:
    regular checks that remove it), made by the scheduler once per point and day: how many
    batches it found past their expiry date, still on the shelf. A record of the check, not
    of the batches: what is expired now is read from the balances."""

    __tablename__ = "expiry_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"))
    checked_on: Mapped[dt.date]
    expired_batches: Mapped[int] = mapped_column(default=0)
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("point_id", "checked_on"),
                      sa.CheckConstraint("expired_batches >= 0", name="batches_not_negative"))
