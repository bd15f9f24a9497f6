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

The fetcher lives in ``charity.reports.pdf_fetching``; ``pdf_font_report``,
``pdf_attachments`` and ``pdf_text`` (``charity.reports.pdf_reading``) read a PDF
back for tests and verification. Both are re-exported here: this module is the
one import point of the rendering layer.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pydyf
import weasyprint
from weasyprint.pdf import VARIANTS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from charity.reports.pdf_fetching import AssetRefused, PdfRenderError, SafeURLFetcher
from charity.reports.pdf_reading import pdf_attachments, pdf_font_report, pdf_text

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
    _check_arguments(html, pdf_variant, attachments)
    created_w3c = _w3c_date(created, "created")
    modified_w3c = _w3c_date(modified, "modified") or created_w3c
    base_url = Path(base_dir or PDF_TEMPLATE_DIR).resolve().as_uri() + "/"
    fetcher = SafeURLFetcher(DEFAULT_ALLOWED_ROOTS if allowed_roots is None else allowed_roots)
    weasy_attachments = _weasy_attachments(attachments, fetcher, created)
    with _weasyprint_errors() as errors:
        try:
            document = _layout(html, base_url, fetcher, stylesheets)
            _set_metadata(document.metadata, title=title, authors=authors, subject=subject,
                          keywords=keywords, generator=generator, lang=lang)
            # Always overwrite: a <meta name="dcterms.created"> in the HTML
            # must not make the output depend on the template.
            document.metadata.created = created_w3c
            document.metadata.modified = modified_w3c
            with _icc_profile_warning_muted():
                pdf = document.write_pdf(
                    pdf_variant=pdf_variant, attachments=weasy_attachments,
                    finisher=_deduplicate_associated_files)
        except FatalURLFetchingError as exc:
            raise _fetch_failure(fetcher, exc) from exc
    if fetcher.refusals:
        first = fetcher.refusals[0]
        raise AssetRefused(first.url, first.reason)
    if errors:
        raise PdfRenderError("; ".join(errors))
    _LOGGER.debug("rendered PDF, %d bytes, variant %s", len(pdf), pdf_variant)
    return pdf


def _check_arguments(html, pdf_variant: str | None, attachments: Sequence[Attachment]) -> None:
    if not isinstance(html, str):
        raise TypeError(f"html must be a str, not {type(html).__name__}")
    if pdf_variant is not None and pdf_variant not in VARIANTS:
        raise ValueError(f"unknown PDF variant {pdf_variant!r}")
    if attachments and pdf_variant in _NO_ATTACHMENT_VARIANTS:
        raise ValueError(f"{pdf_variant} cannot carry attachments; use pdf/a-3u")
    names = [attachment.filename for attachment in attachments]
    if len(set(names)) != len(names):
        raise ValueError(f"attachment file names must be unique: {names}")


def _weasy_attachments(attachments: Sequence[Attachment], fetcher: SafeURLFetcher,
                       created: datetime | None) -> list:
    attachment_date = (created or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return [
        weasyprint.Attachment(
            # A data: URI is the one source through which WeasyPrint takes
            # the MIME type from us instead of guessing it from the name.
            url=f"data:{item.mime};base64,{base64.b64encode(item.content).decode('ascii')}",
            url_fetcher=fetcher, name=item.filename, description=item.description,
            created=attachment_date, modified=attachment_date,
            relationship=item.relationship)
        for item in attachments]


def _layout(html: str, base_url: str, fetcher: SafeURLFetcher, stylesheets: Sequence[str]):
    font_config = FontConfiguration()
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        font_config=font_config,
        stylesheets=[weasyprint.CSS(string=css, base_url=base_url, url_fetcher=fetcher,
                                    font_config=font_config)
                     for css in stylesheets])


def _set_metadata(metadata, *, title, authors, subject, keywords, generator, lang) -> None:
    """What the caller gave overrides what the HTML says; what it left out stays."""
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


def _fetch_failure(fetcher: SafeURLFetcher, exc: FatalURLFetchingError) -> PdfRenderError:
    """WeasyPrint wraps the fetcher's exception in a BaseException, which callers catching
    Exception would miss: the refusal (or the fetch error) it stands for."""
    if fetcher.refusals:
        first = fetcher.refusals[0]
        return AssetRefused(first.url, first.reason)
    cause = exc.__cause__
    what = exc.args[0] if exc.args else "Error fetching a resource"
    return PdfRenderError(f"{what}: {cause}")


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
