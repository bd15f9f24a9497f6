"""The in-process cache of the public pages, keyed by a cheap change marker.

Public pages are read far more than written: their data (and, for anonymous visitors, the
rendered page) is computed once per change of the data rather than once per request.
Plain Python (no Flask): the views pass the app and the session.
"""
from __future__ import annotations

import logging
import os
import queue
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
    # The scheduler stamps `refreshed_at` on every obligation it inserts or updates (a
    # status moving from "upcoming" to "due"): its changes show like any posting.
    return tuple(session.execute(sa.select(
        latest(AuditLog.id), latest(AuditLog.at), latest(FundEntry.id),
        latest(StockMovement.id), latest(Publication.id), latest(Obligation.id),
        latest(Obligation.refreshed_at), latest(Complaint.id), latest(LogHead.id))).one())


class _Writes:
    """How many flushes and commits this process has made (any session): a write here makes
    the next page check the change marker at once instead of waiting for the interval."""

    count = 0


def _note_write(*_args) -> None:
    _Writes.count += 1  # a lost increment under a race still changes the value: enough


sa.event.listen(Session, "after_flush", _note_write)
sa.event.listen(Session, "after_commit", _note_write)

log = logging.getLogger(__name__)
_SERVE, _REFRESH, _COMPUTE = "serve", "refresh", "compute"


class PageCache:
    """Computed page data (or rendered pages), per key, valid for one change marker and at
    most `max_age` seconds (a safety net for changes that leave no mark, such as the
    scheduler moving an obligation from "upcoming" to "due").

    The marker is read from the database at most every `check_interval` seconds, and at
    once after a write made by this process; while one thread reads it, the others use the
    previous one. With `background` (the default outside tests), no request waits on a
    recompute once a page has been computed: an entry whose marker changed or that is too
    old is served as it is while one refresher thread per process recomputes it
    (stale-while-revalidate), and an entry within `refresh_ahead` seconds of its expiry is
    refreshed before it expires. Without `background` the request that finds the entry
    stale recomputes it (other threads meanwhile get the previous value).
    Thread-safe and bounded (the least recently used entries go). Values must be plain data,
    never ORM objects."""

    def __init__(self, max_entries: int = 512, max_age: float = 60.0,
                 check_interval: float = 1.0, clock=time.monotonic, background: bool = False,
                 refresh_ahead: float | None = None, data_max_age: float | None = None):
        self.max_entries, self.max_age, self.check_interval = max_entries, max_age, check_interval
        # The age of computed page data (as opposed to rendered pages), used by the callers.
        self.data_max_age = max_age if data_max_age is None else data_max_age
        self.refresh_ahead = max_age / 4 if refresh_ahead is None else refresh_ahead
        self._clock = clock
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._marker: tuple | None = None
        self._marker_at = 0.0
        self._marker_writes = -1
        self._marker_reading = False
        self._computing: set = set()  # keys being recomputed by some thread right now
        self._refresher = _Refresher(self) if background else None
        self.computed = 0  # how many values were (re)computed: for tests and benchmarks
        self.stale_served = 0  # answers given from the previous value during a recompute
        self.failures = 0  # background recomputes that raised

    def marker(self, session: Session) -> tuple:
        """The change marker, from the database when it may have changed."""
        now, writes = self._clock(), _Writes.count  # read before the query, not after
        with self._lock:
            if self._marker is not None and (
                    self._marker_reading or (writes == self._marker_writes
                                             and now - self._marker_at < self.check_interval)):
                return self._marker
            self._marker_reading = True
        try:
            value = change_marker(session)
        finally:
            with self._lock:
                self._marker_reading = False
        with self._lock:
            self._marker, self._marker_at, self._marker_writes = value, now, writes
        return value

    def get(self, key, marker, compute, *, wait: bool = False, bind=None,
            max_age: float | None = None):
        """The cached value of `key` if still valid for `marker`, else `compute()` stored.
        An exception in `compute` (e.g. a 404) stores nothing.

        In the background mode a stale or nearly expired entry is returned at once and
        recomputed by the refresher thread, through `bind(compute)` (a callable that makes
        `compute` runnable in that thread, called in this one); `wait` asks for a value valid
        for `marker`, computed here if need be (a page rendered from data must not be stored
        as fresh with stale data); `max_age` replaces the cache's own for this entry."""
        now = self._clock()
        with self._lock:
            hit = self._data.get(key)
            action = self._action(hit, key, marker, now, wait)
            if hit is not None:
                self._data.move_to_end(key)
            if action != _SERVE:
                self._computing.add(key)
            if action != _COMPUTE and not self._fresh(hit, marker, now):
                self.stale_served += 1
        if action == _REFRESH:
            self._refresher.submit(key, marker, bind(compute) if bind else compute, max_age)
        if action != _COMPUTE:
            return hit[2]
        try:
            value = compute()  # outside the lock: a slow computation must not block others
        finally:
            with self._lock:
                self._computing.discard(key)
        self.store(key, marker, now, value, max_age)
        return value

    def _fresh(self, hit, marker, now: float) -> bool:
        return hit[0] == marker and now - hit[1] < hit[3]

    def _action(self, hit, key, marker, now: float, wait: bool) -> str:
        """Serve the kept value, serve it and refresh it in the background, or compute."""
        if hit is None:
            return _COMPUTE
        background = self._refresher is not None and not wait
        if self._fresh(hit, marker, now) and (
                not background or key in self._computing
                or now - hit[1] < hit[3] - min(self.refresh_ahead, hit[3] / 4)):
            return _SERVE
        if key in self._computing and not wait:
            # Another thread or the refresher is recomputing it: serve the previous value
            # meanwhile — at province scale the home page takes about a second, and a
            # posting must not make every thread of every worker pay that at once.
            return _SERVE
        return _REFRESH if background else _COMPUTE

    def store(self, key, marker, at: float, value, max_age: float | None = None) -> None:
        """Keep `value` for `key`, valid for `marker` from time `at` on, for `max_age`."""
        with self._lock:
            self.computed += 1
            self._data[key] = (marker, at, value, self.max_age if max_age is None else max_age)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def refresh(self, key, marker, compute, max_age: float | None = None) -> None:
        """Recompute `key` (in the refresher thread). On an exception the entry is dropped,
        so the next request computes the page itself and shows what it really is now (a
        404, an error page, or the page once the database answers again)."""
        started = self._clock()
        try:
            value = compute()
        except Exception:
            # Logged before counted: whoever watches the count finds the log line written.
            log.exception("page cache: refreshing %s failed; the next request recomputes it",
                          key[:2])
            with self._lock:
                self.failures += 1
                self._data.pop(key, None)
        else:
            self.store(key, marker, started, value, max_age)
        finally:
            with self._lock:
                self._computing.discard(key)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._marker = None


