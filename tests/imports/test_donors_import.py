"""Donors from a spreadsheet: 10,000 rows with three bad ones, corrected, imported, again.

Marked slow: three passes over 10,000 rows take some seconds per engine (reading the XLSX
dominates; bench/imports.py measures the import itself)."""
import pytest
import sqlalchemy as sa

from charity.core.system import system_actor
from charity.imports.services import import_sheet
from charity.people.models import Donor
from tests.imports.sheets import donor_row, headers, xlsx

ROWS = 10_000
BAD = {17: (5, "也许"), 4242: (2, "电话13800"), 9999: (0, "外星人")}  # row index → (column, value)


def _donor_count(db, org):
    return db.scalar(sa.select(sa.func.count()).select_from(Donor).where(
        Donor.organization_id == org.id))


def _rows(bad: bool):
    for n in range(ROWS):
        row = donor_row(n)
        if bad and n in BAD:
            column, value = BAD[n]
            row[column] = value
        yield row


@pytest.mark.slow
def test_ten_thousand_donors_three_bad_rows_then_corrected_then_again(db, make_org):
    org = make_org()
    actor = system_actor()
    bad_file = xlsx(headers("donors"), _rows(bad=True))

    report = import_sheet(actor, db, "donors", bad_file, org, dry_run=True)
    # Sheet row = index + 2 (row 1 is the header).
    assert sorted({p.row for p in report.problems}) == sorted(n + 2 for n in BAD)
    assert {p.cell for p in report.problems} == {"F19", "C4244", "A10001"}
    assert _donor_count(db, org) == 0  # (a refused real import: tests/imports/test_refusals)

    good_file = xlsx(headers("donors"), _rows(bad=False))
    report = import_sheet(actor, db, "donors", good_file, org)
    assert report.ok and report.added == ROWS and _donor_count(db, org) == ROWS
    # Consent as the sheet said, row by row: odd rows agreed to publish their name.
    assert db.scalar(sa.select(sa.func.count()).select_from(Donor).where(
        Donor.organization_id == org.id, Donor.publish_name.is_(True))) == ROWS // 2

    again = import_sheet(actor, db, "donors", good_file, org)
    assert again.ok and again.added == 0 and again.unchanged == ROWS
    assert _donor_count(db, org) == ROWS
