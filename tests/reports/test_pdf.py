"""The PDF rendering layer (WeasyPrint) and QR codes; no Flask app, no database."""

import base64
import contextlib
import hashlib
import io
import re
import socket
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pydyf
import pytest
import qrcode
from PIL import Image
from pypdf import PdfReader

from charity.reports import amount_in_capitals, qr_data_uri, qr_svg
from charity.reports.pdf import (
    BASE_CSS,
    DEFAULT_ALLOWED_ROOTS,
    ICC_RESOURCE_WARNING,
    PDF_TEMPLATE_DIR,
    STATIC_DIR,
    AssetRefused,
    Attachment,
    PdfRenderError,
    pdf_attachments,
    pdf_font_report,
    pdf_text,
    render_pdf,
)

# WeasyPrint 70 opens its bundled sRGB ICC profile for the PDF/A output intent
# and never closes it; CPython closes it right away and emits a ResourceWarning,
# which `filterwarnings = error` would turn into a failure. Only that warning,
# for that one file, is ignored (see ICC_RESOURCE_WARNING in charity/reports/pdf.py).
pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)

CREATED = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)
CAPITALS = amount_in_capitals(Decimal("1234.56"))
SNAPSHOT = '{"receipt": "2024-000123", "amount": "1234.56"}'.encode()


def receipt_html(extra: str = "") -> str:
    return f"""<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>捐赠票据</title>
<link rel="stylesheet" href="base.css"></head>
<body>
  <h1>捐赠票据</h1>
  <table>
    <thead><tr><th>项目</th><th class="num">金额（元）</th></tr></thead>
    <tbody><tr><td>善款</td><td class="amount">1,234.56</td></tr></tbody>
  </table>
  <p>人民币（大写）：<span class="capitals">{CAPITALS}</span></p>
  <div class="qr">{qr_svg("https://example.org/verify/2024-000123")}</div>
  {extra}
</body>
</html>"""


@pytest.fixture(scope="module")
def receipt_pdf() -> bytes:
    return render_pdf(
        receipt_html(),
        created=CREATED,
        attachments=[Attachment("receipt.json", SNAPSHOT, "票据数据", "application/json")],
    )


# --- text, fonts, layout ----------------------------------------------------

def test_renders_a_pdf_a_3u(receipt_pdf):
    assert receipt_pdf.startswith(b"%PDF-1.7")
    reader = PdfReader(io.BytesIO(receipt_pdf))
    xmp = reader.xmp_metadata.stream.get_data()
    assert b'pdfaid:part="3"' in xmp
    assert b'pdfaid:conformance="U"' in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert len(reader.pages) == 1
    # A4 in points.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_chinese_text_is_extractable(receipt_pdf):
    (text,) = pdf_text(receipt_pdf)
    assert "捐赠票据" in text
    assert "壹仟贰佰叁拾肆元伍角陆分" in text
    assert "1,234.56" in text
    # The footer comes from templates/pdf/base.css, linked by a relative URL.
    assert "第 1 页 / 共 1 页" in text


def test_every_font_is_embedded_including_a_cjk_font(receipt_pdf):
    report = pdf_font_report(receipt_pdf)
    assert report, "no fonts found"
    assert all(embedded for _, embedded in report), report
    assert any("Noto-Sans-CJK-SC" in name for name, _ in report), report
    # WeasyPrint subsets: the name carries the six-letter subset tag.
    assert all(re.match(r"^[A-Z]{6}\+", name) for name, _ in report), report


def test_composite_fonts_carry_their_font_files(receipt_pdf):
    # The same check as pdf_font_report, spelled out on the raw objects.
    reader = PdfReader(io.BytesIO(receipt_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in (ref.get_object() for ref in fonts.values()):
        assert font["/Subtype"] == "/Type0"
        for descendant in font["/DescendantFonts"]:
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)


def test_font_report_flags_a_font_that_is_not_embedded():
    # A hand-made PDF using the standard Helvetica without embedding it.
    pdf = pydyf.PDF()
    font = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica"})
    pdf.add_object(font)
    content = pydyf.Stream()
    content.begin_text()
    content.set_font_size("F1", 12)
    content.show_text(pydyf.String("hello"))
    content.end_text()
    pdf.add_object(content)
    pdf.add_page(pydyf.Dictionary({
        "Type": "/Page", "Parent": pdf.pages.reference,
        "MediaBox": pydyf.Array([0, 0, 200, 200]), "Contents": content.reference,
        "Resources": pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference})}),
    }))
    output = io.BytesIO()
    pdf.write(output)
    assert pdf_font_report(output.getvalue()) == [("Helvetica", False)]


def test_harfbuzz_subset_is_used():
    # Without libharfbuzz-subset0 WeasyPrint falls back to fontTools, which
    # takes seconds per CJK font (and warns on import).
    from weasyprint.text import ffi

    assert ffi.harfbuzz_subset is not None


