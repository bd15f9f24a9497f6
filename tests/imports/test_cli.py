"""`charity import …`: exit 0 / exit 2 with the refused cells row by row; the template."""
import sqlalchemy as sa

from charity.people.models import Donor
from tests.imports.sheets import donor_row, headers, xlsx


def _count(db, org):
    return db.scalar(sa.select(sa.func.count()).select_from(Donor).where(
        Donor.organization_id == org.id))


def test_dry_run_lists_exactly_the_bad_rows_and_exits_2(runner, db, make_org, tmp_path):
    org = make_org()
    rows = [donor_row(n) for n in range(20)]
    rows[4][5], rows[11][2], rows[17][0] = "也许", "abc", "外星人"
    path = tmp_path / "donors.xlsx"
    path.write_bytes(xlsx(headers("donors"), rows))
    result = runner.invoke(args=["import", "donors", str(path), "--organization", str(org.id),
                                 "--dry-run"])
    assert result.exit_code == 2, result.output
    refused = [line for line in result.output.splitlines()
               if any(cell in line for cell in ("F6", "C13", "A19"))]
    assert len(refused) == 3
    assert not any(cell in result.output for cell in ("A2", "A3", "F7", "C14"))
    assert _count(db, org) == 0


def test_import_exits_0_and_again_adds_nothing(runner, db, make_org, tmp_path):
    org = make_org()
    path = tmp_path / "donors.xlsx"
    path.write_bytes(xlsx(headers("donors"), [donor_row(n) for n in range(12)]))
    args = ["import", "donors", str(path), "--organization", str(org.id)]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert _count(db, org) == 12
    second = runner.invoke(args=args)
    assert second.exit_code == 0 and _count(db, org) == 12


def test_stock_needs_a_point_of_the_organisation(runner, db, make_org, make_point, tmp_path):
    org = make_org()
    elsewhere = make_point(make_org())
    path = tmp_path / "stock.xlsx"
    path.write_bytes(xlsx(headers("stock"), [["大米", "袋", "", "", 1, "1.00", ""]]))
    result = runner.invoke(args=["import", "stock", str(path), "--organization", str(org.id),
                                 "--point", str(elsewhere.id)])
    assert result.exit_code == 2


def test_template_command_writes_the_kinds_template(runner, db, make_org, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "households.xlsx"
    result = runner.invoke(args=["import", "template", "households", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).worksheets[0]
    assert [c.value for c in sheet[1]] == headers("households")
    # The template's sample row is itself a valid row.
    org = make_org()
    check = runner.invoke(args=["import", "households", str(out), "--organization",
                                str(org.id), "--dry-run"])
    assert check.exit_code == 0, check.output


def test_progress_is_shown_on_long_files(runner, db, make_org, tmp_path):
    org = make_org()
    path = tmp_path / "donors.xlsx"
    path.write_bytes(xlsx(headers("donors"), [donor_row(n) for n in range(2100)]))
    result = runner.invoke(args=["import", "donors", str(path), "--organization", str(org.id),
                                 "--dry-run"])
    assert result.exit_code == 0, result.output
    progress = [line for line in result.output.splitlines() if "1000" in line or "2000" in line]
    assert len(progress) == 2 and _count(db, org) == 0
