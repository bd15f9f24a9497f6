"""Bulk writing for the province-scale generator.

Rows are inserted through SQLAlchemy Core in large batches (executemany; psycopg 3 and
sqlite3 both batch these well) with ids allocated here, so that lines can point at their
documents without a round trip per row. PostgreSQL's id sequences are moved past the
allocated ids at the end, so that normal posting afterwards gets fresh ids.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

BATCH = 5000


class Ids:
    """Hands out ids per table, starting after the table's current maximum."""

    def __init__(self, session: Session):
        self.session = session
        self._next: dict[str, int] = {}

    def take(self, table: sa.Table, n: int = 1) -> range:
        name = table.name
        if name not in self._next:
            current = self.session.execute(sa.select(sa.func.max(table.c.id))).scalar()
            self._next[name] = (current or 0) + 1
        start = self._next[name]
        self._next[name] = start + n
        return range(start, start + n)

    def one(self, table: sa.Table) -> int:
        return self.take(table, 1)[0]


def insert(session: Session, table: sa.Table, rows: Iterable[dict], batch: int = BATCH) -> int:
    """Insert `rows` (dicts with the same keys) in batches; return how many."""
    conn = session.connection()
    stmt = table.insert()
    chunk: list[dict] = []
    count = 0
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            conn.execute(stmt, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        conn.execute(stmt, chunk)
        count += len(chunk)
    return count


def fix_sequences(session: Session) -> None:
    """PostgreSQL: move every id sequence past the ids this generator wrote."""
    if session.get_bind().dialect.name != "postgresql":
        return
    from charity.core.db import Base

    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
            continue
        if not table.c.id.primary_key or table.c.id.autoincrement is False:
            continue
        seq = session.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"),
                              {"t": table.name}).scalar()
        if seq:
            session.execute(sa.text(
                f"SELECT setval('{seq}', COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, "
                "false)"))


def analyze(session: Session) -> None:
    """Refresh the planner's statistics after a bulk load (both engines have ANALYZE)."""
    session.execute(sa.text("ANALYZE"))
