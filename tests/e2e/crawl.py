"""Walking the demo site in Chromium: signing in as a demo user, the same-origin page links of a
screen, and which route a link leads to (so a crawl visits one page of each kind, not every
row of every list). Shared by the outside checkers and the 360-px crawl."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from tests.conftest import PASSWORD

# The demo's accounts (charity/demo/loader.py); its administrator is made by `charity init`
# before the demo (tests/conftest.py), with the tests' password.
PASSWORDS = {"admin": PASSWORD, "manager": "demo-manager-2026",
             "volunteer": "demo-volunteer-2026", "auditor": "demo-auditor-2026"}
# Not pages: downloads, feeds, the language switch, the sign-out (a POST anyway).
NOT_PAGES = re.compile(r"\.(pdf|csv|xlsx|json|atom|xml|zip|png|svg|txt)$|^/language/|^/logout|"
                       r"^/static/")


def sign_in(pg, username: str) -> None:
    pg.goto("/login")
    pg.get_by_label(re.compile("用户名")).fill(username)
    pg.get_by_label(re.compile("密码")).fill(PASSWORDS[username])
    pg.get_by_role("button", name=re.compile("登录")).click()
    pg.wait_for_url(re.compile(r"/staff/"))


def page_links(pg, selector: str = "a[href]") -> list[str]:
    """Same-origin paths (with their query) the screen links to, in order, without repeats."""
    hrefs = pg.eval_on_selector_all(selector, "els => els.map(e => e.href)")
    origin = urlsplit(pg.url)
    paths: list[str] = []
    for href in hrefs:
        parts = urlsplit(href)
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not NOT_PAGES.search(parts.path) and path not in paths:
            paths.append(path)
    return paths


def endpoint_of(app, path: str) -> str | None:
    """The route a path leads to (None for no route)."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(path).path, method="GET")
    except HTTPException:
        return None
    return endpoint


def html_of(response) -> str | None:
    """The page's HTML as the server sent it (None when the answer is not an HTML page)."""
    if response is None or response.status != 200:
        return None
    if not response.headers.get("content-type", "").startswith("text/html"):
        return None
    return response.text()


def one_of_each(app, paths, seen: set[str]) -> list[str]:
    """The first path of each route not yet in `seen` (which it updates)."""
    chosen = []
    for path in paths:
        endpoint = endpoint_of(app, path)
        if endpoint and endpoint not in seen:
            seen.add(endpoint)
            chosen.append(path)
    return chosen
