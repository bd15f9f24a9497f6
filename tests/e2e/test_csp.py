"""The Content-Security-Policy in a real browser: Chromium loads the public pages and the staff
pages of the demo site under the app's strict policy, and the `page`/`phone` fixtures fail
the test on any violation it reports (see `csp_violations` in conftest.py)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from charity.web.security import CONTENT_SECURITY_POLICY
from tests.e2e.conftest import csp_violations


def _same_site_links(pg, selector: str) -> list[str]:
    hrefs = pg.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    paths = []
    for href in hrefs:
        parts = urlsplit(href or "")
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.endswith((".pdf", ".csv", ".json", ".atom", ".zip")) or "/lang/" in path:
            continue  # downloads and the language switch are not pages
        if path not in paths:
            paths.append(path)
    return paths


def _visit(pg, path: str) -> None:
    response = pg.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
    pg.wait_for_load_state("load")


def test_public_pages_load_without_csp_violations(page, phone):
    _visit(page, "/")
    # Every page the home page and the public menu link to, then one detail page of each list.
    paths = _same_site_links(page, "main a[href], header a[href]")
    assert len(paths) >= 6, paths
    visited = set()
    for path in paths:
        _visit(page, path)
        visited.add(path)
        for detail in _same_site_links(page, "main a[href]")[:2]:
            if detail not in visited and not detail.startswith(("/login", "/staff")):
                _visit(page, detail)
                visited.add(detail)
    assert len(visited) >= 10, visited
    for path in ("/", "/campaigns/", "/disclosures/", "/trace"):
        _visit(phone, path)


def test_staff_pages_load_without_csp_violations(page):
    page.goto("/login")
    page.get_by_label(re.compile("用户名")).fill("manager")
    page.get_by_label(re.compile("密码")).fill("demo-manager-2026")
    page.get_by_role("button", name=re.compile("登录")).click()
    page.wait_for_url(re.compile(r"/staff/"))
    paths = _same_site_links(page, "header details a[href]")
    assert len(paths) >= 8, paths
    for path in paths:
        _visit(page, path)
    # A form with its own script file (the intake's line rows).
    _visit(page, "/staff/intake/new")
    page.locator("select[name='lines-0-item_type_id']").wait_for()


def test_a_violation_would_be_caught(browser, live_server):
    """The watcher is not blind: an injected inline script is refused and reported."""
    context = browser.new_context(base_url=live_server)
    pg = context.new_page()
    try:
        violations = csp_violations(pg)
        pg.goto("/")
        ran = pg.evaluate("""() => {
            window.__ran = false;
            const s = document.createElement('script');
            s.textContent = 'window.__ran = true';
            document.body.append(s);
            const d = document.createElement('div');
            d.setAttribute('style', 'color: red');
            document.body.append(d);
            return window.__ran;
        }""")
        pg.wait_for_timeout(200)
        assert ran is False
        assert len(violations) == 2, violations
        assert "script-src" in violations[0] and "style-src" in violations[1], violations
    finally:
        context.close()