def test_long_table_paginates_with_repeated_header_and_page_numbers():
    rows = "".join(f"<tr><td>物资 {i}</td><td class='amount'>{i}.00</td></tr>" for i in range(150))
    html = f"""<html lang="zh-CN"><head><link rel="stylesheet" href="base.css"></head><body>
      <h1>物资台账</h1><table><thead><tr><th>品名</th><th>金额</th></tr></thead>
      <tbody>{rows}</tbody></table></body></html>"""
    pages = pdf_text(render_pdf(html, created=CREATED))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
        assert "品名" in text


def test_base_css_and_default_locations():
    assert BASE_CSS == PDF_TEMPLATE_DIR / "base.css"
    assert BASE_CSS.is_file()
    project = Path(__file__).resolve().parents[2]
    assert STATIC_DIR == project / "static"
    assert PDF_TEMPLATE_DIR == project / "templates" / "pdf"
    assert DEFAULT_ALLOWED_ROOTS == (STATIC_DIR, PDF_TEMPLATE_DIR)
    css = BASE_CSS.read_text(encoding="utf-8")
    assert "counter(pages)" in css
    assert '"Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif' in css


# --- metadata and determinism ------------------------------------------------

def test_same_input_gives_the_same_bytes(receipt_pdf):
    again = render_pdf(
        receipt_html(),
        created=CREATED,
        attachments=[Attachment("receipt.json", SNAPSHOT, "票据数据", "application/json")],
    )
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(receipt_pdf).hexdigest()


def test_a_different_date_gives_different_bytes(receipt_pdf):
    other = render_pdf(
        receipt_html(),
        created=CREATED + timedelta(seconds=1),
        attachments=[Attachment("receipt.json", SNAPSHOT, "票据数据", "application/json")],
    )
    assert other != receipt_pdf


def test_metadata_is_written_and_dates_are_utc():
    china = timezone(timedelta(hours=8))
    pdf = render_pdf(
        receipt_html(), title="2024年5月 捐赠公示", authors=["幸福里社区慈善超市"],
        subject="月度公示", keywords=["公示", "捐赠"], generator="charity",
        created=datetime(2024, 5, 1, 16, 30, tzinfo=china),
        modified=datetime(2024, 5, 2, 9, 0, tzinfo=china))
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata.title == "2024年5月 捐赠公示"
    assert metadata.author == "幸福里社区慈善超市"
    assert metadata.subject == "月度公示"
    assert metadata["/Keywords"] == "公示, 捐赠"
    assert metadata.creator == "charity"
    assert metadata["/CreationDate"] == "D:20240501083000Z"
    assert metadata["/ModDate"] == "D:20240502010000Z"


def test_without_a_date_the_pdf_carries_none_even_if_the_html_has_one():
    html = receipt_html().replace(
        "<title>", '<meta name="dcterms.created" content="2020-01-01T00:00:00Z"><title>')
    metadata = PdfReader(io.BytesIO(render_pdf(html))).metadata
    assert "/CreationDate" not in metadata
    assert "/ModDate" not in metadata


@pytest.mark.parametrize("value", [datetime(2024, 5, 1, 8, 30), "2024-05-01"])
def test_dates_must_be_aware_datetimes(value):
    with pytest.raises((ValueError, TypeError)):
        render_pdf("<p>x</p>", created=value)


# --- attachments ---------------------------------------------------------------

def test_attachment_round_trips(receipt_pdf):
    assert pdf_attachments(receipt_pdf) == {"receipt.json": SNAPSHOT}


def test_attachments_are_pdf_a_3_associated_files():
    csv = "品名,数量\n大米,10\n".encode()
    pdf = render_pdf(
        "<p>附件</p>", created=CREATED,
        attachments=[
            Attachment("data.json", SNAPSHOT, "数据快照", "application/json"),
            Attachment("items.csv", csv, "物资清单", "text/csv", relationship="Source"),
        ])
    assert pdf_attachments(pdf) == {"data.json": SNAPSHOT, "items.csv": csv}
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    filespecs = [ref.get_object() for ref in root["/AF"]]
    # WeasyPrint 70 lists each file twice in /AF; render_pdf removes the duplicate.
    assert [spec["/UF"] for spec in filespecs] == ["data.json", "items.csv"]
    assert [spec["/AFRelationship"] for spec in filespecs] == ["/Data", "/Source"]
    assert [spec["/Desc"] for spec in filespecs] == ["数据快照", "物资清单"]
    streams = [spec["/EF"]["/F"].get_object() for spec in filespecs]
    assert [stream["/Subtype"] for stream in streams] == ["/application/json", "/text/csv"]
    assert streams[0]["/Params"]["/ModDate"] == "D:20240501083000Z"


