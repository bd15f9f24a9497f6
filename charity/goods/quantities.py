"""How goods quantities are written on screens, slips and in inputs: 12, 2.5 (no exponent,
no trailing zeros). Quantities are Decimal throughout, never float."""
from __future__ import annotations

from decimal import Decimal


def quantity_text(q) -> str:
    """A quantity for reading; nothing is 0."""
    return format(Decimal(q or 0).normalize(), "f")


def plain_qty(value) -> str:
    """A quantity as typed in an input; nothing is an empty input."""
    if value is None:
        return ""
    return quantity_text(value)
