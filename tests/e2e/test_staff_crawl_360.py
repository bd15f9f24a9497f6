"""No staff page scrolls sideways on a 360-px phone, for any role.

Signed in as each demo role, Chromium at 360 × 740 opens the staff home, every staff page the
home and its header menu link to, and then one page of each further kind those pages link to
(a list's detail page, a form): the GET pages a person reaches by tapping from the home.
A page fails when the document is wider than the screen (see no_horizontal_scroll). Public
pages are measured by test_outside_checkers.py. The administrator's pages are the manager's
templates with a wider scope: past the home and the menu, the administrator's crawl skips the
kinds of page the manager's already measured (keeping the whole crawl near half a minute)."""
from __future__ import annotations

from charity.web.access import PUBLIC, access_rule
from tests.e2e.conftest import no_horizontal_scroll, shot
from tests.e2e.crawl import endpoint_of, html_of, one_of_each, page_links, sign_in



def _crawl(pg, app, seen: set[str], measured: set[str]) -> tuple[list[str], list[str]]:
    """(the pages visited, those wider than the screen). `seen`: the routes not to visit (it
    is updated with those visited); `measured`: those not to visit at the second level."""
    visited, wide, links = [], [], []
    for level in (1, 2):
        if level == 1:
            paths = one_of_each(app, page_links(pg), seen)
        else:
            seen |= measured
            paths = one_of_each(app, links, seen)
        for path in paths:
            if html_of(pg.goto(path)) is None:
                continue  # a download, or a page this role may not open
            visited.append(path)
            if not no_horizontal_scroll(pg):
                width = pg.evaluate("document.documentElement.scrollWidth")
                wide.append(f"{path}: {width} px")
                shot(pg, "wide-360" + path.replace("/", "_"))
            if level == 1:
                links += page_links(pg, "main a[href]")
    return visited, wide


def _a_wide_page_is_caught(pg) -> bool:
    """The measure is not blind: a 2000-px element makes the page wider than the screen."""
    pg.evaluate("""() => {
        const d = document.createElement('div');
        d.style.width = '2000px';
        d.textContent = 'wide';
        document.body.append(d); }""")
    caught = not no_horizontal_scroll(pg)
    pg.goto("/staff/")
    return caught


def test_no_staff_page_scrolls_sideways_at_360_px(browser, live_server, demo_app):
    with demo_app.test_request_context():
        public = {r.endpoint for r in demo_app.url_map.iter_rules()
                  if access_rule(r.endpoint) == PUBLIC}
    public.add(endpoint_of(demo_app, "/staff/"))
    seen_by = {}
    failures = []
    for role in ("volunteer", "manager", "auditor", "admin"):
        context = browser.new_context(base_url=live_server, locale="zh-CN",
                                      viewport={"width": 360, "height": 740},
                                      is_mobile=True, has_touch=True)
        pg = context.new_page()
        try:
            sign_in(pg, role)
            if not no_horizontal_scroll(pg):
                failures.append(f"{role}: the staff home")
            if role == "volunteer":
                assert _a_wide_page_is_caught(pg)
            seen = set(public)
            visited, wide = _crawl(pg, demo_app, seen,
                                   seen_by.get("manager", set()) if role == "admin" else set())
            seen_by[role] = seen
        finally:
            context.close()
        assert len(visited) >= 8, (role, visited)  # the crawl got somewhere
        failures += [f"{role}: {w}" for w in wide]
    assert not failures, f"{len(failures)} staff pages scroll sideways at 360 px:\n" + \
        "\n".join(failures)