def test_plain_pdf_keeps_attachments_without_pdf_a_markers():
    pdf = render_pdf("<p>x</p>", pdf_variant=None, created=CREATED,
                     attachments=[Attachment("a.json", b"{}", mime="application/json")])
    reader = PdfReader(io.BytesIO(pdf))
    assert "/AF" not in reader.trailer["/Root"]
    assert reader.xmp_metadata is None
    assert pdf_attachments(pdf) == {"a.json": b"{}"}


@pytest.mark.parametrize("variant", ["pdf/a-1b", "pdf/a-2b", "pdf/a-2u"])
def test_variants_that_would_drop_attachments_are_refused(variant):
    with pytest.raises(ValueError, match="attachments"):
        render_pdf("<p>x</p>", pdf_variant=variant, attachments=[Attachment("a.txt", b"a")])


def test_unknown_variant_and_duplicate_names_are_refused():
    with pytest.raises(ValueError, match="variant"):
        render_pdf("<p>x</p>", pdf_variant="pdf/a-9z")
    with pytest.raises(ValueError, match="unique"):
        render_pdf("<p>x</p>", attachments=[Attachment("a.txt", b"1"), Attachment("a.txt", b"2")])


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"filename": "../a.json"}, ValueError),
        ({"filename": ""}, ValueError),
        ({"content": "text"}, TypeError),
        ({"mime": "text/csv; charset=utf-8"}, ValueError),
        ({"mime": "csv"}, ValueError),
        ({"relationship": "Evidence"}, ValueError),
    ],
)
def test_attachment_fields_are_validated(kwargs, error):
    fields = {"filename": "a.json", "content": b"{}", "mime": "application/json"} | kwargs
    with pytest.raises(error):
        Attachment(**fields)


def test_html_must_be_text():
    with pytest.raises(TypeError):
        render_pdf(b"<p>x</p>")


# --- the URL fetcher -------------------------------------------------------------

_opened: list[str] | None = None


def _record_opens(event, args):
    if event == "open" and _opened is not None and isinstance(args[0], (str, bytes, Path)):
        _opened.append(str(args[0]))


# Audit hooks cannot be removed; this one only records while a test asks it to.
sys.addaudithook(_record_opens)


@contextlib.contextmanager
def recording_opens():
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def png_bytes(colour="red") -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(output, "PNG")
    return output.getvalue()


@pytest.fixture
def assets(tmp_path):
    """An allowed asset folder, and a secret image next to it (not allowed)."""
    root = tmp_path / "assets"
    root.mkdir()
    (root / "logo.png").write_bytes(png_bytes())
    (root / "extra.css").write_text('p::after { content: "（附）"; }', encoding="utf-8")
    (root / "broken.png").write_bytes(b"not an image")
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes("blue"))
    (root / "escape.png").symlink_to(secret)
    return root, secret


def test_img_file_etc_passwd_is_never_read():
    with recording_opens() as opened, pytest.raises(AssetRefused, match="outside"):
        render_pdf('<img src="file:///etc/passwd">')
    assert not [path for path in opened if "passwd" in path]


def test_img_http_localhost_is_never_requested():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with pytest.raises(AssetRefused, match="'http' is not allowed"):
            render_pdf(f'<img src="http://127.0.0.1:{port}/x.png">')
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="{url}">',
        '<link rel="stylesheet" href="{url}">',
        '<style>@import url("{url}");</style>',
        '<style>body {{ background: url("{url}"); }}</style>',
        '<style>@font-face {{ font-family: X; src: url("{url}"); }} p {{ font-family: X; }}</style>',
        '<link rel="attachment" href="{url}">',
        '<a rel="attachment" href="{url}">附件</a>',
        '<svg width="10" height="10"><image href="{url}" width="10" height="10"/></svg>',
        '<object data="{url}"></object>',
        '<embed src="{url}">',
    ],
)
def test_no_markup_reaches_a_file_outside_the_assets(markup, assets):
    root, secret = assets
    html = f"<p>x</p>{markup.format(url=secret.as_uri())}"
    with recording_opens() as opened, pytest.raises(AssetRefused):
        render_pdf(html, base_dir=root, allowed_roots=[root])
    assert str(secret) not in opened


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x.png",
        "gopher://example.org/x",
        "jar:file:///x.zip!/a.png",
        "file://otherhost/etc/passwd",
        "file://localhost/etc/passwd",
        "FILE:///etc/passwd",
        "file:///etc/passwd?x=1#y",
        "/etc/passwd",
        "../../../../../../../../etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "escape.png",  # a symlink inside the root that points outside it
        "../secret.png",
    ],
)
def test_refused_urls(url, assets):
    root, secret = assets
    with recording_opens() as opened, pytest.raises(AssetRefused):
        render_pdf(f'<img src="{url}">', base_dir=root, allowed_roots=[root])
    assert not [path for path in opened if "passwd" in path or path == str(secret)]


