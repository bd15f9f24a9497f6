"""Importing a sheet: read, check every cell, match natural keys, then insert all new rows
in one go — or nothing at all.

    report = import_sheet(actor, session, "donors", content, organization, dry_run=True)

Nothing is written when any cell is refused (the report lists them all, by row and column),
on a dry run, or for the rows that match an existing record: an identical one is counted as
unchanged, a different one is reported as changed and left as it is (an import never edits
what staff entered by hand). The caller commits (one transaction per command or request)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.imports.cells import CellError
from charity.imports.kinds import kind_of
from charity.imports.kinds.base import Kind
from charity.imports.spelling import chinese
from charity.imports.workbook import (
    FORMULA,
    FileRefused,
    Problem,
    Sheet,
    problem_at,
    read_sheet,
)


@dataclass
class Report:
    """What an import found (and, unless refused or a dry run, did)."""

    kind: str
    rows: int = 0
    new: int = 0  # rows matching no record: what an import adds
    added: int = 0
    unchanged: int = 0
    changed: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def kind_or_refuse(name: str) -> Kind:
    kind = kind_of(name)
    if kind is None:
        raise ValidationFailed(_l("Unknown kind of import."), field="kind")
    return kind


def _parse_row(kind: Kind, ctx, sheet: Sheet, row: int, raw: dict) -> dict | None:
    values, refused = {}, []
    for column in kind.columns:
        value = raw.get(column.key)
        if value is FORMULA:
            refused.append(None)  # already reported by the reader
            continue
        if column.required and value in (None, ""):
            refused.append(problem_at(sheet, kind.columns, row, column.key,
                                      _l("This field is required.")))
            continue
        try:
            values[column.key] = column.parse(value)
        except CellError as error:
            refused.append(problem_at(sheet, kind.columns, row, column.key, error.message))
    if not refused:
        try:
            return kind.clean(ctx, values)
        except CellError as error:
            refused.append(problem_at(sheet, kind.columns, row, error.column, error.message))
    sheet.problems.extend(p for p in refused if p is not None)
    return None


def _differences(kind: Kind, sheet: Sheet, values: dict, existing: dict) -> list[str]:
    return [chinese(c.header) for c in kind.columns
            if c.compare and c.key in sheet.where and values.get(c.key) != existing.get(c.key)]


def _match(kind: Kind, sheet: Sheet, report: Report, index: dict, seen: dict,
           row: int, values: dict) -> bool:
    """Is this row new? Duplicates within the file are refused; a row matching an existing
    record is unchanged or reported as changed."""
    keys = kind.keys(values)
    twin = next((seen[k] for k in keys if k in seen), None)
    if twin is not None:
        sheet.problems.append(problem_at(sheet, kind.columns, row, keys[0][0],
                                         _l("Same as row %(n)d.", n=twin)))
        return False
    seen.update({k: row for k in keys})
    existing = next((index[k] for k in keys if k in index), None)
    if existing is None:
        return True
    differing = _differences(kind, sheet, values, existing)
    if differing:
        report.changed.append(Problem(row, "、".join(differing), "", _l(
            "Differs from the record already registered; not changed (edit it on its page).")))
    else:
        report.unchanged += 1
    return False


def check_sheet(session: Session, kind: Kind, content: bytes, organization, point=None, *,
                id_key: bytes | None = None, progress: Callable[[int], None] | None = None
                ) -> tuple[Report, list[dict]]:
    """Read and check the whole file; return the report and the rows to add."""
    report = Report(kind.name)
    try:
        sheet = read_sheet(content, kind.columns, progress)
    except FileRefused as refused:
        report.problems.append(refused.problem)
        return report, []
    ctx = kind.context(session, organization, point, id_key)
    index: dict = {}
    for existing in kind.records(session, organization, point):
        for key in kind.record_keys(existing):
            index.setdefault(key, existing)
    seen: dict = {}
    new_rows = []
    for row, raw in sheet.rows:
        values = _parse_row(kind, ctx, sheet, row, raw)
        if values is not None and _match(kind, sheet, report, index, seen, row, values):
            new_rows.append(values)
    report.rows = len(sheet.rows)
    report.new = len(new_rows)
    report.problems = sorted(sheet.problems, key=lambda p: (p.row or 0, p.cell))
    if not report.rows and not report.problems:
        report.problems.append(Problem(None, "", "", _l("The sheet has no rows to import.")))
    return report, new_rows


def import_sheet(actor, session: Session, kind_name: str, content: bytes, organization,
                 point=None, *, dry_run: bool = False, id_key: bytes | None = None,
                 progress: Callable[[int], None] | None = None) -> Report:
    """Import the sheet into `organization` (opening stock: into `point`), all or nothing.
    Managers of the organisation and administrators only."""
    require(actor, "imports.run", organization)
    kind = kind_or_refuse(kind_name)
    if kind.needs_point and (point is None or point.organization_id != organization.id):
        raise ValidationFailed(_l("Choose a charity point of the organisation."),
                               field="point_id")
    report, new_rows = check_sheet(session, kind, content, organization, point,
                                   id_key=id_key, progress=progress)
    report.dry_run = dry_run
    if report.problems or dry_run:
        return report
    kind.insert(session, actor, organization, point, new_rows)
    report.added = len(new_rows)
    report.imported = True
    record(session, actor, kind.audit_action, point or organization,
           {"rows": report.rows, "added": report.added, "unchanged": report.unchanged,
            "changed": len(report.changed)}, organization_id=organization.id)
    session.flush()
    return report
