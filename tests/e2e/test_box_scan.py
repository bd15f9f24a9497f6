"""Scanning a box label (issue 20 §3) in Chromium with a fake camera: the camera films the
label's QR code — the box's address, encoded here with the qrcode library's matrix and drawn
with Pillow, independently of the app's label — and the counter's camera scan on the box
list lands on the box's page. The vendored ZXing decoder is what reads it (BarcodeDetector
is removed, as in test_scan)."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import CHROMIUM, csp_violations, no_horizontal_scroll, shot
from tests.e2e.test_scan import CAMERA, _phone, _sign_in, y4m_video


def qr_image(text: str, *, width=640, height=480, unit=6):
    """The QR code of `text` (version chosen to fit, error correction Q) on white."""
    import qrcode
    from PIL import Image, ImageDraw

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    x0, y0 = (width - len(matrix) * unit) // 2, (height - len(matrix) * unit) // 2
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                draw.rectangle([x0 + c * unit, y0 + r * unit,
                                x0 + (c + 1) * unit - 1, y0 + (r + 1) * unit - 1], fill=0)
    return image


@pytest.fixture
def demo_box(demo_app):
    """The first demo box on the volunteer's shelf (张掖路慈善超市): (id, code)."""
    from charity.boxes.models import Box
    from charity.core.extensions import db

    with demo_app.app_context():
        box = db.session.scalar(sa.select(Box).order_by(Box.id))
        assert box is not None, "the demo has no boxes"
        found = (box.id, box.code)
        db.session.remove()
    return found


@pytest.mark.slow
def test_scanning_a_box_label_opens_the_box(browser, live_server, demo_box, tmp_path):
    box_id, code = demo_box
    video = y4m_video(tmp_path / "box.y4m",
                      qr_image(f"{live_server}/staff/boxes/open?box={code}"))
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CAMERA, "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    try:
        context = _phone(chromium, live_server)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        violations = csp_violations(pg)
        _sign_in(pg)
        pg.goto("/staff/boxes/")
        assert no_horizontal_scroll(pg), "the box list scrolls sideways on a phone"
        button = pg.locator(".scan-field:has(input[name='box']) > .scan-button")
        size = button.bounding_box()
        assert size and size["height"] >= 44 and size["width"] >= 44, size
        button.click()
        pg.wait_for_url(re.compile(rf"/staff/boxes/{box_id}$"), timeout=20_000)
        assert code in pg.locator("h1").inner_text()
        assert no_horizontal_scroll(pg), "the box page scrolls sideways on a phone"
        shot(pg, "box-scanned")
        context.close()
    finally:
        chromium.close()
    assert not errors, errors
    assert not violations, violations
