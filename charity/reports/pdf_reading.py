"""Reading a PDF back: its fonts, embedded files and text (for tests and verification).

Needs ``pypdf`` (a dev/test dependency), imported on first use so that rendering
(``charity.reports.pdf``) does not depend on it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

__all__ = ["pdf_attachments", "pdf_font_report", "pdf_text"]


def _reader(pdf_bytes: bytes):
    from pypdf import PdfReader  # dev/test dependency; see module docstring

    return PdfReader(io.BytesIO(pdf_bytes))


def pdf_font_report(pdf_bytes: bytes) -> list[tuple[str, bool]]:
    """List every font the PDF uses as ``(base font name, embedded)``.

    A Type0 (composite) font counts as embedded when each descendant font's
    descriptor has a FontFile, FontFile2 or FontFile3; a Type3 font is
    embedded by construction. Fonts are found in page resources, form
    XObjects, Type3 font resources and the AcroForm default resources, and
    listed once each in the order found.
    """
    reader = _reader(pdf_bytes)
    found: dict[object, tuple[str, bool]] = {}
    visited: set[object] = set()

    def visit(resources) -> None:
        resources = resources.get_object() if resources is not None else None
        if not resources or _key(resources) in visited:
            return
        visited.add(_key(resources))
        fonts = resources.get("/Font")
        for reference in (fonts.get_object().values() if fonts else ()):
            font = reference.get_object()
            if _key(reference) not in found:
                found[_key(reference)] = (
                    str(font.get("/BaseFont", "(unnamed)")).lstrip("/"), _font_embedded(font))
                if font.get("/Subtype") == "/Type3":
                    visit(font.get("/Resources"))
        xobjects = resources.get("/XObject")
        for reference in (xobjects.get_object().values() if xobjects else ()):
            xobject = reference.get_object()
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    acroform = reader.trailer["/Root"].get("/AcroForm")
    if acroform is not None:
        visit(acroform.get_object().get("/DR"))
    return list(found.values())


def _key(obj) -> object:
    """Identify a PDF object: by object number when it has one."""
    from pypdf.generic import IndirectObject

    reference = obj if isinstance(obj, IndirectObject) else getattr(obj, "indirect_reference", None)
    if reference is not None:
        return ("ref", reference.idnum, reference.generation)
    return ("id", id(obj))


def _font_embedded(font) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True
    if subtype == "/Type0":
        descendants = [d.get_object() for d in font.get("/DescendantFonts", ())]
        return bool(descendants) and all(_has_font_file(d) for d in descendants)
    return _has_font_file(font)


def _has_font_file(font) -> bool:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def pdf_attachments(pdf_bytes: bytes) -> dict[str, bytes]:
    """Return the PDF's embedded files (EmbeddedFiles name tree) by name."""
    result: dict[str, bytes] = {}
    for name, contents in _reader(pdf_bytes).attachments.items():
        if len(contents) != 1:
            raise ValueError(f"the PDF has {len(contents)} attachments named {name!r}")
        result[name] = contents[0]
    return result


def pdf_text(pdf_bytes: bytes) -> list[str]:
    """Return the extracted text of each page."""
    return [page.extract_text() for page in _iter_pages(pdf_bytes)]


def _iter_pages(pdf_bytes: bytes) -> Iterator:
    yield from _reader(pdf_bytes).pages
