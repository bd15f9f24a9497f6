"""The page cache refreshes in the background (issue 21 §3): a stale page is served at once
while one refresher thread per process recomputes it, a page close to its expiry is refreshed
before it expires, a posting shows within the documented bound (the marker interval plus one
recompute), and an exception in the refresher is logged and leaves the process serving."""
from __future__ import annotations

import logging
import threading
import time
from decimal import Decimal

import pytest

from charity.core.db import utcnow
from charity.core.extensions import db
from charity.core.system import system_actor
from charity.funds.services import ledger
from charity.orgs.models import Organization
from charity.portal.queries import subjects
from charity.web import page_cache
from charity.web.page_cache import PageCache, app_cache
from tests.factories_funds import TODAY
from tests.funds.test_concurrency import DAY, _set_up

CHECK_SECONDS = 0.5  # the marker interval of these tests (1 s in production)
# The documented bound is the marker interval plus one recompute; a recompute of these small
# pages takes milliseconds, but the test machine is shared: allow it 3 s.
BOUND = CHECK_SECONDS + 3.0


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _eventually(condition, within: float) -> float:
    """Seconds until `condition()` held; fails after `within`."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < within, "not within the bound"
        time.sleep(0.02)
    return time.monotonic() - start


# --- the cache alone -------------------------------------------------------------------------

def test_a_stale_entry_is_served_at_once_and_recomputed_once_in_the_background():
    cache = PageCache(max_age=60, check_interval=0, background=True)
    assert cache.get("home", 1, lambda: "old") == "old"  # nothing kept yet: computed here
    started, release, calls = threading.Event(), threading.Event(), []

    def slow():
        calls.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return "new"

    t0 = time.monotonic()
    assert cache.get("home", 2, slow) == "old"  # the marker moved: previous value, no wait
    assert started.wait(5)
    assert cache.get("home", 2, slow) == "old"  # still recomputing: not scheduled twice
    assert time.monotonic() - t0 < 5 and cache.stale_served == 2
    release.set()
    _eventually(lambda: cache.get("home", 2, slow) == "new", 5)
    assert calls == ["page-cache-refresher"] and cache.computed == 2


def test_an_entry_close_to_expiry_is_refreshed_before_it_expires():
    clock = Clock()
    cache = PageCache(max_age=60, check_interval=0, clock=clock, background=True,
                      refresh_ahead=15)
    versions = iter(["v1", "v2", "v3"])
    assert cache.get("k", 1, lambda: next(versions)) == "v1"
    clock.now = 44.9
    assert cache.get("k", 1, lambda: next(versions)) == "v1"
    assert cache.computed == 1  # young enough: not refreshed
    clock.now = 45.0
    assert cache.get("k", 1, lambda: next(versions)) == "v1"  # fresh, served at once …
    _eventually(lambda: cache.computed == 2, 5)  # … and refreshed ahead of its expiry
    assert cache.stale_served == 0
    clock.now = 70.0  # the first value would have expired at 60: the refreshed one has not
    assert cache.get("k", 1, lambda: next(versions)) == "v2"


def test_without_background_the_request_recomputes_as_before():
    clock = Clock()
    cache = PageCache(max_age=60, check_interval=0, clock=clock)
    assert cache.get("k", 1, lambda: "a") == "a"
    clock.now = 50.0
    assert cache.get("k", 1, lambda: "b") == "a"  # no refresh ahead without a refresher
    clock.now = 60.0
    assert cache.get("k", 1, lambda: "c") == "c"


# --- real pages on a real database (both engines) --------------------------------------------


def _serving(app) -> PageCache:
    """The app's cache as a production worker has it: background refresh, marker interval."""
    app.config.update(CHARITY_PORTAL_BACKGROUND_REFRESH=True,
                      CHARITY_PORTAL_CHECK_SECONDS=CHECK_SECONDS)
    return app_cache(app)


def _donate(app, ids: dict, amount: str, *, elsewhere: PageCache | None = None) -> None:
    """A donation to the campaign, committed; `elsewhere`: as if another worker had posted
    it (this process's cache then learns of it only through the marker interval)."""
    with app.app_context():
        org = db.session.get(Organization, ids["org"])
        ledger.post_donation(system_actor(), db.session, org, {
            "kind": "donation", "amount": Decimal(amount), "entry_date": DAY,
            "channel": "bank_transfer", "counterparty": "张三", "campaign_id": ids["campaign"]},
            with_receipt=False, today=TODAY)
        db.session.commit()
        db.session.remove()
    if elsewhere is not None:
        elsewhere._marker_writes = page_cache._Writes.count


