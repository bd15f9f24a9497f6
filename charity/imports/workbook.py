"""Opening an uploaded XLSX safely and reading its rows; writing the blank template.

Refused before a cell is read: files over MAX_BYTES, anything that is not an XLSX zip, and
workbooks with macros (an .xlsm content type or a vbaProject part). Refused per cell:
formulas (their value is whatever the sheet computed last, which we cannot check)."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from charity.core.i18n import _l
from charity.imports.cells import Column
from charity.imports.spelling import chinese, spellings

MAX_BYTES = 8 * 1024 * 1024
# What the zip may unpack to: XML compresses about tenfold, a "zip bomb" far more.
MAX_UNZIPPED = 25 * MAX_BYTES
MAX_ROWS = 50_000
PROGRESS_EVERY = 1000
# Stands for a formula cell's value once the formula is reported: not read any further.
FORMULA = object()


@dataclass(frozen=True)
class Problem:
    """A refusal: the row (None for the whole file), the column's header and cell, why."""

    row: int | None
    column: str
    cell: str
    message: object

    def __str__(self) -> str:
        if self.row is None:
            return str(self.message)
        return str(_l("Row %(row)d, column %(column)s (%(cell)s): %(message)s", row=self.row,
                        column=self.column, cell=self.cell, message=self.message))


class FileRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.problem = Problem(None, "", "", message)


def _check_container(content: bytes) -> None:
    if len(content) > MAX_BYTES:
        raise FileRefused(_l("The file is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            unzipped = sum(info.file_size for info in archive.infolist())
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names \
                else b""
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileRefused(_l("This is not an XLSX file: save it as Excel workbook (.xlsx)."))
    if unzipped > MAX_UNZIPPED:
        raise FileRefused(_l("The file is larger than %(mb)d MB.", mb=MAX_UNZIPPED // 2**20))
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
        raise FileRefused(_l("The file contains macros: save it as an Excel workbook "
                             "(.xlsx) without macros."))
    if not types or "xl/workbook.xml" not in names:
        raise FileRefused(_l("This is not an XLSX file: save it as Excel workbook (.xlsx)."))


def _open_sheet(content: bytes):
    from openpyxl import load_workbook

    _check_container(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False,
                             keep_links=False)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same refusal
        raise FileRefused(_l("The file could not be read as an XLSX workbook.")) from None
    return book, book.worksheets[0]


def _header_map(header_cells, columns: tuple[Column, ...]) -> dict[int, Column]:
    """Position → column, by the header's spelling; other columns are ignored (an export
    carries the organisation and point, which the import takes from its arguments)."""
    by_spelling = {s: col for col in columns for s in spellings(col.header)}
    found: dict[int, Column] = {}
    for index, cell in enumerate(header_cells):
        name = str(cell.value or "").strip().lower()
        if name in by_spelling and by_spelling[name] not in found.values():
            found[index] = by_spelling[name]
    missing = [chinese(c.header) for c in columns if c.required and c not in found.values()]
    if missing:
        raise FileRefused(_l("Columns missing from the first row: %(names)s.",
                             names="、".join(missing)))
    return found


@dataclass
class Sheet:
    """The rows of a sheet as {key: raw value}, with their row numbers and refused cells."""

    rows: list[tuple[int, dict]]
    problems: list[Problem]
    where: dict[str, int]  # column key → its position in the file (for naming cells)


def read_sheet(content: bytes, columns: tuple[Column, ...],
               progress: Callable[[int], None] | None = None) -> Sheet:
    """Every non-empty row below the header; a formula cell is a problem, not a value."""
    book, sheet = _open_sheet(content)
    try:
        rows = sheet.iter_rows()
        header = next(rows, None)
        if header is None:
            raise FileRefused(_l("The sheet is empty."))
        positions = _header_map(header, columns)
        out = Sheet([], [], {col.key: i for i, col in positions.items()})
        for cells in rows:
            _read_row(cells, positions, out)
            if len(out.rows) > MAX_ROWS:
                raise FileRefused(_l("More than %(n)d rows: split the file.", n=MAX_ROWS))
            if progress and len(out.rows) % PROGRESS_EVERY == 0:
                progress(len(out.rows))
        return out
    finally:
        book.close()


def _read_row(cells, positions: dict[int, Column], out: Sheet) -> None:
    values: dict = {}
    row_number = None
    for index, column in positions.items():
        cell = cells[index] if index < len(cells) else None
        value = getattr(cell, "value", None)
        if row_number is None and getattr(cell, "row", None):
            row_number = cell.row
        if getattr(cell, "data_type", None) == "f":
            out.problems.append(Problem(cell.row, chinese(column.header), cell.coordinate,
                                        _l("Formulas are not imported: type the value.")))
            value = FORMULA
        values[column.key] = value.strip() if isinstance(value, str) else value
    if any(v is FORMULA or v not in (None, "") for v in values.values()):
        out.rows.append((row_number or 0, values))


def cell_name(column_index: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column_index + 1)}{row}"


def problem_at(sheet: Sheet, columns: tuple[Column, ...], row: int, key: str | None,
               message) -> Problem:
    """A refusal of one cell of a data row (`key` None or absent: the row as a whole)."""
    column = next((c for c in columns if c.key == key), None)
    if column is None or key not in sheet.where:
        return Problem(row, chinese(column.header) if column else "—", f"{row}", message)
    return Problem(row, chinese(column.header), cell_name(sheet.where[key], row), message)
