"""What every PDF carries inside it (decision 0004, issue 17 item 7): the JSON data snapshot
it was printed from and the tables it summarises as CSV files, as PDF/A-3 associated files.

One generic helper for every kind of report (periodic, final, project, annual, correction)
and for receipts: a report's template may change what it prints, but its data travel with
it, and a reader's software takes them instead of scraping the page.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from charity.reports.pdf import Attachment
from charity.reports.spreadsheets import csv_bytes

SNAPSHOT_NAME = "snapshot.json"
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_SCALARS = (str, int, Decimal, bool, type(None))


def data_attachments(snapshot_json: bytes, *, tables: Mapping[str, bytes] = {},
                     description: str = "") -> list[Attachment]:
    """The snapshot (its exact bytes, so its SHA-256 is the published one) and CSV tables."""
    attachments = [Attachment(SNAPSHOT_NAME, snapshot_json, mime="application/json",
                              description=f"{description} 数据快照".strip())]
    attachments += [Attachment(name, content, mime="text/csv", description=name)
                    for name, content in tables.items()]
    return attachments


def snapshot_tables(snapshot: Mapping, skip: Iterable[str] = ()) -> dict[str, bytes]:
    """Every table in the snapshot as a CSV file: each non-empty list of flat records (dicts
    of plain values) at path a → b → c becomes "a-b-c.csv", its columns the records' keys in
    order of appearance. Decimal strings become numbers, so a negative amount is not taken
    for a formula by the spreadsheet writer. Keys in `skip` are left out."""
    found: dict[str, bytes] = {}
    _walk(snapshot, (), set(skip), found)
    return found


def _walk(value, path: tuple[str, ...], skip: set[str], found: dict[str, bytes]) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            if str(key) not in skip:
                _walk(child, (*path, str(key)), skip, found)
    elif isinstance(value, list) and value and path and _is_table(value):
        columns = list(dict.fromkeys(key for record in value for key in record))
        rows = [[_cell(record.get(column)) for column in columns] for record in value]
        found["-".join(path) + ".csv"] = csv_bytes(columns, rows)


def _is_table(records: list) -> bool:
    return all(isinstance(record, Mapping) and record
               and all(isinstance(v, _SCALARS) for v in record.values()) for record in records)


def _cell(value):
    if isinstance(value, str) and _DECIMAL.match(value):
        return Decimal(value)
    return "" if value is None else value
