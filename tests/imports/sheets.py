"""Writing small XLSX files for the import tests (openpyxl, in memory)."""
from __future__ import annotations

import io


def xlsx(headers, rows, *, write_only: bool = True) -> bytes:
    """The bytes of a one-sheet workbook with `headers` and `rows`."""
    from openpyxl import Workbook

    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("Sheet") if write_only else book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def donor_row(n: int) -> list:
    return ["个人", f"捐赠人{n}", f"139{n:08d}", f"兰州市城关区{n}号", "", "是" if n % 2 else "否",
            "否", "否", "否", ""]


def headers(kind_name: str) -> list[str]:
    """The template's header row of a kind (the Chinese of each column)."""
    from charity.imports.kinds import kind_of
    from charity.imports.spelling import chinese

    return [chinese(c.header) for c in kind_of(kind_name).columns]
