"""The in-store screen in a real Chromium (issue 20 §4): it fills a 1920 × 1080 and a
1280 × 720 TV without scrolling, refreshes itself, and when the server goes away after the
first load it keeps the last figures on screen and says the network is down."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from charity.core.extensions import db as _db
from charity.orgs.models import CharityPoint
from tests.e2e.conftest import csp_violations, shot


@pytest.fixture
def point_id(demo_app):
    with demo_app.app_context():
        pid = _db.session.scalar(sa.select(CharityPoint.id).where(CharityPoint.active.is_(True))
                                 .order_by(CharityPoint.id))
        _db.session.remove()
    return pid


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_the_screen_fills_a_tv_without_scrolling(browser, live_server, point_id, width, height):
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    violations = csp_violations(page)
    page.goto(f"/display/points/{point_id}")
    size = page.evaluate("[document.documentElement.scrollWidth, "
                         "document.documentElement.scrollHeight]")
    assert size == [width, height], f"the screen scrolls at {width}×{height}: {size}"
    # Legible from three metres: the point's name and the figures are large.
    heading = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    figure = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.tile h2'))"
                           ".fontSize)")
    assert heading >= 0.03 * width and figure >= 0.014 * width
    assert page.locator(".disclosure svg").count() >= 1  # QR codes to the disclosures
    assert page.locator("#updated").inner_text().count(":") == 1  # the refresh time is shown
    shot(page, f"display-{width}x{height}")
    context.close()
    assert not violations, violations


def test_the_screen_keeps_its_figures_when_the_server_stops(browser, demo_app, point_id):
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context(base_url=f"http://127.0.0.1:{server.server_port}",
                                  locale="zh-CN", viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.clock.install()
    page.goto(f"/display/points/{point_id}")
    before = page.locator(".tiles").inner_text()
    assert page.locator("#offline").is_hidden()
    # A refresh while the server runs swaps in a fresh page and stays online.
    with page.expect_response(lambda r: "/display/points/" in r.url):
        page.clock.run_for(61_000)
    page.wait_for_function("!document.getElementById('screen').classList.contains('is-offline')")
    server.shutdown()
    thread.join(timeout=10)
    page.clock.run_for(61_000)
    page.wait_for_function("document.getElementById('screen').classList.contains('is-offline')",
                           timeout=15_000)
    assert page.locator("#offline").is_visible()
    assert "网络中断" in page.locator("#offline").inner_text()
    assert page.locator(".tiles").inner_text() == before  # the last figures stay
    shot(page, "display-offline")
    context.close()
