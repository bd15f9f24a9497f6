"""Streaming CSV and XLSX writers, for any list a screen wants to export.

Plain writers: text pieces and bytes, no web objects; the views wrap them in a download
response (charity/funds/views/downloads.py). Rows come from an iterator (typically a query
executed with `yield_per`, which reads in chunks through a server-side cursor on
PostgreSQL), so memory stays flat however long the export is:

- CSV is generated piece by piece (`csv_chunks`) while the response is sent, UTF-8 with a
  byte-order mark so Excel opens Chinese text correctly.
- XLSX is written by openpyxl in write-only mode to a temporary file (`xlsx_file`), which is
  then read out in pieces (`file_chunks`) and deleted.

Money is Decimal end to end: CSV cells are its exact text ("1234.50"); XLSX cells are numbers
with the format "0.00". A float is refused, as everywhere in this project.

Every CSV and XLSX the system produces goes through this module (staff exports through
charity.web.downloads, the open-data CSVs, the donor list attached to a disclosure PDF
through `csv_bytes`), because it is where spreadsheet formula injection is stopped
(OWASP "CSV Injection"): a text cell beginning with =, +, -, @, a tab or a carriage return
would be run as a formula by Excel or LibreOffice (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`).
Such text is written with a leading single quote in CSV (`safe_text`) and as a string cell
with Excel's quote prefix in XLSX (never a formula cell). Numbers stay numbers: a Decimal or
int is written as a number, so a negative amount (-12.50) is still -12.50; text that is
nothing but a plain decimal number ("-12.50", as the open-data API spells money) is a number
to a spreadsheet too and is left as it is.
"""
from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

BOM = "\ufeff"
MONEY_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CHUNK_ROWS = 200
CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Times are shown in this zone when the caller names none (the app's default zone).
DEFAULT_TIMEZONE = "Asia/Shanghai"
# What makes a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def is_formula_like(text: str) -> bool:
    """Text a spreadsheet would run as a formula (a plain number like "-12.50" is not)."""
    return text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text)


def safe_text(text: str) -> str:
    """Text as a CSV cell: formula-like text gets a leading single quote, which spreadsheets
    take as "this is text" (OWASP's advice), so it is shown, never run."""
    return "'" + text if is_formula_like(text) else text


def _local(value: dt.datetime, tz_name: str | None) -> dt.datetime:
    """An aware datetime as naive local time (spreadsheets know no time zones)."""
    if value.tzinfo is None:
        return value
    zone = ZoneInfo(tz_name or DEFAULT_TIMEZONE)
    return value.astimezone(zone).replace(tzinfo=None)


def cell_text(value, tz_name: str | None = None) -> str:
    """The CSV text of one value: Decimal exact with its cents, dates in ISO form, text
    neutralised (`safe_text`)."""
    if value is None:
        return ""
    if isinstance(value, float):
        raise TypeError("exports must not pass money through float")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return _local(value, tz_name).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return safe_text(str(value.value))
    return safe_text(str(value))


def content_disposition(filename: str) -> str:
    """attachment; filename=… — with an RFC 5987 filename* when the name is not ASCII."""
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        fallback = filename.encode("ascii", "ignore").decode() or "export"
        return (f'attachment; filename="{fallback}"; '
                f"filename*=UTF-8''{quote(filename, safe='')}")
    return f'attachment; filename="{filename}"'


def csv_chunks(headers: Sequence, rows: Iterable[Sequence], tz_name: str | None = None):
    """Yield the CSV text in pieces of CHUNK_ROWS rows, starting with the BOM and headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(str(h)) for h in headers])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for row in rows:
        writer.writerow([cell_text(v, tz_name) for v in row])
        count += 1
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    rest = buffer.getvalue()
    if rest:
        yield rest


def csv_bytes(headers: Sequence, rows: Iterable[Sequence], tz_name: str | None = None) -> bytes:
    """A whole (short) CSV as UTF-8 bytes with the BOM, e.g. a file attached to a PDF."""
    return "".join(csv_chunks(headers, rows, tz_name)).encode("utf-8")


def _text_cell(sheet, text: str):
    """A string cell, never a formula: openpyxl would turn "=…" into a formula cell, so the
    type is set back to string, and Excel's quote prefix keeps it text when edited."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def _xlsx_cell(sheet, value, tz_name):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, float):
        raise TypeError("exports must not pass money through float")
    if isinstance(value, enum.Enum):
        value = value.value
    elif isinstance(value, str) or value is None:
        pass
    elif not isinstance(value, (bool, int, Decimal, dt.date)):
        value = str(value)  # lazy strings and other objects: their text
    if isinstance(value, str):
        return _text_cell(sheet, value)
    if isinstance(value, dt.datetime):
        value = _local(value, tz_name)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def write_xlsx(target, headers: Sequence, rows: Iterable[Sequence], title: str = "Sheet1",
               tz_name: str | None = None, widths: Sequence[int] | None = None) -> int:
    """Write one sheet in openpyxl's write-only mode (rows go to disk as they come).
    Returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths or (), start=1):
        from openpyxl.utils import get_column_letter

        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = _text_cell(sheet, str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    try:
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v, tz_name) for v in row])
            count += 1
    except BaseException:
        # Let openpyxl finish and delete the sheet's temporary file before giving up.
        try:
            workbook.save(io.BytesIO())
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass
        raise
    workbook.save(target)
    return count


def file_chunks(handle, size: int = 64 * 1024):
    """Read a file out in pieces and close it at the end (or when the client goes away)."""
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()


def xlsx_file(headers: Sequence, rows: Iterable[Sequence], title: str = "Sheet1",
              tz_name: str | None = None, widths: Sequence[int] | None = None):
    """The sheet written to an anonymous temporary file (gone once closed): returns the
    file, positioned at its start, and its length in bytes."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write_xlsx(spool, headers, rows, title=title, tz_name=tz_name, widths=widths)
        length = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool, length
