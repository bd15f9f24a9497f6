"""Counting the SQL statements a request runs (issue 21: ≤ 20 on every staff page).

    with counted(db) as statements:
        client.get("/staff/stock/")
    assert len(statements) <= STAFF_PAGE_QUERIES, statements
"""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

STAFF_PAGE_QUERIES = 20


@contextmanager
def counted(db):
    """The statements sent to the database while the block runs, in order."""
    statements: list[str] = []

    def capture(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)


def get_counted(db, client, path: str) -> tuple[str, list[str]]:
    """GET `path` (expecting 200): the page's text and the statements it ran."""
    with counted(db) as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True), statements
