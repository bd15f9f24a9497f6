"""Column types shared by the money feature's tables."""
from __future__ import annotations

import sqlalchemy as sa


def enum_column(cls, name: str) -> sa.Enum:
    """A string enum column checked by a constraint (no native database enum type)."""
    return sa.Enum(cls, native_enum=False, length=24, create_constraint=True,
                   values_callable=lambda e: [m.value for m in e], name=name)
