"""How a report's snapshot writes its figures, and the ledger sums every report shares.
Figures are exact strings, so the JSON is exact (Decimal → "1234.50", quantities as people
write them: "2.5", "10")."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from charity.funds.models import FundEntry

ZERO = Decimal("0")


def money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def qty(value) -> str:
    return format(Decimal(value or 0).normalize(), "f")


def sum_entries(session, where, group=None):
    """The sum of the fund entries matching `where`, or (group…, sum) rows per `group`."""
    cols = [sa.func.coalesce(sa.func.sum(FundEntry.amount), 0)]
    stmt = sa.select(*(group or []), *cols).where(*where)
    if group:
        return session.execute(stmt.group_by(*group)).all()
    return session.scalar(stmt)


def in_range(start, end):
    """Fund entries dated from `start` to `end`, both included."""
    return [FundEntry.entry_date >= start, FundEntry.entry_date <= end]


def goods_rows(rows) -> list[dict]:
    """(category, unit, quantity, value) rows as a snapshot lists them."""
    return [{"category": c, "unit": u, "quantity": qty(q), "value": money(v)}
            for c, u, q, v in rows]
