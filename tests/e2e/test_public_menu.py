"""The public menu on a 360-px phone: every section in sight, no sideways scrolling."""
from tests.e2e.conftest import no_horizontal_scroll, shot


def test_every_public_section_is_visible_and_tappable_at_360_px(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 360, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    pg = context.new_page()
    try:
        pg.goto("/")
        links = pg.locator("ul.public-links a")
        assert links.count() == 8
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            label = links.nth(i).inner_text()
            assert box is not None, label
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (label, box)
            assert box["height"] >= 44, (label, box)
        assert no_horizontal_scroll(pg)
        shot(pg, "public-menu-360")
    finally:
        context.close()
