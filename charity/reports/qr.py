"""QR codes as inline SVG, for HTML pages and WeasyPrint PDFs alike.

SVG keeps the code sharp at any print resolution and needs no image file
(nothing to fetch, so it passes the PDF renderer's URL fetcher untouched).
"""

from __future__ import annotations

import base64
import functools
import re
from xml.etree import ElementTree

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathFillImage

__all__ = ["qr_data_uri", "qr_svg"]

_ERROR_CORRECTION = {
    "L": qrcode.constants.ERROR_CORRECT_L,  # ~7 % of the code can be damaged
    "M": qrcode.constants.ERROR_CORRECT_M,  # ~15 %
    "Q": qrcode.constants.ERROR_CORRECT_Q,  # ~25 %
    "H": qrcode.constants.ERROR_CORRECT_H,  # ~30 %
}
# A CSS length such as "30mm", "2.5cm", "120px" or "100%".
_CSS_LENGTH = re.compile(r"^\d+(\.\d+)?(mm|cm|in|pt|px|em|rem|%)$")


def _qr_element(data: str, size: str | None, border: int,
                error_correction: str, title: str | None) -> ElementTree.Element:
    if not isinstance(data, str):
        raise TypeError(f"data must be a str, not {type(data).__name__}")
    if not data:
        raise ValueError("data must not be empty")
    if error_correction not in _ERROR_CORRECTION:
        raise ValueError(f"error_correction must be one of L, M, Q, H, not {error_correction!r}")
    if size is not None and not _CSS_LENGTH.match(size):
        raise ValueError(f"size must be a CSS length such as '30mm', not {size!r}")
    if border < 0:
        raise ValueError("border must not be negative")

    code = qrcode.QRCode(
        error_correction=_ERROR_CORRECTION[error_correction],
        border=border,
        image_factory=SvgPathFillImage,  # white background, one <path>
    )
    code.add_data(data)
    code.make(fit=True)
    svg = code.make_image().get_image()

    if size is not None:
        svg.set("width", size)
        svg.set("height", size)
    # Abutting squares must not show hairline seams in anti-aliasing renderers.
    svg.set("shape-rendering", "crispEdges")
    svg.set("role", "img")
    for path in svg.iter("path"):
        # The library names its path id="qr-path"; two codes on one page would
        # then share an id, which is invalid HTML.
        path.attrib.pop("id", None)
    if title:
        svg.set("aria-label", title)
        title_element = ElementTree.Element("title")
        title_element.text = title
        svg.insert(0, title_element)
    return svg


# Deterministic and ~25 ms a code: a point's screen or a sheet of box labels draws the same
# codes on every refresh.
@functools.lru_cache(maxsize=1024)
def qr_svg(data: str, *, size: str | None = None, border: int = 4,
           error_correction: str = "M", title: str | None = None) -> str:
    """Return an ``<svg>`` element (a string, no XML declaration) encoding ``data``.

    ``size`` is a CSS length for width and height (default: one millimetre
    per module, e.g. 37mm for a short URL); ``border`` is the quiet zone in
    modules (4 is the standard minimum); ``error_correction`` is L, M, Q or
    H; ``title`` becomes the accessible name. The output is deterministic
    and safe to mark as ``Markup`` in Jinja: it is built by ElementTree,
    which escapes ``title``.
    """
    svg = _qr_element(data, size, border, error_correction, title)
    return ElementTree.tostring(svg, encoding="unicode")


def qr_data_uri(data: str, *, size: str | None = None, border: int = 4,
                error_correction: str = "M", title: str | None = None) -> str:
    """Return the same QR code as a ``data:image/svg+xml;base64,…`` URI.

    Handy for ``<img src>`` (e-mail, CSS backgrounds); the PDF renderer's
    URL fetcher allows ``data:`` URIs.
    """
    svg = qr_svg(data, size=size, border=border,
                 error_correction=error_correction, title=title)
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
