"""Outside checkers over the demo site: the W3C Nu HTML validator and axe-core.

One Chromium context per visitor (the public, then the volunteer), 360 px wide, visits
every page once: each GET route without arguments that the visitor may open, then one page of
each further route those pages link to (a campaign, a disclosure, an intake…). axe-core is
injected into each page as it stands; the HTML the server sent is saved to a folder, and the
Nu validator (vnu.jar from npm, run by Debian's Java) checks the whole folder in one JVM at
the end. Each page is also measured: none may scroll sideways on the phone. `scripts/setup.sh dev` installs both into tools/node_modules; without them these
tests skip, saying why.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from charity.auth.permissions import PERMISSIONS
from charity.core.roles import Role
from charity.web.access import LOGIN, PUBLIC, access_rule
from tests.e2e.conftest import no_horizontal_scroll
from tests.e2e.crawl import NOT_PAGES, endpoint_of, html_of, one_of_each, page_links, sign_in

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "node_modules"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"
JAVA = shutil.which("java") or "/usr/bin/java"
# A page the validator must fault: proves it looked (one JVM for the site and this).
BROKEN = "<!DOCTYPE html><html lang=zh-CN><title>x</title><ul><div>x</div></ul></html>"
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => v.impact === 'critical' || v.impact === 'serious')
  .map(v => `${v.impact} ${v.id}: ${v.help} — ` +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""


def _may_open(rule: str | None, visitor: str | None) -> bool:
    if visitor is None:
        return rule == PUBLIC
    return rule == LOGIN or (rule in PERMISSIONS and Role(visitor) in PERMISSIONS[rule])


def _start_paths(app, visitor: str | None) -> list[str]:
    with app.test_request_context():
        rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        return [r.rule for r in rules if "GET" in r.methods and not r.arguments
                and not NOT_PAGES.search(r.rule)
                and _may_open(access_rule(r.endpoint), visitor)]


def _traced_receipt(app) -> str:
    """The trace page's answer for a real receipt of donated goods (the same route as the
    empty form, so the crawl would not reach it)."""
    import sqlalchemy as sa

    from charity.core.extensions import db
    from charity.funds.models import Receipt
    from charity.goods.models import Intake

    with app.app_context():
        receipt = db.session.scalars(sa.select(Receipt).join(
            Intake, Intake.receipt_id == Receipt.id).order_by(Receipt.id)).first()
        path = f"/trace?r={receipt.number}&c={receipt.check_code}"
        db.session.remove()
    return path


def _visit_all(pg, app, visitor, folder: Path, found: dict) -> None:
    """Visit the visitor's pages; save their HTML to `folder`, axe's findings to `found`."""
    start = _start_paths(app, visitor) + ([] if visitor else [_traced_receipt(app)])
    seen = {endpoint_of(app, p) for p in start}
    queue, links = list(start), []
    while queue:
        path = queue.pop(0)
        html = html_of(pg.goto(path))
        if html is None:
            continue
        name = f"{visitor or 'public'}-{len(found):03d}.html"
        (folder / name).write_text(html, encoding="utf-8")
        pg.add_script_tag(path=str(AXE))
        found[name] = (path, pg.evaluate(AXE_RUN), not no_horizontal_scroll(pg))
        if path in start:
            links += page_links(pg)
        if not queue and links:
            with app.test_request_context():
                queue = [p for p in one_of_each(app, links, seen)
                         if _may_open(access_rule(endpoint_of(app, p) or ""), visitor)]
            links = []


@pytest.fixture(scope="module")
def checked_site(browser, live_server, demo_app, tmp_path_factory):
    """The folder of the HTML and {file name: (path, axe's critical/serious violations,
    whether the page is wider than the screen)}."""
    if not (VNU.exists() and AXE.exists()):
        pytest.skip(f"vnu-jar/axe-core not in {TOOLS} (run scripts/setup.sh dev)")
    folder = tmp_path_factory.mktemp("served-html")
    found: dict[str, tuple[str, list[str], bool]] = {}
    for visitor in (None, "volunteer"):
        # bypass_csp: only so that axe's script can be injected; test_csp.py checks the policy.
        context = browser.new_context(base_url=live_server, locale="zh-CN", bypass_csp=True,
                                      viewport={"width": 360, "height": 740})
        pg = context.new_page()
        try:
            if visitor:
                sign_in(pg, visitor)
            _visit_all(pg, demo_app, visitor, folder, found)
        finally:
            context.close()
    return folder, found


def test_the_crawl_reached_every_kind_of_page(checked_site):
    _folder, found = checked_site
    paths = [path for path, _v, _w in found.values()]
    for expected in ("/", "/trace", "/complaints/new", "/staff/", "/staff/intake/new"):
        assert expected in paths, expected
    assert any(p.startswith("/disclosures/") and p != "/disclosures/" for p in paths), paths
    assert any(p.startswith("/trace?r=") for p in paths), paths
    assert any(p.startswith("/staff/intake/") and p[14:15].isdigit() for p in paths), paths


def test_the_nu_validator_finds_no_error(checked_site):
    folder, found = checked_site
    (folder / "zz-broken.html").write_text(BROKEN, encoding="utf-8")
    run = subprocess.run([JAVA, "-jar", str(VNU), "--errors-only", "--format", "json",
                          str(folder)], capture_output=True, text=True, timeout=120, check=False)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = {}
    for m in messages:
        name = m.get("url", "").rsplit("/", 1)[-1]
        errors.setdefault(name, []).append(f"line {m.get('lastLine')}: {m['message']}")
    assert "zz-broken.html" in errors, "the validator did not fault a broken page"
    del errors["zz-broken.html"]
    report = [f"{found[n][0]} ({n}) {e}" for n, es in sorted(errors.items()) for e in es]
    assert not report, f"{len(report)} validator errors:\n" + "\n".join(report)


def test_axe_finds_no_critical_or_serious_violation(checked_site):
    _folder, found = checked_site
    report = [f"{path}: {v}" for path, violations, _w in found.values() for v in violations]
    assert not report, f"{len(report)} axe-core violations:\n" + "\n".join(report)


def test_no_public_or_volunteer_page_scrolls_sideways_at_360_px(checked_site):
    _folder, found = checked_site
    wide = [path for path, _v, is_wide in found.values() if is_wide]
    assert not wide, f"{len(wide)} pages scroll sideways at 360 px: {wide}"


def test_axe_is_not_blind(browser):
    context = browser.new_context(bypass_csp=True)
    pg = context.new_page()
    try:
        pg.set_content("<html><body><img src='x.png'><input type=text></body></html>")
        pg.add_script_tag(path=str(AXE))
        assert any("image-alt" in v for v in pg.evaluate(AXE_RUN))
    finally:
        context.close()
