"""HTML → PDF with WeasyPrint: locked-down fetching, attachments, reproducible bytes.

Every PDF the app produces (receipts, disclosures) goes through
``render_pdf``. It promises:

* **No reads outside the asset folders.** Only ``data:`` URIs and ``file:``
  URLs inside ``allowed_roots`` (default: the project's ``static/`` and
  ``templates/pdf/``) are fetched; anything else — other files, symlinks
  leading out, http(s), ftp — raises ``AssetRefused`` and no PDF is made.
  Any other unusable resource (missing file, broken image) raises
  ``PdfRenderError``: a disclosure with a silently missing logo or table
  style is worse than no disclosure.
* **PDF/A-3u by default**, with attachments as associated files (the JSON
  snapshot of a disclosure travels inside its PDF).
* **Same input, same bytes** when ``created`` is given: no clock is read,
  the file identifier is a digest of the content (see decision 0004).

Rendering is slow (tenths of a second per page, seconds for long tables):
call it from the scheduler or a background job, never inside a request.

``pdf_font_report``, ``pdf_attachments`` and ``pdf_text`` read a PDF back
(for tests and verification); they need ``pypdf``, imported on first use so
that rendering does not depend on it.
"""

from __future__ import annotations

import contextlib

import base64
import io
import logging
import mimetypes
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NoReturn
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
import weasyprint
from weasyprint.pdf import VARIANTS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

