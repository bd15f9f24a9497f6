"""Packaging units of a catalogue item (issue 20 §2): added and removed by the
organisation's managers. Units only convert what is typed and what is shown; the ledger is in
the base unit, so removing a unit changes no stock (docs/decisions/0024-units.md)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.models import ItemType, ItemUnit
from charity.goods.quantities import base_step, is_whole_steps, plain_qty, quantity_text
from charity.goods.services.checks import MAX_QUANTITY


def _factor(raw, item: ItemType) -> Decimal:
    """How many base units one packaging unit holds: positive, exact to the base's step."""
    if isinstance(raw, float):
        raise TypeError("conversions must not pass through float")
    try:
        factor = raw if isinstance(raw, Decimal) else Decimal(str(raw or "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_l("Enter how many base units one holds."),
                               field="factor") from None
    if not factor.is_finite() or factor <= 0 or factor > MAX_QUANTITY:
        raise ValidationFailed(_l("Enter how many base units one holds."), field="factor")
    step = base_step(item)
    if factor.as_tuple().exponent < -3 or not is_whole_steps(factor, step):
        raise ValidationFailed(_l("%(unit)s is counted in steps of %(step)s.",
                                  unit=item.unit, step=quantity_text(step)), field="factor")
    return factor


def add_item_unit(actor, session: Session, item: ItemType, data: dict) -> ItemUnit:
    """Add a packaging unit: a name other than the base unit's and the item's other units,
    and its exact conversion to the base unit."""
    require(actor, "catalogue.manage", item)
    name = (data.get("name") or "").strip()
    if not name or len(name) > 16:
        raise ValidationFailed(_l("Name the unit (at most 16 characters)."), field="name")
    if name == item.unit or any(u.name == name for u in item.units):
        raise ValidationFailed(_l("This item already has this unit."), field="name")
    unit = ItemUnit(name=name, factor=_factor(data.get("factor"), item),
                    shown=bool(data.get("shown")))
    item.units.append(unit)
    session.flush()
    record(session, actor, "item_type.unit_add", item,
           {"unit": name, "factor": plain_qty(unit.factor), "base": item.unit})
    return unit


def remove_item_unit(actor, session: Session, item: ItemType, unit_id) -> ItemType:
    """Remove a packaging unit: stock and documents are in the base unit and stay as they are."""
    require(actor, "catalogue.manage", item)
    unit = next((u for u in item.units if str(u.id) == str(unit_id)), None)
    if unit is None:
        raise ValidationFailed(_l("This unit is not one of the item's."))
    item.units.remove(unit)
    session.flush()
    record(session, actor, "item_type.unit_remove", item, {"unit": unit.name})
    return item
