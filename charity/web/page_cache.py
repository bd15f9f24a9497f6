"""The in-process cache of the public pages, keyed by a cheap change marker.

Public pages are read far more than written: their data (and, for anonymous visitors, the
rendered page) is computed once per change of the data rather than once per request.
Plain Python (no Flask): the views pass the app and the session.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.models import AuditLog
from charity.complaints.models import Complaint
from charity.disclosure.models import Obligation, Publication
from charity.funds.models import FundEntry
from charity.goods.models import StockMovement
from charity.log.models import LogHead


def change_marker(session: Session) -> tuple:
    """A cheap fingerprint of everything the public pages show, in one query of index-only
    lookups: every service writes an audit entry, the ledgers and publications are
    append-only. The latest audit time also tells apart rows that reuse the ids of a
    rolled-back transaction (SQLite reuses them)."""
    def latest(column):
        return sa.select(sa.func.max(column)).scalar_subquery()

    # Obligations are created by the scheduler, complaints by the public form and the
    # transparency log's daily heads by the scheduler, none with an audit entry: their newest
    # ids count too.
    return tuple(session.execute(sa.select(
        latest(AuditLog.id), latest(AuditLog.at), latest(FundEntry.id),
        latest(StockMovement.id), latest(Publication.id), latest(Obligation.id),
        latest(Complaint.id), latest(LogHead.id))).one())


class _Writes:
    """How many flushes and commits this process has made (any session): a write here makes
    the next page check the change marker at once instead of waiting for the interval."""

    count = 0


def _note_write(*_args) -> None:
    _Writes.count += 1  # a lost increment under a race still changes the value: enough


sa.event.listen(Session, "after_flush", _note_write)
sa.event.listen(Session, "after_commit", _note_write)


class PageCache:
    """Computed page data (or rendered pages), per key, reused while the change marker is
    unchanged and the entry is younger than `max_age` seconds (a safety net for changes that
    leave no mark, such as the scheduler moving an obligation from "upcoming" to "due").

    The marker is read from the database at most every `check_interval` seconds, and at
    once after a write made by this process: pages are exact for the process that posted
    (or, while another of its threads recomputes the page, one computation old)
    and at most `check_interval` old for the others. Thread-safe and bounded (the least
    recently used entries go). Values must be plain data, never ORM objects."""

    def __init__(self, max_entries: int = 512, max_age: float = 60.0,
                 check_interval: float = 1.0, clock=time.monotonic):
        self.max_entries, self.max_age, self.check_interval = max_entries, max_age, check_interval
        self._clock = clock
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._marker: tuple | None = None
        self._marker_at = 0.0
        self._marker_writes = -1
        self._computing: set = set()  # keys being recomputed by some thread right now
        self.computed = 0  # how many values were (re)computed: for tests and benchmarks
        self.stale_served = 0  # answers given from the previous value during a recompute

    def marker(self, session: Session) -> tuple:
        """The change marker, from the database when it may have changed."""
        now, writes = self._clock(), _Writes.count  # read before the query, not after
        with self._lock:
            if (self._marker is not None and writes == self._marker_writes
                    and now - self._marker_at < self.check_interval):
                return self._marker
        value = change_marker(session)
        with self._lock:
            self._marker, self._marker_at, self._marker_writes = value, now, writes
        return value

    def get(self, key, marker, compute):
        """The cached value of `key` if still valid for `marker`, else `compute()` stored.
        An exception in `compute` (e.g. a 404) stores nothing."""
        now = self._clock()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] == marker and now - hit[1] < self.max_age:
                self._data.move_to_end(key)
                return hit[2]
            if hit is not None and key in self._computing:
                # Another thread is already recomputing this key: serve the previous value
                # meanwhile (stale by at most one computation) rather than compute it again —
                # at province scale the home page takes about a second, and a posting must
                # not make every thread of every worker pay that at once.
                self.stale_served += 1
                return hit[2]
            self._computing.add(key)
        try:
            value = compute()  # outside the lock: a slow computation must not block others
        finally:
            with self._lock:
                self._computing.discard(key)
        with self._lock:
            self.computed += 1
            self._data[key] = (marker, now, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._marker = None


def app_cache(app) -> PageCache:
    """The page cache of one application (one database), kept in `app.extensions`.
    Settings: CHARITY_PORTAL_CACHE_SECONDS (max age, default 60) and
    CHARITY_PORTAL_CHECK_SECONDS (marker interval: 1 s, 0 under TESTING so that a test
    never sees the pages of an earlier, rolled-back test)."""
    cache = app.extensions.get("charity_page_cache")
    if cache is None:
        cache = app.extensions.setdefault("charity_page_cache", PageCache(
            max_age=float(app.config.get("CHARITY_PORTAL_CACHE_SECONDS", 60.0)),
            check_interval=float(app.config.get("CHARITY_PORTAL_CHECK_SECONDS",
                                                0.0 if app.testing else 1.0))))
    return cache