class _Refresher:
    """One daemon thread per process that recomputes the entries handed to it, one at a
    time. Started on first use and again in a forked child (gunicorn's workers); a job's
    exception is logged by `PageCache.refresh` and never ends the thread."""

    def __init__(self, cache: PageCache):
        self.cache = cache
        self._pid = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._start_lock = threading.Lock()

    def submit(self, key, marker, compute, max_age) -> None:
        with self._start_lock:
            if self._pid != os.getpid():
                self._pid, self._queue = os.getpid(), queue.SimpleQueue()
                threading.Thread(target=self._run, args=(self._queue,), daemon=True,
                                 name="page-cache-refresher").start()
        self._queue.put((key, marker, compute, max_age))

    def _run(self, jobs: queue.SimpleQueue) -> None:
        while True:
            key, marker, compute, max_age = jobs.get()
            try:
                self.cache.refresh(key, marker, compute, max_age)
            except BaseException:  # noqa: BLE001 — keep the thread alive whatever happens
                log.exception("page cache: the refresher survived an unexpected error")


def app_cache(app) -> PageCache:
    """The page cache of one application (one database), kept in `app.extensions`.
    Settings: CHARITY_PORTAL_CACHE_SECONDS (max age of a rendered page, default 60; 0: no
    cache at all, every request computes its page), CHARITY_PORTAL_DATA_SECONDS (max age of
    computed page data, default 600: it changes with the marker),
    CHARITY_PORTAL_CHECK_SECONDS (marker interval: 1 s, 0 under TESTING so that a test
    never sees the pages of an earlier, rolled-back test) and
    CHARITY_PORTAL_BACKGROUND_REFRESH (on, off under TESTING: the rolled-back test session
    is not shared with a thread)."""
    cache = app.extensions.get("charity_page_cache")
    if cache is None:
        config = app.config
        max_age = float(config.get("CHARITY_PORTAL_CACHE_SECONDS", 60.0))
        cache = app.extensions.setdefault("charity_page_cache", PageCache(
            max_age=max_age,
            data_max_age=float(config.get("CHARITY_PORTAL_DATA_SECONDS", 600.0)) * (max_age > 0),
            check_interval=float(config.get("CHARITY_PORTAL_CHECK_SECONDS",
                                            0.0 if app.testing else 1.0)),
            background=max_age > 0 and bool(config.get("CHARITY_PORTAL_BACKGROUND_REFRESH",
                                                       not app.testing))))
    return cache
