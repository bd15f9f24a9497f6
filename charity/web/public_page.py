"""Serving public pages from the page cache (charity/web/page_cache.py).

Two ways in: `cached_page` for a view that separates computing its data from rendering it
(the data is then shared by signed-in staff too), and the `public_page` decorator for any
other public GET view, which reuses the whole answer for anonymous visitors.
"""
from __future__ import annotations

import contextvars
from functools import wraps

from flask import copy_current_request_context, current_app, request, session
from flask_login import current_user

from charity.core.clock import today_in
from charity.core.db import write_intent
from charity.core.extensions import db
from charity.core.i18n import select_locale
from charity.web.page_cache import app_cache


def public_today():
    """Today in the installation's time zone (the public pages' "this year", "open now")."""
    return today_in(current_app.config.get("CHARITY_TIMEZONE"))


def _shared() -> bool:
    """Whether this request may get (and fill) the shared cache: an anonymous visitor's GET
    with no message waiting (a flashed message is personal)."""
    return (request.method == "GET" and not current_user.is_authenticated
            and not session.get("_flashes"))


def _page_key(*parts) -> tuple:
    # The full path carries the query (filters, page, ?lang=); the language may also come
    # from the session or Accept-Language; the date decides "this year" and "overdue".
    # The URL root too: JSON answers carry absolute links.
    return ("page", *parts, request.url_root, request.full_path, select_locale(),
            public_today())


def in_request_copy(compute):
    """`compute`, made runnable in the page cache's refresher thread: in a copy of this
    request with an application context (and so a database session) of its own, declared
    read-only (a GET's intent: a background recompute never takes SQLite's write lock)."""
    run = copy_current_request_context(compute)

    def job():
        write_intent.set(False)
        return run()

    # A fresh context per job: nothing (no application context) leaks in from another job.
    return lambda: contextvars.Context().run(job)


def cached_page(key: tuple, compute, render):
    """Render a public page from data computed once per change of the data.

    `compute()` builds plain data (cached under `key`), `render(data)` the response. For
    anonymous visitors the rendered page is shared too. A `render` that aborts (404) stores
    nothing."""
    cache = app_cache(current_app)
    marker = cache.marker(db.session)
    # The data changes only with the marker (every service, publication and scheduler change
    # moves it): its own, longer age is a safety net for edits made outside the application.
    # The rendered page keeps the cache's minute (it shows the clock: "open now").
    data_age = cache.data_max_age
    if not _shared():
        # Signed-in staff (few) wait for data valid for the marker: whoever just posted a
        # donation sees it on the public page at once. Visitors never wait (below).
        return render(cache.get(("data", *key), marker, compute, wait=True,
                                max_age=data_age))
    # The page is rendered from data valid for the same marker (computed first if need be),
    # or a stale page would be kept as fresh.
    return cache.get(_page_key(*key), marker, lambda: render(
        cache.get(("data", *key), marker, compute, wait=True, max_age=data_age)),
        bind=in_request_copy)


class _Uncacheable(Exception):
    def __init__(self, response):
        self.response = response


def public_page(view):
    """Reuse this view's whole answer for anonymous GETs while the data is unchanged.

    Only plain 200 answers are kept (not streams, not redirects, not errors); conditional
    requests are answered from the kept ETag/Last-Modified. Never for pages with a form
    that carries a CSRF token or for answers that depend on a secret in the URL."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _shared():
            return view(*args, **kwargs)
        cache = app_cache(current_app)

        def compute():
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.is_streamed:
                raise _Uncacheable(response)
            return response.get_data(), list(response.headers.items())

        try:
            body, headers = cache.get(_page_key(request.endpoint), cache.marker(db.session),
                                      compute, bind=in_request_copy)
        except _Uncacheable as kept:
            return kept.response
        response = current_app.response_class(body, 200, headers)
        return response.make_conditional(request)
    return wrapper
