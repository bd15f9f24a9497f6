"""Camera scanning (issue 15 item 3), in Chromium with a fake camera.

Chromium's fake capture device plays a Y4M video that this test writes: an EAN-13 barcode
drawn with Pillow from the bit pattern of the standard (encoded below, independently of the
app). Chromium has no BarcodeDetector on desktop Linux, so the vendored ZXing library is
what decodes it; the test removes BarcodeDetector anyway so that it always exercises that
path. If the scanner is broken the field stays empty and the test fails.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM, csp_violations, no_horizontal_scroll, shot

# EAN-13 (ISO/IEC 15420): L-codes; R = complement of L; G = R reversed. The first digit is
# carried by the parity pattern of the left six digits.
_L = ["0001101", "0011001", "0010011", "0111101", "0100011",
      "0110001", "0101111", "0111011", "0110111", "0001011"]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
           "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13(first12: str) -> str:
    """The 13 digits: the 12 given and their check digit (weights 1, 3, 1, 3, …)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def ean13_modules(code: str) -> str:
    """The 95 modules (1 = bar) of an EAN-13 code."""
    def r(d: int) -> str:
        return "".join("1" if b == "0" else "0" for b in _L[d])
    left = "".join(_L[int(d)] if p == "L" else r(int(d))[::-1]
                   for d, p in zip(code[1:7], _PARITY[int(code[0])]))
    right = "".join(r(int(d)) for d in code[7:])
    return "101" + left + "01010" + right + "101"


def barcode_video(path: Path, code: str, *, width=640, height=480, frames=6) -> Path:
    """A short Y4M video (4:2:0, grey) of the barcode on white, 4 px per module."""
    from PIL import Image, ImageDraw

    modules = ean13_modules(code)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    x0, top, bottom, unit = (width - len(modules) * 4) // 2, 90, 390, 4
    for i, bit in enumerate(modules):
        if bit == "1":
            draw.rectangle([x0 + i * unit, top, x0 + (i + 1) * unit - 1, bottom], fill=0)
    return y4m_video(path, image, frames)


def y4m_video(path: Path, image, frames: int = 6) -> Path:
    """A still grey Pillow image as a short Y4M video (4:2:0), for Chromium's fake camera."""
    width, height = image.size
    luma = image.tobytes()
    chroma = bytes([128]) * (width * height // 4)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def test_ean13_encoder_matches_the_standard():
    # The worked example of GS1: 400638133393 → check digit 1; the patterns of a digit.
    assert ean13("400638133393") == "4006381333931"
    modules = ean13_modules("4006381333931")
    assert len(modules) == 95 and modules.startswith("101") and modules.endswith("101")
    assert modules[45:50] == "01010"


CAMERA = ["--no-sandbox", "--disable-dev-shm-usage", "--use-fake-device-for-media-stream"]


@pytest.fixture
def camera_browser(browser, tmp_path):
    """A Chromium whose camera (allowed without asking) films an EAN-13 barcode. Launched by
    the session's Playwright (`browser` skips where Chromium or Playwright is missing): a
    second sync Playwright cannot run beside it."""
    code = ean13("690123456789")
    video = barcode_video(tmp_path / "barcode.y4m", code)
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CAMERA, "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    yield chromium, code
    chromium.close()


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    # Always the vendored library's path (Chromium on Linux has no BarcodeDetector anyway).
    context.add_init_script("delete window.BarcodeDetector;")
    return context


def _sign_in(pg) -> None:
    pg.goto("/login")
    pg.get_by_label(re.compile("用户名")).fill("volunteer")
    pg.get_by_label(re.compile("密码")).fill("demo-volunteer-2026")
    pg.get_by_role("button", name=re.compile("登录")).click()
    pg.wait_for_url(re.compile(r"/staff/"))


def test_scanning_fills_the_barcode_field(camera_browser, live_server):
    browser, code = camera_browser
    context = _phone(browser, live_server)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    violations = csp_violations(pg)
    _sign_in(pg)
    pg.goto("/staff/intake/new")
    field = pg.locator("input[name='lines-0-barcode']")
    changes = pg.evaluate_handle(
        "() => { const seen = []; const f = document.querySelector(\"input[name='lines-0-barcode']\");"
        " ['input', 'change'].forEach(t => f.addEventListener(t, () => seen.push(t))); return seen; }")
    button = pg.locator(".scan-field:has(input[name='lines-0-barcode']) > .scan-button")
    box = button.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, box
    assert button.inner_text().strip() == "扫码"
    assert no_horizontal_scroll(pg), "the scan buttons make the intake form scroll sideways"
    button.click()
    dialog = pg.locator("dialog.scan-dialog")
    assert dialog.is_visible()
    shot(pg, "scan-dialog-open")
    pg.wait_for_function(
        "() => document.querySelector(\"input[name='lines-0-barcode']\").value !== ''",
        timeout=20_000)
    assert field.input_value() == code
    assert changes.evaluate("s => s") == ["input", "change"]
    assert pg.locator("dialog.scan-dialog").count() == 0, "the dialog stays open after a scan"
    context.close()
    assert not errors, errors
    assert not violations, violations


def test_cancel_closes_the_camera(camera_browser, live_server):
    browser, _code = camera_browser
    context = _phone(browser, live_server)
    # A frame without any barcode: nothing is decoded before the volunteer cancels.
    pg = context.new_page()
    pg.goto("/trace")
    button = pg.locator(".scan-field:has(input[name='c']) > .scan-button")
    button.click()
    pg.get_by_role("button", name="取消").click()
    assert pg.locator("dialog.scan-dialog").count() == 0
    assert pg.evaluate("document.activeElement.name") == "c"
    context.close()


def test_a_refused_camera_says_so_in_chinese(browser, live_server):
    # A camera exists but the permission is never granted (no fake UI: headless refuses).
    chromium = browser.browser_type.launch(executable_path=CHROMIUM,
                                           args=[*CAMERA, "--deny-permission-prompts"])
    try:
        pg = chromium.new_context(base_url=live_server, locale="zh-CN").new_page()
        pg.goto("/trace")
        pg.locator(".scan-field:has(input[name='r']) > .scan-button").click()
        status = pg.locator("dialog.scan-dialog .scan-status")
        status.wait_for(state="visible", timeout=10_000)
        assert "无法打开摄像头" in status.inner_text()
        assert pg.locator("input[name='r']").input_value() == ""
    finally:
        chromium.close()