__all__ = [
    "BASE_CSS",
    "DEFAULT_ALLOWED_ROOTS",
    "ICC_RESOURCE_WARNING",
    "PDF_TEMPLATE_DIR",
    "STATIC_DIR",
    "AssetRefused",
    "Attachment",
    "PdfRenderError",
    "SafeURLFetcher",
    "pdf_attachments",
    "pdf_font_report",
    "pdf_text",
    "render_pdf",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = PROJECT_ROOT / "static"
PDF_TEMPLATE_DIR = PROJECT_ROOT / "templates" / "pdf"
#: The shared print stylesheet; templates link it as ``<link rel="stylesheet"
#: href="base.css">`` (relative to the default ``base_dir``).
BASE_CSS = PDF_TEMPLATE_DIR / "base.css"
DEFAULT_ALLOWED_ROOTS: tuple[Path, ...] = (STATIC_DIR, PDF_TEMPLATE_DIR)

# PDF/A-3 (ISO 19005-3) values of /AFRelationship.
_RELATIONSHIPS = frozenset({
    "Source", "Data", "Alternative", "Supplement", "EncryptedPayload",
    "FormData", "Schema", "Unspecified"})
# PDF/A-1 and PDF/A-2 cannot carry arbitrary attachments: WeasyPrint would drop
# them silently, so render_pdf refuses instead.
_NO_ATTACHMENT_VARIANTS = frozenset(
    {"pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b", "pdf/a-2u"})
_MIME = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")
_LOGGER = logging.getLogger(__name__)

#: pytest ``filterwarnings`` entry for the one warning rendering is known to
#: emit. WeasyPrint 70 opens its bundled sRGB ICC profile for the PDF/A output
#: intent and never closes it (pdf/__init__.py, ``ColorProfile(... .open('rb'))``);
#: CPython closes it a moment later and warns. It is harmless (nothing leaks
#: past the call) and invisible outside tests (ResourceWarning is ignored by
#: default), but fatal under ``filterwarnings = error``. Test modules that
#: render PDFs use ``pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)``.
ICC_RESOURCE_WARNING = (
    r"ignore:unclosed file <_io\.BufferedReader name='[^']*sRGB2014\.icc'>:ResourceWarning")


class PdfRenderError(Exception):
    """Rendering failed (an unusable resource, bad arguments); no PDF was made."""


class AssetRefused(PdfRenderError):
    """The document referenced a URL the renderer may not read."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused to fetch {_shorten(url)}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF (a PDF/A-3 associated file).

    ``relationship`` is the PDF/A-3 /AFRelationship: ``Data`` for the data a
    report was printed from (the default), ``Source`` for the document's
    source, ``Supplement``/``Alternative``/``Unspecified`` otherwise.
    """

    filename: str
    content: bytes
    description: str = ""
    mime: str = "application/octet-stream"
    relationship: str = "Data"

    def __post_init__(self) -> None:
        if not self.filename or "/" in self.filename or "\\" in self.filename:
            raise ValueError(f"attachment filename must be a bare file name: {self.filename!r}")
        if not isinstance(self.content, bytes):
            raise TypeError(f"attachment content must be bytes, not {type(self.content).__name__}")
        if not _MIME.match(self.mime):
            raise ValueError(f"attachment mime must be type/subtype without parameters: {self.mime!r}")
        if self.relationship not in _RELATIONSHIPS:
            raise ValueError(f"unknown PDF/A-3 relationship {self.relationship!r}")


class SafeURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher that reads only ``data:`` and files under given roots.

    Refusals raise ``AssetRefused``; with ``fail_on_errors`` WeasyPrint turns
    every fetch error into ``FatalURLFetchingError``, which stops the render
    (``render_pdf`` converts it back).
    """

    def __init__(self, allowed_roots: Sequence[Path]) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False,
                         fail_on_errors=True)
        # Resolved once, so a root that is itself a symlink still works and
        # paths are compared after symlinks and ".." are gone.
        self.allowed_roots = tuple(Path(root).resolve() for root in allowed_roots)
        # Every refusal, also those WeasyPrint catches and only logs (it
        # swallows even BaseExceptions while drawing SVG images).
        self.refusals: list[AssetRefused] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            self._refuse(url, f"scheme {scheme or '(none)'!r} is not allowed")
        path = self.allowed_path(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        content_type = f"{mime}; charset=utf-8" if mime.startswith("text/") else mime
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def allowed_path(self, url: str) -> Path:
        """Return the real path a ``file:`` URL names, or raise ``AssetRefused``."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, f"file URL names a host ({parts.netloc})")
        path = Path(url2pathname(parts.path))  # also %-decodes
        if not path.is_absolute():
            self._refuse(url, "file URL is not absolute")
        real = path.resolve()
        if not any(real.is_relative_to(root) for root in self.allowed_roots):
            self._refuse(url, "file is outside the allowed asset folders")
        return real

    def _refuse(self, url: str, reason: str) -> NoReturn:
        refusal = AssetRefused(url, reason)
        self.refusals.append(refusal)
        raise refusal


def render_pdf(
    html: str,
    *,
    base_dir: Path | None = None,
    stylesheets: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
    pdf_variant: str | None = "pdf/a-3u",
    title: str | None = None,
    authors: Sequence[str] = (),
    subject: str | None = None,
    keywords: Sequence[str] = (),
    generator: str | None = None,
    lang: str | None = None,
    created: datetime | None = None,
    modified: datetime | None = None,
    allowed_roots: Sequence[Path] | None = None,
) -> bytes:
    """Render an HTML document to PDF bytes.

    ``base_dir`` resolves relative URLs (default ``templates/pdf/``, so
    ``href="base.css"`` and ``src="../../static/…"`` work). ``stylesheets``
    are extra CSS sources (strings). ``title``, ``authors``, ``subject``,
    ``keywords``, ``generator`` and ``lang`` override what the HTML's
    ``<title>``, ``<meta>`` and ``lang`` say. ``created``/``modified`` must
    be timezone-aware; they date the document and its attachments.
    Without ``created`` the document carries no date, but attachments are
    dated now, so only a dated call is reproducible byte for byte.

    Raises ``AssetRefused`` when the document references a URL outside
    ``data:`` and ``allowed_roots``, ``PdfRenderError`` when a resource is
    missing or unusable, ``ValueError``/``TypeError`` for bad arguments.
    """
    if not isinstance(html, str):
        raise TypeError(f"html must be a str, not {type(html).__name__}")
    if pdf_variant is not None and pdf_variant not in VARIANTS:
        raise ValueError(f"unknown PDF variant {pdf_variant!r}")
    if attachments and pdf_variant in _NO_ATTACHMENT_VARIANTS:
        raise ValueError(f"{pdf_variant} cannot carry attachments; use pdf/a-3u")
    names = [attachment.filename for attachment in attachments]
    if len(set(names)) != len(names):
        raise ValueError(f"attachment file names must be unique: {names}")
    created_w3c = _w3c_date(created, "created")
    modified_w3c = _w3c_date(modified, "modified") or created_w3c

    base_url = Path(base_dir or PDF_TEMPLATE_DIR).resolve().as_uri() + "/"
    fetcher = SafeURLFetcher(DEFAULT_ALLOWED_ROOTS if allowed_roots is None else allowed_roots)
    attachment_date = (created or datetime.now(timezone.utc)).astimezone(timezone.utc)
    weasy_attachments = [
        weasyprint.Attachment(
            # A data: URI is the one source through which WeasyPrint takes
            # the MIME type from us instead of guessing it from the name.
            url=f"data:{item.mime};base64,{base64.b64encode(item.content).decode('ascii')}",
            url_fetcher=fetcher, name=item.filename, description=item.description,
            created=attachment_date, modified=attachment_date,
            relationship=item.relationship)
        for item in attachments]

    with _weasyprint_errors() as errors:
        try:
            font_config = FontConfiguration()
            document = weasyprint.HTML(
                string=html, base_url=base_url, url_fetcher=fetcher,
            ).render(
                font_config=font_config,
                stylesheets=[
                    weasyprint.CSS(string=css, base_url=base_url, url_fetcher=fetcher,
                                   font_config=font_config)
                    for css in stylesheets],
            )
            metadata = document.metadata
            if title is not None:
                metadata.title = title
            if authors:
                metadata.authors = list(authors)
            if subject is not None:
                metadata.description = subject
            if keywords:
                metadata.keywords = list(keywords)
            if generator is not None:
                metadata.generator = generator
            if lang is not None:
                metadata.lang = lang
            # Always overwrite: a <meta name="dcterms.created"> in the HTML
            # must not make the output depend on the template.
            metadata.created = created_w3c
            metadata.modified = modified_w3c
            with _icc_profile_warning_muted():
                pdf = document.write_pdf(
                    pdf_variant=pdf_variant, attachments=weasy_attachments,
                    finisher=_deduplicate_associated_files)
        except FatalURLFetchingError as exc:
            # WeasyPrint wraps the fetcher's exception; it is a BaseException,
            # which callers catching Exception would miss, so translate it.
            if fetcher.refusals:
                first = fetcher.refusals[0]
                raise AssetRefused(first.url, first.reason) from exc
            cause = exc.__cause__
            what = exc.args[0] if exc.args else "Error fetching a resource"
            raise PdfRenderError(f"{what}: {cause}") from exc
    if fetcher.refusals:
        first = fetcher.refusals[0]
        raise AssetRefused(first.url, first.reason)
    if errors:
        raise PdfRenderError("; ".join(errors))
    _LOGGER.debug("rendered PDF, %d bytes, variant %s", len(pdf), pdf_variant)
    return pdf


@contextlib.contextmanager
def _icc_profile_warning_muted():
    """WeasyPrint's PDF/A output opens its bundled sRGB profile and never closes it. Its
    ResourceWarning fires while writing (or at a later garbage collection), where warnings
    are errors (the test suite) it fails an unrelated test. Mute exactly that warning while
    writing. (catch_warnings is process-wide: a concurrent render elsewhere may see the
    filter briefly; it only mutes this message.) The file is read and dropped by reference
    count inside `write_pdf`, so the warning fires there; no full garbage collection is
    needed (it cost 40 % of a small report's render time, more in a big process)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"unclosed file .*sRGB2014\.icc",
                                category=ResourceWarning)
        yield


def _w3c_date(value: datetime | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _deduplicate_associated_files(document, pdf) -> None:
    """Drop the duplicates WeasyPrint 70 writes into the catalog's /AF array.

    Its PDF/A-3 code adds each embedded file twice (once from the
    EmbeddedFiles name tree, once from the Filespec objects).
    """
    associated = pdf.catalog.get("AF")
    if associated:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(associated))


class _ErrorCollector(logging.Handler):
    """Collects WeasyPrint's ERROR records emitted by the rendering thread.

    WeasyPrint logs, rather than raises, when an image cannot be decoded or
    an SVG cannot be drawn, and leaves it out of the PDF.
    """

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


class _weasyprint_errors:  # noqa: N801 - used like a function
    def __enter__(self) -> list[str]:
        self._handler = _ErrorCollector()
        logging.getLogger("weasyprint").addHandler(self._handler)
        return self._handler.messages

    def __exit__(self, *exc_info) -> None:
        logging.getLogger("weasyprint").removeHandler(self._handler)


def _shorten(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[:limit] + "…"


# --- reading PDFs back ---------------------------------------------------

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
