"""The one reading of "expired" (Food Safety Law Arts. 53–54): a batch is past its expiry
date on calendar day `on` (the organisation's) when its expiry date is before `on` — on the
expiry day itself it is still within it. The ledger refuses outgoing movements by this rule,
and every "available" figure leaves out what it calls expired."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

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
