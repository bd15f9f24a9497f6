"""`charity import KIND FILE --organization ID [--point ID] [--dry-run]` and
`charity import template KIND OUT.xlsx`.

Exit 0 when the sheet was imported (or a dry run found nothing wrong); exit 2 with every
refused cell, one line each (row, column, cell, why), when anything is wrong — and then
nothing was written. Progress goes to stderr every thousand rows."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from charity.imports.kinds import KIND_NAMES

EXIT_REFUSED = 2


@click.group("import", help="Import donors, households, catalogue, stock or volunteers "
                            "from an XLSX sheet.")
def import_group() -> None:
    """The `charity import` commands."""


def _load(model, raw_id: int | None, what: str):
    from charity.core.extensions import db

    found = db.session.get(model, raw_id) if raw_id else None
    if raw_id and found is None:
        raise click.UsageError(f"No {what} with id {raw_id}.")
    return found


def _print_report(report) -> None:
    for problem in report.problems:
        click.echo(str(problem), err=True)
    for changed in report.changed:
        click.echo(_("Row %(row)d differs from the registered record (%(columns)s): not "
                     "changed.", row=changed.row, columns=changed.column), err=True)
    click.echo(_("%(rows)d rows read: %(new)d new, %(unchanged)d already registered, "
                 "%(changed)d different, %(refused)d cells refused.", rows=report.rows,
                 new=report.new, unchanged=report.unchanged, changed=len(report.changed),
                 refused=len(report.problems)))
    if report.imported:
        click.echo(_("Imported: %(n)d added.", n=report.added))
    else:
        click.echo(_("Nothing was written."))


def run_import(kind: str, path: Path, organization_id: int, point_id: int | None,
               dry_run: bool) -> int:
    """Import (or check) the file as the system; returns the exit status."""
    from charity.core.extensions import db
    from charity.core.system import system_actor
    from charity.imports.services import import_sheet
    from charity.orgs.models import CharityPoint, Organization

    organization = _load(Organization, organization_id, "organisation")
    point = _load(CharityPoint, point_id, "charity point")
    content = path.read_bytes()

    def progress(rows: int) -> None:
        click.echo(_("%(n)d rows read…", n=rows), err=True)

    report = import_sheet(system_actor(), db.session, kind, content, organization, point,
                          dry_run=dry_run, id_key=current_app.config["CHARITY_ID_HASH_KEY"],
                          progress=progress)
    if report.imported:
        db.session.commit()
    else:
        db.session.rollback()
    _print_report(report)
    return 0 if report.ok else EXIT_REFUSED


def _kind_command(kind: str) -> click.Command:
    @click.command(kind, help=f"Import {kind} from an XLSX file (all or nothing).")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--organization", "organization_id", type=int, required=True)
    @click.option("--point", "point_id", type=int, default=None,
                  help="The charity point (opening stock).")
    @click.option("--dry-run", is_flag=True, help="Check every row; write nothing.")
    @with_appcontext
    def command(file: Path, organization_id: int, point_id: int | None, dry_run: bool):
        from charity.core.errors import DomainError

        try:
            status = run_import(kind, file, organization_id, point_id, dry_run)
        except DomainError as refused:
            raise click.UsageError(str(refused.message)) from None
        raise SystemExit(status)
    return command


@import_group.command("template")
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def template_command(kind: str, out: Path) -> None:
    """Write the blank XLSX template of KIND (Chinese headers, a sample row)."""
    from charity.core.extensions import db
    from charity.imports.kinds import kind_of
    from charity.imports.template import template_bytes

    out.write_bytes(template_bytes(kind_of(kind), db.session))
    click.echo(str(out))


for _name in KIND_NAMES:
    import_group.add_command(_kind_command(_name))
