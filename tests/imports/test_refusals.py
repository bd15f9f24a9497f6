"""Every refused input leaves the database unchanged and names the cell: formulas, macros,
files over the limit or not XLSX at all, wrong types, unknown categories, duplicates."""
import io
import zipfile

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.core.system import system_actor
from charity.goods.models import ItemType, StockMovement, Stocktake
from charity.imports.services import import_sheet
from charity.imports.spelling import msgid
from charity.imports.workbook import MAX_BYTES
from charity.people.models import Beneficiary, Donor, Volunteer
from tests.imports.sheets import donor_row, headers, xlsx

TABLES = (Donor, Beneficiary, ItemType, Volunteer, StockMovement, Stocktake, AuditLog)


def _snapshot(db) -> dict:
    return {t.__tablename__: db.scalar(sa.select(sa.func.count()).select_from(t))
            for t in TABLES}


def _with_macros(content: bytes, content_type: bool) -> bytes:
    """The workbook with a VBA project part (or only an .xlsm content type)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml" and content_type:
                data = data.replace(b"sheet.main+xml",
                                    b"sheet.macroEnabled.main+xml")
            target.writestr(name, data)
        if not content_type:
            target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really")
    return out.getvalue()


def _refused(db, org, kind, content, point=None):
    before = _snapshot(db)
    report = import_sheet(system_actor(), db, kind, content, org, point)
    assert not report.ok and not report.imported
    assert _snapshot(db) == before
    return report


def _cells(report) -> set[str]:
    return {p.cell for p in report.problems}


def test_a_formula_cell_is_refused_by_its_cell(db, make_org):
    rows = [donor_row(1), donor_row(2)]
    rows[1][1] = '=HYPERLINK("http://example.com","点我")'
    report = _refused(db, make_org(), "donors", xlsx(headers("donors"), rows))
    assert _cells(report) == {"B3"}


@pytest.mark.parametrize("content_type", [False, True], ids=["vbaProject", "xlsm"])
def test_macros_are_refused(db, make_org, content_type):
    content = _with_macros(xlsx(headers("donors"), [donor_row(1)]), content_type)
    report = _refused(db, make_org(), "donors", content)
    assert report.problems[0].row is None
    assert msgid(report.problems[0].message).startswith("The file contains macros")


@pytest.mark.parametrize("content", [b"x" * (MAX_BYTES + 1), b"name,phone\n",
                                     b"PK\x03\x04broken"], ids=["too-big", "csv", "broken"])
def test_files_over_the_limit_or_not_xlsx_are_refused(db, make_org, content):
    _refused(db, make_org(), "donors", content)


def test_a_missing_required_column_is_refused(db, make_org):
    report = _refused(db, make_org(), "donors", xlsx(["名称", "联系电话"], [["张三", "139"]]))
    assert "类型" in str(report.problems[0].message)


def test_wrong_types_are_refused_by_cell(db, make_org, make_household):
    head = headers("households")
    row = ["李四", "低保", "很多", "社区", "139", "", "", "下周", "100", "", ""]
    report = _refused(db, make_org(), "households", xlsx(head, [row]))
    assert _cells(report) == {"C2", "H2"}


def test_unknown_categories_are_refused_by_cell(db, make_org):
    org = make_org()
    catalogue = ["大米", "火箭燃料", "袋", "", "12.50", "", 0, "", "是"]
    assert _cells(_refused(db, org, "catalogue", xlsx(headers("catalogue"),
                                                      [catalogue]))) == {"B2"}
    household = ["李四", "低保、富豪", 3, "社区", "", "", "", "", 0, "", ""]
    assert _cells(_refused(db, org, "households", xlsx(headers("households"),
                                                       [household]))) == {"B2"}


def test_stock_needs_the_item_in_the_catalogue_and_food_its_expiry(db, make_org, make_point,
                                                                    make_food):
    org = make_org()
    point = make_point(org)
    rice = make_food(org)
    rows = [[rice.name, rice.unit, "B1", "", 5, "", ""],       # food without expiry
            ["不存在的物品", "件", "", "", 1, "", ""],               # not in the catalogue
            [rice.name, rice.unit, "B2", "2027-01-01", 2.5, "", ""]]  # half a bag
    report = _refused(db, org, "stock", xlsx(headers("stock"), rows), point)
    assert _cells(report) == {"D2", "A3", "E4"}


def test_two_rows_with_one_natural_key_are_refused(db, make_org):
    rows = [donor_row(1), donor_row(2), donor_row(1)]
    report = _refused(db, make_org(), "donors", xlsx(headers("donors"), rows))
    assert _cells(report) == {"C4"} and "2" in str(report.problems[0].message)


def test_a_file_that_unpacks_too_large_is_refused(db, make_org, monkeypatch):
    from charity.imports import workbook

    content = xlsx(headers("donors"), [donor_row(n) for n in range(50)])
    monkeypatch.setattr(workbook, "MAX_UNZIPPED", len(content))  # the XML is larger
    report = _refused(db, make_org(), "donors", content)
    assert msgid(report.problems[0].message).startswith("The file is larger")


def test_uploaded_workbooks_are_parsed_with_defusedxml():
    """openpyxl parses a workbook's XML through defusedxml when it is installed (a
    dependency for this reason): entity expansion bombs in an upload are refused."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
