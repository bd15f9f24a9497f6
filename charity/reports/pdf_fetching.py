"""What a PDF may read while it renders: ``data:`` URIs and files inside the asset folders.

``SafeURLFetcher`` is WeasyPrint's URL fetcher for every PDF the app makes; anything else
(other files, symlinks leading out, http(s), ftp) raises ``AssetRefused`` and no PDF is
made. The errors of the rendering layer live here too, beside the fetcher that raises them.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["AssetRefused", "PdfRenderError", "SafeURLFetcher"]


class PdfRenderError(Exception):
    """Rendering failed (an unusable resource, bad arguments); no PDF was made."""


class AssetRefused(PdfRenderError):
    """The document referenced a URL the renderer may not read."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused to fetch {_shorten(url)}: {reason}")
        self.url = url
        self.reason = reason


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


def _shorten(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[:limit] + "…"
