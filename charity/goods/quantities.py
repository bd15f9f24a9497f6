"""How goods quantities are written on screens, slips and in inputs: 12, 2.5 (no exponent,
no trailing zeros), and how an item's packaging units convert to its base unit and back
("3 箱 + 5 瓶", "12.5 kg"). Quantities are Decimal throughout, never float."""
from __future__ import annotations

from decimal import Decimal

# The ledger's precision (the `Qty` column type): thousandths of the base unit.
THOUSANDTH = Decimal("0.001")


def quantity_text(q) -> str:
    """A quantity for reading; nothing is 0."""
    return format(Decimal(q or 0).normalize(), "f")


def plain_qty(value) -> str:
    """A quantity as typed in an input; nothing is an empty input."""
    if value is None:
        return ""
    return quantity_text(value)


def base_step(item) -> Decimal:
    """The smallest amount of the item's base unit: one piece for counted goods, else a
    thousandth (1 g of a kg)."""
    return Decimal(1) if item.countable else THOUSANDTH


def to_base(quantity: Decimal, factor: Decimal | None) -> Decimal:
    """`quantity` of a unit holding `factor` base units, in base units (exact)."""
    return quantity if factor is None else quantity * factor


def is_whole_steps(base: Decimal, step: Decimal) -> bool:
    return base % step == 0


def unit_parts(quantity, item) -> list[tuple[Decimal, str]]:
    """The base quantity broken down into the item's shown packaging units, largest first,
    and the rest in the base unit: 77 瓶 → [(3, 箱), (5, 瓶)]; 0 → [(0, base)]."""
    rest = Decimal(quantity or 0)
    negative, rest = rest < 0, abs(rest)
    parts = []
    for unit in sorted((u for u in item.units if u.shown), key=lambda u: -u.factor):
        count = rest // unit.factor
        if count:
            parts.append((count, unit.name))
            rest -= count * unit.factor
    if rest or not parts:
        parts.append((rest, item.unit))
    if negative:
        parts = [(-q, name) for q, name in parts]
    return parts


def in_units(quantity, item) -> str:
    """A base quantity as people say it: "3 箱 + 5 瓶", "12.5 kg" (the one formatter every
    page uses for an item's quantity; the Jinja filter `in_units`)."""
    return " + ".join(f"{quantity_text(q)} {name}" for q, name in unit_parts(quantity, item))


def unit_label(unit, item) -> str:
    """An option of a unit select: "箱（24 瓶）"."""
    return f"{unit.name}（{quantity_text(unit.factor)} {item.unit}）"
