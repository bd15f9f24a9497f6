"""Checks shared by the goods documents."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from charity.core.errors import ValidationFailed
from charity.goods.models import ItemType
from charity.core.i18n import _l

MAX_QUANTITY = Decimal("100000")


def check_quantity(value, item_type: ItemType, field: str) -> Decimal:
    """A positive quantity, whole for countable units, not absurd."""
    if isinstance(value, float):
        raise TypeError("quantities must not pass through float")
    try:
        q = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_l("Enter a quantity."), field=field) from None
    if not q.is_finite() or q <= 0:
        raise ValidationFailed(_l("The quantity must be greater than zero."), field=field)
    if q > MAX_QUANTITY:
        raise ValidationFailed(_l("That quantity is not plausible."), field=field)
    if item_type.countable and q != q.to_integral_value():
        raise ValidationFailed(_l("%(unit)s is counted in whole numbers.", unit=item_type.unit),
                               field=field)
    if q.as_tuple().exponent < -3:
        raise ValidationFailed(_l("At most three decimal places."), field=field)
    return q


def item_of(session: Session, organization_id: int, item_type_id, field: str) -> ItemType:
    try:
        item = session.get(ItemType, int(item_type_id))
    except (TypeError, ValueError):
        item = None
    if item is None or item.organization_id != organization_id or not item.active:
        raise ValidationFailed(_l("Choose an item from the catalogue."), field=field)
    return item


def require_point_active(point, field: str = "point_id") -> None:
    if not point.active:
        raise ValidationFailed(_l("This charity point is closed."), field=field)


def not_future(day: dt.date | None, today: dt.date, field: str) -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationFailed(_l("Enter a date."), field=field)
    if day > today:
        raise ValidationFailed(_l("The date cannot be in the future."), field=field)
    return day