def test_refused_url_in_an_extra_stylesheet():
    with pytest.raises(AssetRefused):
        render_pdf("<p>x</p>", stylesheets=['@import url("https://example.org/a.css");'])


def test_refusal_is_an_ordinary_exception():
    # WeasyPrint signals it with a BaseException; callers must be able to
    # catch it with `except Exception`.
    assert issubclass(AssetRefused, PdfRenderError)
    assert issubclass(PdfRenderError, Exception)
    try:
        render_pdf('<img src="file:///etc/passwd">')
    except Exception as exc:  # noqa: BLE001 - the point of the test
        assert isinstance(exc, AssetRefused)
        assert exc.url == "file:///etc/passwd"


def test_files_inside_the_assets_are_used(assets):
    root, _ = assets
    html = '<link rel="stylesheet" href="extra.css"><p>正文</p><img src="logo.png">'
    pdf = render_pdf(html, base_dir=root, allowed_roots=[root], created=CREATED)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) == 1
    assert "正文（附）" in page.extract_text()


def test_default_roots_serve_templates_pdf(receipt_pdf):
    # base.css is fetched from templates/pdf/ through the fetcher (footer present).
    assert "共 1 页" in pdf_text(receipt_pdf)[0]


def test_data_uris_are_allowed():
    png = base64.b64encode(png_bytes()).decode("ascii")
    html = (f'<img src="data:image/png;base64,{png}">'
            f'<img src="{qr_data_uri("https://example.org/v/1")}" style="width: 20mm">')
    # An SVG that failed to draw would be logged by WeasyPrint and raised here.
    page = PdfReader(io.BytesIO(render_pdf(html, created=CREATED))).pages[0]
    assert len(page.images) == 1  # the PNG; the SVG becomes vector paths


def test_missing_asset_fails_the_render(assets):
    root, _ = assets
    with pytest.raises(PdfRenderError, match="missing.png") as caught:
        render_pdf('<img src="missing.png">', base_dir=root, allowed_roots=[root])
    assert not isinstance(caught.value, AssetRefused)


def test_unreadable_image_fails_the_render(assets):
    # WeasyPrint only logs this and leaves the image out; render_pdf raises.
    root, _ = assets
    with pytest.raises(PdfRenderError, match="broken.png"):
        render_pdf('<img src="broken.png">', base_dir=root, allowed_roots=[root])


# --- QR codes ----------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def modules_from_path(svg: str) -> set[tuple[int, int]]:
    path = ElementTree.fromstring(svg).find(f"{SVG}path")
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", path.get("d"))}


def test_qr_svg_is_an_inline_svg_element():
    svg = qr_svg("https://example.org/verify/2024-000123")
    assert svg.startswith("<svg ") and not svg.startswith("<?xml")
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")
    assert root.get("shape-rendering") == "crispEdges"
    assert " id=" not in svg  # several codes can share a page
    assert root.find(f"{SVG}rect").get("fill") == "white"


@pytest.mark.parametrize("data", ["https://example.org/verify/2024-000123", "捐赠票据 2024-000123"])
def test_qr_modules_match_the_encoder(data):
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    reference.add_data(data)
    reference.make(fit=True)
    expected = {
        (x, y)
        for y, row in enumerate(reference.get_matrix())
        for x, dark in enumerate(row) if dark}
    assert modules_from_path(qr_svg(data)) == expected


def test_qr_options():
    svg = ElementTree.fromstring(qr_svg("x", size="25mm", title="核验 <码> & 票"))
    assert svg.get("width") == svg.get("height") == "25mm"
    assert svg.get("aria-label") == "核验 <码> & 票"
    assert svg.find(f"{SVG}title").text == "核验 <码> & 票"
    small = ElementTree.fromstring(qr_svg("x", border=0))
    assert small.get("viewBox") == "0 0 21 21"  # version 1, no quiet zone
    assert qr_svg("x", error_correction="H") != qr_svg("x", error_correction="L")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"data": ""}, ValueError),
        ({"data": b"bytes"}, TypeError),
        ({"data": "x", "size": "25"}, ValueError),
        ({"data": "x", "size": "25mm; fill: red"}, ValueError),
        ({"data": "x", "error_correction": "X"}, ValueError),
        ({"data": "x", "border": -1}, ValueError),
    ],
)
def test_qr_refuses_bad_arguments(kwargs, error):
    with pytest.raises(error):
        qr_svg(**kwargs)


def test_qr_is_deterministic_and_the_data_uri_carries_the_same_svg():
    svg = qr_svg("https://example.org/v/1")
    assert svg == qr_svg("https://example.org/v/1")
    uri = qr_data_uri("https://example.org/v/1")
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    assert base64.b64decode(uri.removeprefix(prefix)).decode("utf-8") == svg