def _page(client, ids: dict) -> str:
    response = client.get(f"/campaigns/{ids['campaign']}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.committed
def test_a_posting_elsewhere_shows_on_the_page_within_the_bound(committed_app):
    app = committed_app
    ids = _set_up(app, opening_balance=Decimal("100"))
    cache, client = _serving(app), app.test_client()
    assert "100.00" in _page(client, ids) and "123.45" not in _page(client, ids)
    _donate(app, ids, "23.45", elsewhere=cache)
    took = _eventually(lambda: "123.45" in _page(client, ids), BOUND)
    assert took <= BOUND
    assert cache.failures == 0


@pytest.mark.committed
def test_a_request_during_a_recompute_gets_the_previous_page_without_waiting(committed_app,
                                                                             monkeypatch):
    app = committed_app
    ids = _set_up(app, opening_balance=Decimal("100"))
    cache, client = _serving(app), app.test_client()
    assert "100.00" in _page(client, ids)
    started, release = threading.Event(), threading.Event()
    original = subjects.campaign_page

    def held(*args, **kwargs):
        started.set()
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(subjects, "campaign_page", held)
    _donate(app, ids, "23.45")  # in this process: the next page reads the marker at once
    t0 = time.monotonic()
    html = _page(client, ids)
    assert started.wait(5)  # the refresher is computing the new page …
    again = _page(client, ids)  # … and a request meanwhile gets the previous one
    waited = time.monotonic() - t0
    assert "100.00" in html and "123.45" not in html and "123.45" not in again
    assert waited < 3, f"a request waited {waited:.2f} s on the recompute"
    release.set()
    _eventually(lambda: "123.45" in _page(client, ids), BOUND)


@pytest.mark.committed
def test_an_exception_in_the_background_refresh_is_logged_and_the_worker_goes_on(
        committed_app, monkeypatch, caplog):
    app = committed_app
    ids = _set_up(app, opening_balance=Decimal("100"))
    cache, client = _serving(app), app.test_client()
    assert "100.00" in _page(client, ids)
    original, failing = subjects.campaign_page, [True]

    def flaky(*args, **kwargs):
        if failing[0]:
            raise RuntimeError("the database went away")
        return original(*args, **kwargs)

    monkeypatch.setattr(subjects, "campaign_page", flaky)
    _donate(app, ids, "23.45")
    with caplog.at_level(logging.ERROR, logger="charity.web.page_cache"):
        assert "100.00" in _page(client, ids)  # served from the cache; the refresh fails
        _eventually(lambda: cache.failures == 1, 5)
    assert any("refreshing" in r.getMessage() and r.exc_info for r in caplog.records)
    failing[0] = False
    assert "123.45" in _page(client, ids)  # the entry was dropped: computed by the request
    _donate(app, ids, "1.00")  # and the refresher still works for the next change
    _eventually(lambda: "124.45" in _page(client, ids), BOUND)


def test_page_data_may_live_longer_than_the_page_rendered_from_it():
    clock = Clock()
    cache = PageCache(max_age=60, check_interval=0, clock=clock)
    assert cache.get("data", 1, lambda: "d1", max_age=600) == "d1"
    assert cache.get("page", 1, lambda: "p1") == "p1"
    clock.now = 61.0
    assert cache.get("page", 1, lambda: "p2") == "p2"  # the page is re-rendered …
    assert cache.get("data", 1, lambda: "d2", max_age=600) == "d1"  # … from the same data
    assert cache.get("data", 2, lambda: "d3", max_age=600) == "d3"  # until the data changes


def test_the_schedulers_obligation_changes_move_the_change_marker(db, make_org):
    """The scheduler writes no audit entry: the obligations it updates carry the mark."""
    import datetime as dt

    import sqlalchemy as sa

    from charity.disclosure.models import Obligation
    from charity.disclosure.obligations import Changes

    org = make_org()
    db.execute(sa.insert(Obligation), [{
        "organization_id": org.id, "subject_type": "campaign", "subject_id": 1,
        "kind": "periodic", "seq": 1, "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 3, 31), "due": dt.date(2026, 4, 30), "status": "upcoming",
        "refreshed_at": utcnow() - dt.timedelta(days=1)}])
    obligation_id = db.scalar(sa.select(sa.func.max(Obligation.id)))
    before = page_cache.change_marker(db)
    changes = Changes()
    changes.updates.append({"id": obligation_id, "status": "due"})  # as a tick does
    changes.write(db)
    assert page_cache.change_marker(db) != before


def test_a_max_age_of_zero_turns_the_cache_off(make_app, db):
    """The benchmarks' uncached figures rely on it: every request computes its page."""
    app = make_app(CHARITY_PORTAL_CACHE_SECONDS=0, CHARITY_PORTAL_BACKGROUND_REFRESH=True)
    cache, client = app_cache(app), app.test_client()
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert cache.data_max_age == 0 and cache.computed >= 6  # data and page, every time
    assert cache.failures == 0
