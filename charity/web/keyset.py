"""Keyset pagination for the longest staff lists (issue 21): a page is found by seeking its
sort key in an index, not by skipping rows with OFFSET, so the oldest page of a million stock
movements costs what the newest costs.

The lists are newest first, ordered by a few columns that end with the primary key (a date,
then the id). A page's links carry the key of the row they continue from:

    ?after=2026-05-01.8812    the rows after (older than) that row   — "Next"
    ?before=2026-05-01.8790   the rows before (newer than) that row  — "Previous"
    ?end=1                    the oldest page                        — "Last"
    (none of them)            the newest page                        — "First"

The lists sorted by name (donors, households) or place (stock balances) page the same way in
ascending order (`descending=False`): "after" is then further along the alphabet. A text key
(a name, a batch) may hold the separator, so it is the first or the last of the keys.

A key that cannot be read is a 400 with a message, like any other bad query parameter.
There is no page count: counting a million rows is the cost this avoids.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _

from charity.core.extensions import db
from charity.web.access import BadQueryParameter, parse_id

SEP = "."
ARGS = ("after", "before", "end", "page")


@dataclass
class KeysetPage:
    """One page of a keyset-paginated list, for the `keyset_pager` macro."""
    items: list
    has_prev: bool
    has_next: bool
    first_key: str | None = None   # the page's first row: where "Previous" seeks from
    last_key: str | None = None    # the page's last row: where "Next" seeks from
    at_end: bool = False           # this is the oldest page
    args: dict = field(default_factory=dict)  # the request's other arguments (filters)


def _key_text(value) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


def _python_type(column):
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def _key_value(column, text: str):
    kind = _python_type(column)
    if kind is dt.date:
        return dt.date.fromisoformat(text)
    if kind is int:
        # An id, read as every id is: beyond 32 bits SQLite cannot bind it and PostgreSQL
        # aborts the transaction; int() would also take "１２".
        number = parse_id(text)
        if number is None:
            raise ValueError(text)
        return number
    if "\x00" in text:  # PostgreSQL refuses NUL in text
        raise ValueError(text)
    return text


def parse_key(name: str, raw: str, keys) -> tuple:
    """The values of the sort columns `keys` in the query parameter `name` (else a 400)."""
    # A text key (a name, a batch) may hold the separator: it is the first or the last key.
    text_first = _python_type(keys[0]) is str
    parts = (raw.rsplit if text_first else raw.split)(SEP, len(keys) - 1)
    try:
        if len(parts) != len(keys):
            raise ValueError(raw)
        return tuple(_key_value(col, part) for col, part in zip(keys, parts))
    except ValueError:
        raise BadQueryParameter(_("The parameter “%(name)s” is not a position in this list.",
                                  name=name)) from None


def key_of(row, keys) -> str:
    return SEP.join(_key_text(getattr(row, col.key)) for col in keys)


def _bound(keys, values: tuple):
    """The values as parameters of their columns' types (a date is bound as a date)."""
    return sa.tuple_(*(sa.literal(v, col.type) for col, v in zip(keys, values)))


def keyset_paginate(stmt, keys, per_page: int | None = None, *,
                    descending: bool = True) -> KeysetPage:
    """The page of `stmt` (any order it has is replaced by `keys`, all descending, or all
    ascending for the lists sorted by name) that the request's `after`, `before` or `end`
    asks for: per_page + 1 rows are read to know whether there is more; the seek is a range
    condition on `keys`, which an index can serve."""
    n = per_page or current_app.config["CHARITY_PAGE_SIZE"]
    after, before = request.args.get("after", ""), request.args.get("before", "")
    end = request.args.get("end") == "1" and not (after or before)
    row = sa.tuple_(*keys)
    forwards, backwards = [k.desc() for k in keys], list(keys)
    if not descending:
        forwards, backwards = backwards, forwards
    stmt = stmt.order_by(None)
    if before:
        bound = _bound(keys, parse_key("before", before, keys))
        stmt = stmt.where(row > bound if descending else row < bound)
    elif after:
        bound = _bound(keys, parse_key("after", after, keys))
        stmt = stmt.where(row < bound if descending else row > bound)
    turned = bool(before) or end   # read from the far end, then turned round
    stmt = stmt.order_by(*(backwards if turned else forwards)).limit(n + 1)
    items = list(db.session.scalars(stmt))
    more = len(items) > n
    items = items[:n]
    if turned:
        items.reverse()
        has_prev, has_next = more, not end
    else:
        has_prev, has_next = bool(after), more
    others = {k: v for k, v in request.args.items() if k not in ARGS}
    return KeysetPage(items, has_prev, has_next,
                      first_key=key_of(items[0], keys) if items else None,
                      last_key=key_of(items[-1], keys) if items else None,
                      at_end=end or (not has_next and bool(items)), args=others)
