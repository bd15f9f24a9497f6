"""Download responses around the plain CSV and XLSX writers (charity.reports.spreadsheets):
every staff export (the fund ledger, the stock lists) answers with these; and private files
(a receipt's PDF, uploaded evidence, a complaint's attachment)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import Response, current_app, send_file, stream_with_context

from charity.reports import spreadsheets as export
from charity.web.security import NO_STORE


def _zone(tz_name: str | None) -> str | None:
    return tz_name or current_app.config.get("CHARITY_TIMEZONE")


def _download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = export.content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_response(filename: str, headers: Sequence, rows: Iterable[Sequence],
                 tz_name: str | None = None) -> Response:
    """A streamed CSV download. `rows` is consumed while the response is sent, inside the
    request context (so a database cursor and translations stay usable)."""
    body = stream_with_context(export.csv_chunks(headers, rows, _zone(tz_name)))
    return _download(Response(body, content_type=export.CSV_MIME), filename)


def xlsx_response(filename: str, headers: Sequence, rows: Iterable[Sequence],
                  title: str = "Sheet1", tz_name: str | None = None,
                  widths: Sequence[int] | None = None) -> Response:
    """An XLSX download: written to an anonymous temporary file, then streamed from it (the
    file disappears once it has been sent)."""
    spool, length = export.xlsx_file(headers, rows, title=title, tz_name=_zone(tz_name),
                                     widths=widths)
    response = Response(export.file_chunks(spool), mimetype=export.XLSX_MIME,
                        direct_passthrough=True)
    response.headers["Content-Length"] = str(length)
    return _download(response, filename)


def private_file(file, mimetype: str, name: str, *, attachment: bool = True) -> Response:
    """A file only staff may see (a path or a file object), named `name`: never kept by the
    browser or a proxy (the security headers add `nosniff`)."""
    response = send_file(file, mimetype=mimetype, as_attachment=attachment, download_name=name,
                         max_age=0)
    response.headers["Cache-Control"] = NO_STORE
    return response
