"""Every page the app serves satisfies its own Content-Security-Policy.

The policy (charity/security.py) allows scripts and styles only from files under /static: an
inline ``<script>``, a ``<style>`` element, a ``style="…"`` attribute, an ``on…=`` handler
or a ``javascript:`` URL would be blocked by the browser (and breaks the page quietly). This
walks every GET route of the app — with the URL arguments and data of the route matrix — as
an anonymous visitor and as an administrator, and parses each HTML answer.
"""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.auth import test_route_matrix as matrix

world = matrix.world  # the route matrix's fixture: an org, a point, users and objects per route

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class _InlineCodeFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            elif name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            elif (name in _URL_ATTRIBUTES and value
                  and "".join(value.split()).lower().startswith("javascript:")):
                self.problems.append(f"javascript: URL in {name} of <{tag}>")


def inline_code(html: str) -> list[str]:
    """What in this HTML a strict CSP (no 'unsafe-inline') would block."""
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


@pytest.mark.parametrize("html,expected", [
    ('<script src="/static/js/a.js"></script><p class="x">ok</p>', []),
    ("<script>alert(1)</script>", ["<script> without src"]),
    ('<div style="color:red">', ["style= on <div>"]),
    ('<svg><rect style="fill:red"/></svg>', ["style= on <rect>"]),
    ('<button onclick="go()">', ["onclick= on <button>"]),
    ('<a href=" JavaScript:alert(1)">', ["javascript: URL in href of <a>"]),
    ("<style>p{}</style>", ["<style> element"]),
    ("<p>style=&quot;x&quot; onclick= javascript: as text</p>", []),
])
def test_the_checker_finds_inline_code(html, expected):
    assert inline_code(html) == expected


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_every_page_is_free_of_inline_code(app, client, login, world, role):
    if role != "anonymous":
        login(world["actors"][role])
    checked, failures = 0, []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url, _method = matrix._url_and_method(app, rule, world)
        response = client.get(url)
        response.close()
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
            continue
        if response.mimetype != "text/html":
            continue
        checked += response.status_code == 200
        problems = inline_code(response.get_data(as_text=True))
        if problems:
            failures.append(f"{url}: {sorted(set(problems))}")
    assert not failures, "\n".join(failures)
    # The walk really looked at pages (not only redirects to the sign-in form).
    assert checked >= (20 if role == "anonymous" else 100), checked


def test_error_pages_are_free_of_inline_code(client):
    for url, status in (("/no-such-page", 404), ("/campaigns/?page=x", 400)):
        response = client.get(url)
        assert response.status_code == status
        assert response.mimetype == "text/html"
        assert inline_code(response.get_data(as_text=True)) == []
