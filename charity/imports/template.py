"""The blank template of a kind (Chinese headers, one sample row, drop-down lists) and the
export rows of a kind (what its import reads back)."""
from __future__ import annotations

import io
from collections.abc import Iterator

from sqlalchemy.orm import Session

from charity.imports.kinds.base import Kind
from charity.imports.spelling import chinese

LISTS_SHEET = "lists"
TEMPLATE_ROWS = 10_000  # the drop-downs cover this many rows below the header


def _sample(column):
    return column.show(column.parse(column.sample)) if column.show and column.sample != "" \
        else column.sample


def template_bytes(kind: Kind, session: Session) -> bytes:
    """An XLSX with the kind's Chinese headers, a sample row to overwrite and, for columns
    with a fixed list (categories, units, yes/no), a drop-down fed from a hidden sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = str(chinese(kind.title))[:31]
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    sheet.append([chinese(c.header) for c in kind.columns])
    sheet.append([_sample(c) for c in kind.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(kind.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.choices is None:
            continue
        values = list(column.choices(session))
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=index, value=value)
        rule = DataValidation(type="list", allow_blank=not column.required,
                              formula1=f"={LISTS_SHEET}!${letter}$1:${letter}${len(values)}")
        rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_rows(kind: Kind, session: Session, organization, point=None) -> Iterator[tuple]:
    """The kind's existing records as sheet rows, in the columns of its template."""
    for record in kind.records(session, organization, point):
        yield tuple(c.show(record.get(c.key)) if c.show else record.get(c.key)
                    for c in kind.columns)


def export_headers(kind: Kind) -> list[str]:
    return [str(c.header) for c in kind.columns]
