"""What the money and the goods trace share: ledger rows netted against their reversals.

Both ledgers correct a posting with a reversing row (`reverses_id`); for first-in-first-out
a reversal is folded into the row it reverses, so a reversed distribution (or donation)
never happened and a partly corrected one counts with what is left.
"""
from __future__ import annotations

from decimal import Decimal

ZERO = Decimal("0")


def net_of_reversals(rows, value: str) -> tuple[dict[int, Decimal], list]:
    """The rows' `value` (an attribute: amount, quantity) per original row id with its
    reversals netted in, and the original rows in their order."""
    net: dict[int, Decimal] = {}
    originals = []
    for row in rows:
        if row.reverses_id is not None:
            net[row.reverses_id] = net.get(row.reverses_id, ZERO) + getattr(row, value)
        else:
            net[row.id] = net.get(row.id, ZERO) + getattr(row, value)
            originals.append(row)
    return net, originals
