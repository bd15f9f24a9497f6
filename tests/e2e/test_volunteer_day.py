"""The volunteer's day on a phone (390×844) in Chromium, from the home page's jobs: an
intake of two lines from a new donor with a receipt, a distribution to a household, a sale
and a stocktake count. For each job it records the taps (every click, choice and field
filled) and the form's page height, in tests/e2e/output/volunteer_day.json and as test
properties (issue 15 asks for them next to the earlier figures)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import sqlalchemy as sa

from charity.core.extensions import db
from tests.e2e.conftest import no_horizontal_scroll, shot
from tests.e2e.test_volunteer_intake import _sign_in

OUTPUT = Path(__file__).resolve().parent / "output"
POINT = "张掖路慈善超市"


class Taps:
    """Counts what the volunteer does with a finger: taps on buttons and links, choices in
    a list, fields filled in (one tap into the field, then typing)."""

    def __init__(self, pg):
        self.pg, self.n, self.height = pg, 0, 0

    def tap(self, locator):
        self.n += 1
        locator.click()

    def fill(self, locator, text: str):
        self.n += 1
        locator.fill(text)

    def choose(self, locator, **option):
        self.n += 1
        locator.select_option(**option)

    def measure(self):
        """The height of the form the volunteer has to work through (the tallest seen)."""
        self.height = max(self.height, self.pg.evaluate(
            "document.documentElement.scrollHeight"))


def _count(demo_app, model, *where):
    with demo_app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
        db.session.remove()
        return n


def _household_name(demo_app) -> str:
    """A household of the point's organisation that may receive goods today."""
    from charity.orgs.models import CharityPoint
    from charity.people.models import Beneficiary
    from charity.core.clock import org_today

    with demo_app.app_context():
        point = db.session.scalar(sa.select(CharityPoint).where(CharityPoint.name == POINT))
        today = org_today(point.organization)
        name = db.session.scalar(sa.select(Beneficiary.name).where(
            Beneficiary.organization_id == point.organization_id,
            Beneficiary.active.is_(True), Beneficiary.erased_at.is_(None),
            Beneficiary.certified_until >= today).order_by(Beneficiary.id))
        db.session.remove()
        return name


def _intake(pg, taps: Taps):
    taps.tap(pg.locator("nav.counter-jobs a[data-job=intake]"))
    pg.wait_for_url(re.compile(r"/staff/intake/new"))
    taps.choose(pg.locator("select[name=point_id]"), label=POINT)
    taps.tap(pg.locator("input[name=donor_mode][value=new]"))
    taps.fill(pg.locator("input[name=new_donor_name]"), "周晓梅")
    taps.fill(pg.locator("input[name=new_donor_phone]"), "13800138000")
    # Two goods with a catalogue value that are not food (no expiry date to type).
    names = pg.evaluate("""() => [...document.querySelectorAll(
        "select[name='lines-0-item_type_id'] option")].filter(o => o.dataset.value
        && !o.dataset.perishable).slice(0, 2).map(o => o.textContent.split('（')[0])""")
    finder = pg.locator("#lines-0-item_type_id-find")
    taps.fill(finder, names[0])
    taps.tap(pg.locator("#lines-0-item_type_id-found button").first)
    taps.fill(pg.locator("input[name='lines-0-quantity']"), "2")
    taps.tap(pg.locator("button.add-line"))
    pg.wait_for_selector("select[name='lines-1-item_type_id']")
    assert pg.locator("input[name='lines-0-quantity']").input_value() == "2"
    assert pg.locator("input[name=new_donor_name]").input_value() == "周晓梅"
    taps.fill(pg.locator("#lines-1-item_type_id-find"), names[1])
    taps.tap(pg.locator("#lines-1-item_type_id-found button").first)
    taps.fill(pg.locator("input[name='lines-1-quantity']"), "1")
    assert pg.locator("input[name=with_receipt]").is_checked()  # on by default
    taps.measure()
    assert no_horizontal_scroll(pg), "the intake form scrolls sideways"
    taps.tap(pg.get_by_role("button", name="接收", exact=True))
    pg.wait_for_url(re.compile(r"/staff/intake/\d+$"))
    return int(pg.url.rsplit("/", 1)[1])


def _distribution(pg, taps: Taps, household: str):
    taps.tap(pg.locator("nav.counter-bar a[data-job=distributions]"))
    pg.wait_for_url(re.compile(r"/staff/distributions/new"))
    _choose_point(pg, taps)
    taps.fill(pg.locator("input[name=q]"), household)
    choose = pg.locator("#household-found a.lookup-choice").first
    choose.wait_for()
    assert choose.bounding_box()["height"] >= 44
    taps.tap(choose)
    pg.wait_for_url(re.compile(r"beneficiary=\d+"))
    _first_item_with_stock(pg, taps)
    taps.measure()
    assert no_horizontal_scroll(pg), "the distribution form scrolls sideways"
    taps.tap(pg.get_by_role("button", name="发放", exact=True))
    pg.wait_for_url(re.compile(r"/staff/distributions/\d+"))


