"""Browser tests: Debian's Chromium driven by Playwright against the live demo site.

Where Chromium or Playwright cannot be had these tests skip, saying why; `./test` installs
both, so on a machine set up by it they run. Screenshots are written to test-artifacts/
(CHARITY_TEST_ARTIFACTS overrides), kept after the run for a person to look at.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


CHROMIUM = os.environ.get("CHARITY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("CHARITY_TEST_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "test-artifacts"))


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Python Playwright is not installed (pip install -e '.[dev]')")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context (no cookies) per test; a screenshot of the last screen is kept."""
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    violations = csp_violations(pg)
    yield pg
    shot(pg, request.node.name + "-final")
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def phone(browser, live_server, request):
    """A phone-sized context: 390×844, touch, like the volunteer's at the counter."""
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    violations = csp_violations(pg)
    yield pg
    shot(pg, request.node.name + "-final")
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


def csp_violations(pg) -> list[str]:
    """Collect what Chromium blocks under the app's Content-Security-Policy: it reports each
    refused script, style, image, frame or form target as a console error."""
    found: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"{pg.url}: {message.text}")

    pg.on("console", on_console)
    return found


def shot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def no_horizontal_scroll(pg) -> bool:
    """Nothing on the page is wider than the screen (a 360/390-px phone must not scroll sideways).

    Measured against the layout viewport (`clientWidth`), not `innerWidth`: on a phone
    (is_mobile) Chromium zooms a too-wide page out to fit, and innerWidth grows with it."""
    return pg.evaluate("document.documentElement.scrollWidth <= "
                       "document.documentElement.clientWidth + 1")
