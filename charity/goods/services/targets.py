"""Wanted levels: how much of an item a point wants on hand (below it, the item is on the
needs list the public portal shows donors)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.models import StockTarget
from charity.goods.services.checks import MAX_QUANTITY, item_of
from charity.orgs.models import CharityPoint


def set_wanted_level(actor, session: Session, point: CharityPoint, item_type_id,
                     wanted) -> StockTarget | None:
    """Set how much of an item `point` wants on hand (below it, the item is on the needs
    list); 0 removes the wanted level. Managers only."""
    require(actor, "catalogue.manage", point)
    item = item_of(session, point.organization_id, item_type_id, "item_type_id")
    if isinstance(wanted, float):
        raise TypeError("quantities must not pass through float")
    try:
        amount = Decimal(str(wanted).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_l("Enter a quantity."), field="wanted") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_QUANTITY \
            or amount.as_tuple().exponent < -3:
        raise ValidationFailed(_l("Enter a quantity of zero or more."), field="wanted")
    if item.countable and amount != amount.to_integral_value():
        raise ValidationFailed(_l("%(unit)s is counted in whole numbers.", unit=item.unit),
                               field="wanted")
    target = session.get(StockTarget, (point.id, item.id))
    if amount == 0:
        if target is not None:
            session.delete(target)
        row = None
    elif target is None:
        row = StockTarget(point_id=point.id, item_type_id=item.id, wanted=amount)
        session.add(row)
    else:
        target.wanted = amount
        row = target
    record(session, actor, "stock_target.set", point,
           {"item_type_id": item.id, "wanted": str(amount)})
    session.flush()
    return row
