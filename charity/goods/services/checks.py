"""The checks every goods document makes: a plausible quantity, an active item of the
organisation, an open point, a date not in the future."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.models import ItemType
from charity.goods.quantities import (base_step, is_whole_steps, quantity_text,
                                      to_base)

MAX_QUANTITY = Decimal("100000")


def check_quantity(value, item_type: ItemType, field: str, unit_id=None) -> Decimal:
    """A positive quantity in base units, not absurd, a whole number of the base's smallest
    step (one piece, a thousandth of a kg); typed in the item's packaging unit `unit_id`
    when one is named, and converted exactly."""
    unit = unit_of(item_type, unit_id, field)
    q = _typed_quantity(value, field)
    if unit is None:
        if q > MAX_QUANTITY:
            raise ValidationFailed(_l("That quantity is not plausible."), field=field)
        if item_type.countable and q != q.to_integral_value():
            raise ValidationFailed(
                _l("%(unit)s is counted in whole numbers.", unit=item_type.unit), field=field)
        return q
    base = to_base(q, unit.factor)
    if base > MAX_QUANTITY:
        raise ValidationFailed(_l("That quantity is not plausible."), field=field)
    step = base_step(item_type)
    if not is_whole_steps(base, step):
        raise ValidationFailed(_l(
            "%(quantity)s %(unit)s is %(base)s %(base_unit)s: not a whole number of %(step)s "
            "%(base_unit)s.", quantity=quantity_text(q), unit=unit.name,
            base=quantity_text(base), base_unit=item_type.unit, step=quantity_text(step)),
            field=field)
    return base


def unit_of(item_type: ItemType, unit_id, field: str):
    """The item's packaging unit `unit_id`; None (the base unit) when none is named."""
    if unit_id in (None, "", "None"):
        return None
    unit = next((u for u in item_type.units if str(u.id) == str(unit_id).strip()), None)
    if unit is None:
        raise ValidationFailed(_l("Choose one of this item's units."), field=field)
    return unit


def _typed_quantity(value, field: str) -> Decimal:
    """A positive number with at most three decimals, as typed."""
    if isinstance(value, float):
        raise TypeError("quantities must not pass through float")
    try:
        q = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_l("Enter a quantity."), field=field) from None
    if not q.is_finite() or q <= 0:
        raise ValidationFailed(_l("The quantity must be greater than zero."), field=field)
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


def filled_lines(data: dict) -> list[dict]:
    """The document's lines that name an item; refused when there is none."""
    raw_lines = [ln for ln in data.get("lines") or [] if ln.get("item_type_id")]
    if not raw_lines:
        raise ValidationFailed(_l("Add at least one line."), field="lines")
    return raw_lines


def item_and_quantity(session: Session, organization_id: int, raw: dict,
                      index: int) -> tuple[ItemType, Decimal]:
    """Line `index`'s item and quantity, checked; a refusal names the line's input."""
    item = item_of(session, organization_id, raw.get("item_type_id"),
                   f"lines-{index}-item_type_id")
    return item, check_quantity(raw.get("quantity"), item, f"lines-{index}-quantity",
                                raw.get("unit_id"))


def of_organisation(session: Session, model, raw_id, organization_id: int, field: str,
                    unknown):
    """The `model` row `raw_id` when it belongs to the organisation; else refused with
    `unknown` next to `field`."""
    row = session.get(model, int(raw_id))
    if row is None or row.organization_id != organization_id:
        raise ValidationFailed(unknown, field=field)
    return row


def running_of(session: Session, model, raw_id, organization_id: int, field: str, *, active,
               unknown, not_running):
    """The organisation's `model` row `raw_id` (a campaign, a project) when it is `active`;
    None when none is named."""
    if not raw_id:
        return None
    row = of_organisation(session, model, raw_id, organization_id, field, unknown)
    if row.status != active:
        raise ValidationFailed(not_running, field=field)
    return row
