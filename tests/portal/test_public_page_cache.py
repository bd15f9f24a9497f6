"""The shared page cache in front of the public pages (charity/portal/cached.py): reused
while the data is unchanged, dropped at once on a change, never for staff, never for errors."""
from __future__ import annotations

from charity.web.page_cache import app_cache


def test_a_list_is_served_from_the_cache_until_the_data_changes(client, app, db,
                                                                  make_campaign):
    first = make_campaign(name="甲社区助学募捐")
    db.commit()
    cache = app_cache(app)
    html = client.get("/campaigns/").get_data(as_text=True)
    assert first.name in html
    computed = cache.computed
    assert client.get("/campaigns/").get_data(as_text=True) == html
    assert cache.computed == computed  # the same answer, not recomputed
    make_campaign(name="乙社区冬衣募捐")
    db.commit()
    html = client.get("/campaigns/").get_data(as_text=True)
    assert "乙社区冬衣募捐" in html and first.name in html
    assert cache.computed > computed


def test_each_query_and_language_is_its_own_page(client, db, make_campaign):
    make_campaign(name="丙社区助老募捐")
    db.commit()
    zh = client.get("/campaigns/?q=丙社区").get_data(as_text=True)
    en = client.get("/campaigns/?q=丙社区&lang=en").get_data(as_text=True)
    none = client.get("/campaigns/?q=没有这个").get_data(as_text=True)
    assert "丙社区助老募捐" in zh and "丙社区助老募捐" in en and "丙社区助老募捐" not in none
    assert 'lang="zh' in zh and 'lang="en' in en


def test_signed_in_staff_get_a_fresh_page_with_their_own_header(client, db, make_user, login,
                                                                make_campaign):
    make_campaign(name="丁社区募捐")
    db.commit()
    anonymous = client.get("/campaigns/").get_data(as_text=True)
    user = make_user("manager", display_name="钱经理")
    login(user)
    staff = client.get("/campaigns/").get_data(as_text=True)
    assert "钱经理" in staff and "钱经理" not in anonymous


def test_errors_and_missing_pages_are_not_kept(client, app, db):
    cache = app_cache(app)
    computed = cache.computed
    assert client.get("/points/2000000000").status_code == 404
    assert client.get("/points/2000000000").status_code == 404
    assert client.get("/campaigns/?page=abc").status_code in (200, 400)
    assert cache.computed == computed


def test_conditional_requests_are_answered_from_the_kept_etag(client, db, make_campaign):
    make_campaign(name="戊社区募捐")
    db.commit()
    first = client.get("/api/v1/campaigns")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/campaigns")  # from the cache now
    assert again.headers["ETag"] == etag and again.get_data() == first.get_data()
    assert client.get("/api/v1/campaigns", headers={"If-None-Match": etag}).status_code == 304


def test_during_a_recompute_other_threads_get_the_previous_page_not_a_second_computation():
    """Single flight: when the data changes, one thread recomputes and the others keep
    serving the previous value until it is done (no stampede of slow computations)."""
    import threading

    from charity.web.page_cache import PageCache

    cache = PageCache(max_age=60, check_interval=0)
    assert cache.get("home", 1, lambda: "old") == "old"
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(5)
        return "new"

    results = []
    worker = threading.Thread(target=lambda: results.append(cache.get("home", 2, slow)))
    worker.start()
    assert started.wait(5)
    # The marker moved, a recompute is under way: the previous page, at once.
    assert cache.get("home", 2, lambda: "computed twice") == "old"
    assert cache.stale_served == 1
    release.set()
    worker.join(5)
    assert results == ["new"]
    assert cache.get("home", 2, lambda: "computed twice") == "new"
    assert cache.computed == 2
    # A failed computation leaves no key marked as being computed.

    def boom():
        raise LookupError("404")

    try:
        cache.get("other", 1, boom)
    except LookupError:
        pass
    assert cache.get("other", 1, lambda: "fine") == "fine"