def _choose_point(pg, taps: Taps):
    """The volunteer serves two points: the counter starts at the first, switch if needed."""
    select = pg.locator("select[name=point]")
    if select.count() and POINT not in select.evaluate("s => s.selectedOptions[0].text"):
        taps.choose(select, label=POINT)
        taps.tap(pg.get_by_role("button", name="选择此网点"))
        pg.wait_for_url(re.compile(r"point=\d+"))
    pg.wait_for_load_state("load")


def _first_item_with_stock(pg, taps: Taps):
    value = pg.evaluate("""() => [...document.querySelectorAll(
        "select[name='lines-0-item_type_id'] option")].map(o => o.value).find(v => v)""")
    taps.choose(pg.locator("select[name='lines-0-item_type_id']"), value=value)
    taps.fill(pg.locator("input[name='lines-0-quantity']"), "1")


def _sale(pg, taps: Taps):
    taps.tap(pg.locator("nav.counter-bar a[data-job=sales]"))
    pg.wait_for_url(re.compile(r"/staff/sales/new"))
    _choose_point(pg, taps)
    _first_item_with_stock(pg, taps)
    taps.fill(pg.locator("input[name='lines-0-unit_price']"), "2")  # not every item has one
    taps.measure()
    assert no_horizontal_scroll(pg), "the sale form scrolls sideways"
    taps.tap(pg.get_by_role("button", name="登记义卖", exact=True))
    pg.wait_for_url(re.compile(r"/staff/sales/\d+"))


def _stocktake(pg, taps: Taps):
    taps.tap(pg.locator("nav.counter-bar a[data-job=stocktakes]"))
    pg.wait_for_url(re.compile(r"/staff/stocktakes/new"))
    taps.choose(pg.locator("select[name=point_id]"), label=POINT)
    taps.tap(pg.get_by_role("button", name="创建盘点表"))
    pg.wait_for_url(re.compile(r"/staff/stocktakes/\d+"))
    taps.fill(pg.locator("input[name$='counted']").first, "1")
    taps.measure()
    assert no_horizontal_scroll(pg), "the count sheet scrolls sideways"
    taps.tap(pg.get_by_role("button", name="保存清点数量"))
    pg.wait_for_load_state()


def test_the_volunteers_day_on_a_phone(phone, demo_app, record_property):
    from charity.goods.models import Distribution, Intake, Sale, StocktakeLine

    before = {m: _count(demo_app, m) for m in (Distribution, Sale)}
    household = _household_name(demo_app)
    _sign_in(phone, "volunteer", "demo-volunteer-2026")
    phone.goto("/staff/")
    # One short header row; the jobs are big buttons and, at the bottom, a bar of 44+ px.
    header = phone.evaluate("document.querySelector('.site-header').offsetHeight")
    assert header <= 90, f"the staff header is {header} px tall"
    for selector in ("nav.counter-jobs a", "nav.counter-bar a"):
        heights = [box["height"] for box in
                   (a.bounding_box() for a in phone.locator(selector).all())]
        assert len(heights) == 4 and min(heights) >= 44, (selector, heights)
    assert no_horizontal_scroll(phone), "the volunteer's home scrolls sideways"
    record_property("staff_header_px", header)
    figures = {"home": {"staff_header_px": header}}
    for job, run in (("intake", lambda t: _intake(phone, t)),
                     ("distribution", lambda t: _distribution(phone, t, household)),
                     ("sale", lambda t: _sale(phone, t)),
                     ("stocktake", lambda t: _stocktake(phone, t))):
        taps = Taps(phone)
        result = run(taps)
        shot(phone, f"volunteer-day-{job}")
        figures[job] = {"taps": taps.n, "page_height_px": taps.height}
        if job == "intake":
            with demo_app.app_context():
                intake = db.session.get(Intake, result)
                assert len(intake.lines) == 2 and intake.donor.name == "周晓梅"
                assert intake.receipt_id is not None
                db.session.remove()
        record_property(f"{job}_taps", taps.n)
        record_property(f"{job}_page_height_px", taps.height)
    assert _count(demo_app, Distribution) == before[Distribution] + 1
    assert _count(demo_app, Sale) == before[Sale] + 1
    assert _count(demo_app, StocktakeLine, StocktakeLine.counted.is_not(None)) >= 1
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "volunteer_day.json").write_text(
        json.dumps({"viewport": "390x844", "jobs": figures}, indent=2), encoding="utf-8")
