"""Spreadsheet formula injection (OWASP "CSV Injection"): every CSV and XLSX the system
produces — staff ledger and stock exports, the open-data CSVs, the donor list attached to a
published PDF — shows text that a spreadsheet would run as a formula as text.

OWASP's payloads are planted in every free-text field the exports carry (donor, payer,
campaign, project, item, point and batch names, purposes, reasons). A CSV cell may begin
with =, +, -, @, tab or carriage return only when it is a plain number (a negative amount);
text that began so is written with a leading single quote. An XLSX holds no formula cell
(neither as openpyxl reads it nor in the sheet's XML) and keeps the text exactly.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.system import system_actor
from charity.reports import spreadsheets as export
from charity.reports.pdf import ICC_RESOURCE_WARNING

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
D = Decimal
PAYLOADS = ['=HYPERLINK("http://evil.example/","click")', "@SUM(1)", "=cmd|' /C calc'!A0",
            "+1+1", "-1+1", "\t=1", "\r=1", "=1+1", "-2+3+cmd|' /C calc'!A0",
            "@cmd|'/c notepad'!'A1'"]
DANGER = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def tagged(n: int, payload: str) -> str:
    """A payload made unique (names must be unique) without changing how it begins."""
    return f"{payload}#{n}"


# --- what the files must look like -------------------------------------------------------------

def csv_cells(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def assert_csv_safe(rows: list[list[str]], planted) -> None:
    """No cell begins with a formula character unless it is a plain number; each planted
    text is there, quoted."""
    for row in rows:
        for cell in row:
            if cell.startswith(DANGER):
                assert NUMBER.fullmatch(cell), f"unneutralised cell {cell!r}"
    cells = {cell for row in rows for cell in row}
    for text in planted:
        assert "'" + text in cells, f"{text!r} is missing or not neutralised"


def assert_xlsx_safe(data: bytes, planted) -> list:
    """No formula cell anywhere; every planted text is a string cell, exactly."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml and 't="str"' not in xml, name
    book = load_workbook(io.BytesIO(data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    book.close()
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells if c.data_type == "s"}
    for text in planted:
        # XML reads a raw carriage return back as a line feed (end-of-line normalisation).
        assert text.replace("\r", "\n") in texts, f"{text!r} is not a string cell"
    for c in cells:
        if c.data_type == "s" and c.value and export.is_formula_like(c.value):
            assert c.quotePrefix, f"{c.value!r} would turn into a formula when edited"
    return cells


# --- the writer itself, without a database -----------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS)
def test_cell_text_quotes_every_payload(payload):
    assert export.cell_text(payload) == "'" + payload


@pytest.mark.parametrize("value, expected", [
    (D("-12.50"), "-12.50"), (-3, "-3"), (D("0.10"), "0.10"),
    ("-12.50", "-12.50"),  # a plain number spelled as text is a number to a spreadsheet
    ("12-3", "12-3"), ("李四", "李四"), ("'=1", "'=1"), ("", ""),
    ("-", "'-"), ("+86 138", "'+86 138"), ("-1e5", "'-1e5"),
])
def test_numbers_stay_numbers_and_plain_text_stays_plain(value, expected):
    assert export.cell_text(value) == expected


def test_csv_headers_and_rows_are_neutralised():
    text = "".join(export.csv_chunks(["=H1", "ok"], [(p, D("-1.50")) for p in PAYLOADS]))
    rows = csv_cells(text)
    assert rows[0] == ["'=H1", "ok"]
    assert [r[1] for r in rows[1:]] == ["-1.50"] * len(PAYLOADS)
    assert_csv_safe(rows, PAYLOADS)


def test_csv_bytes_is_the_same_writer():
    data = export.csv_bytes(["名称", "金额"], [("=1+1", D("-0.10"))])
    assert data == "\ufeff名称,金额\r\n'=1+1,-0.10\r\n".encode("utf-8")


def test_xlsx_never_holds_a_formula_and_numbers_stay_numbers():
    target = io.BytesIO()
    export.write_xlsx(target, ["=H1", "金额", "数"],
                      [(p, D("-12.50"), -3) for p in PAYLOADS] + [("-12.50", D("1"), 0)])
    cells = assert_xlsx_safe(target.getvalue(), PAYLOADS + ["=H1"])
    amounts = [c for c in cells if c.column == 2 and c.row > 1]
    assert all(c.data_type == "n" and c.value == -12.5 for c in amounts[:-1])
    assert all(c.data_type == "n" and c.value == -3 for c in cells if c.column == 3 and c.row > 1
               and c.row <= len(PAYLOADS) + 1)


# --- staff exports: the money ledger -----------------------------------------------------------

@pytest.fixture
def poisoned_ledger(db, fundraising_org, make_campaign, make_project, make_donor):
    from charity.funds.services import ledger

    org = fundraising_org
    campaign = make_campaign(name=tagged(0, PAYLOADS[0]), purpose=PAYLOADS[1])
    project = make_project(name=tagged(1, PAYLOADS[2]), campaigns=[campaign])
    day = dt.date(2026, 3, 1)
    for n, payload in enumerate(PAYLOADS):
        ledger.post_donation(system_actor(), db, org, {
            "kind": "donation", "amount": D("100.00"), "entry_date": day, "channel": "wechat",
            "counterparty": tagged(n, payload), "campaign_id": campaign.id,
            "reference": payload}, with_receipt=False)
    spent = ledger.post_entry(system_actor(), db, org, {
        "kind": "project_spending", "amount": D("12.50"), "entry_date": day,
        "campaign_id": campaign.id, "project_id": project.id, "purpose": PAYLOADS[3],
        "counterparty": PAYLOADS[4], "voucher_no": "V-1"})
    ledger.reverse_entry(system_actor(), db, spent, PAYLOADS[5])
    db.commit()
    return campaign, project


def _planted(db, model, *columns):
    """The planted texts as stored (services may trim them): what the export must show."""
    values = set()
    for row in db.execute(sa.select(*[getattr(model, c) for c in columns])):
        values.update(v for v in row if isinstance(v, str) and v.startswith(DANGER))
    assert values
    return values


def test_ledger_csv_and_xlsx(client, db, login, make_user, fundraising_org, poisoned_ledger):
    from charity.funds.models import Campaign, FundEntry, Project

    login(make_user("manager", org=fundraising_org))
    planted = (_planted(db, FundEntry, "counterparty", "purpose", "reference")
               | _planted(db, Campaign, "name") | _planted(db, Project, "name"))
    response = client.get("/staff/funds/export.csv")
    assert response.status_code == 200
    rows = csv_cells(response.get_data(as_text=True))
    assert_csv_safe(rows, planted)
    amounts = [r[4] for r in rows[1:]]
    assert "-12.50" in amounts  # the reversal: a negative number, not quoted text
    response = client.get("/staff/funds/export.xlsx")
    assert response.status_code == 200
    cells = assert_xlsx_safe(response.get_data(), planted)
    assert any(c.column == 5 and c.data_type == "n" and c.value == -12.5 for c in cells)


# --- staff exports: stock ----------------------------------------------------------------------

def test_stock_csv_and_xlsx(client, db, login, make_user, make_org, make_point, make_item):
    from charity.goods.models import ItemType
    from charity.goods.services.intake import post_intake
    from charity.orgs.models import CharityPoint

    org = make_org()
    point = make_point(org, name=tagged(0, PAYLOADS[6]))
    for n, payload in enumerate(PAYLOADS):
        unit = PAYLOADS[(n + 1) % len(PAYLOADS)][:16]  # the column holds 16 characters
        item = make_item(org, name=tagged(n, payload), unit=unit)
        post_intake(system_actor(), db, point, {
            "received_on": dt.date(2026, 11, 1),
            "lines": [{"item_type_id": item.id, "quantity": "2.5", "condition": "good",
                       "batch": payload}]}, today=dt.date(2026, 11, 25))
    db.commit()
    login(make_user("manager", org=org))
    planted = (_planted(db, ItemType, "name") | _planted(db, CharityPoint, "name"))
    response = client.get("/staff/stock/export.csv")
    assert response.status_code == 200
    rows = csv_cells(response.get_data(as_text=True))
    assert len(rows) == len(PAYLOADS) + 1
    assert_csv_safe(rows, planted)
    response = client.get("/staff/stock/export.xlsx")
    assert response.status_code == 200
    assert_xlsx_safe(response.get_data(), planted)


# --- a published disclosure and the open data ---------------------------------------------------

@pytest.fixture
def poisoned_world(db, fundraising_org, make_org, make_point, make_campaign, make_project,
                   make_donor):
    """An organisation, points, a campaign, a project and consenting donors named with the
    payloads; the scheduler publishes the campaign's first report (with the donor list
    attached)."""
    from charity.funds.services import ledger
    from charity.ops.scheduler import tick

    org = fundraising_org
    make_org(name=tagged(9, PAYLOADS[7]), address=PAYLOADS[8], registering_authority=PAYLOADS[9])
    for n, payload in enumerate(PAYLOADS):
        make_point(org, name=tagged(n, payload), address=payload, opening_hours=payload,
                   community=payload)
    campaign = make_campaign(name=tagged(0, PAYLOADS[0]), purpose=PAYLOADS[1],
                             region=PAYLOADS[2], intended_use=PAYLOADS[3],
                             planned_start=dt.date(2026, 1, 1), planned_end=dt.date(2026, 12, 31))
    make_project(name=tagged(1, PAYLOADS[4]), content=PAYLOADS[5], area=PAYLOADS[6],
                 campaigns=[campaign])
    for n, payload in enumerate(PAYLOADS):
        donor = make_donor(name=tagged(n, payload), publish_name=True, phone=f"1390000{n:04d}")
        ledger.post_donation(system_actor(), db, org, {
            "kind": "donation", "amount": D("10.00") + n, "entry_date": dt.date(2026, 1, 5),
            "campaign_id": campaign.id, "donor_id": donor.id, "channel": "wechat"},
            with_receipt=False, today=dt.date(2026, 11, 25))
    db.commit()
    published = tick(db, dt.date(2026, 4, 1)).published
    db.commit()
    assert published
    return campaign, published


def test_donor_list_attached_to_the_published_pdf(db, poisoned_world):
    from pypdf import PdfReader

    from charity.disclosure.models import Publication
    from charity.people.models import Donor

    _campaign, published = poisoned_world
    pubs = db.scalars(sa.select(Publication).where(Publication.id.in_(published))).all()
    with_list = [p for p in pubs if p.attachment_csv]
    assert with_list
    planted = _planted(db, Donor, "name")
    for pub in with_list:
        attached = PdfReader(io.BytesIO(pub.pdf)).attachments["donors.csv"]
        assert len(attached) == 1 and attached[0] == pub.attachment_csv
        rows = csv_cells(attached[0].decode("utf-8"))
        assert_csv_safe(rows, planted)
        amounts = {r[0]: D(r[1]) for r in rows[1:]}
        assert amounts["'" + tagged(3, PAYLOADS[3])] == D("13.00")


@pytest.mark.parametrize("name", ["organizations", "points", "campaigns", "projects",
                                  "obligations", "publications"])
def test_open_data_csv(client, db, poisoned_world, name):
    from charity.disclosure.models import Publication
    from charity.funds.models import Campaign, Project
    from charity.orgs.models import CharityPoint, Organization

    planted = {"organizations": _planted(db, Organization, "name", "address",
                                         "registering_authority"),
               "publications": _planted(db, Publication, "title"),
               "points": _planted(db, CharityPoint, "name", "address", "opening_hours",
                                  "community"),
               "campaigns": _planted(db, Campaign, "name", "purpose", "region", "intended_use"),
               "projects": _planted(db, Project, "name", "content", "area")}.get(name, set())
    response = client.get(f"/api/v1/{name}.csv")
    assert response.status_code == 200
    rows = csv_cells(response.get_data(as_text=True))
    assert len(rows) > 1
    assert_csv_safe(rows, planted)
