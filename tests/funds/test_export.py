"""The streaming CSV / XLSX helpers (charity/funds/export.py), without a database."""
from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from decimal import Decimal

import pytest
from flask import Flask

from charity.reports import spreadsheets as export
from charity.web import downloads

D = Decimal
UTC = dt.timezone.utc


@pytest.fixture
def tiny_app():
    app = Flask(__name__)
    app.config["CHARITY_TIMEZONE"] = "Asia/Shanghai"
    return app


class Colour(enum.StrEnum):
    RED = "red"


@pytest.mark.parametrize("value, expected", [
    (D("1234.5"), "1234.5"),
    (D("1234.50"), "1234.50"),
    (D("-0.10"), "-0.10"),
    (D("999999999999.99"), "999999999999.99"),
    (D("1E+2"), "100"),  # never scientific notation
    (7, "7"),
    (True, "1"),
    (None, ""),
    (dt.date(2026, 11, 25), "2026-11-25"),
    (Colour.RED, "red"),
    ("爱心人士", "爱心人士"),
])
def test_cell_text(value, expected):
    assert export.cell_text(value) == expected


def test_cell_text_shows_times_in_the_local_zone(tiny_app):
    with tiny_app.app_context():
        moment = dt.datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
        assert export.cell_text(moment) == "2026-11-26 00:30:00"
        assert export.cell_text(moment, "UTC") == "2026-11-25 16:30:00"


def test_floats_are_refused():
    with pytest.raises(TypeError):
        export.cell_text(0.1)


def test_content_disposition():
    assert export.content_disposition("ledger-2026-11-25.csv") == (
        'attachment; filename="ledger-2026-11-25.csv"')
    header = export.content_disposition("台账-2026.csv")
    assert header.startswith('attachment; filename="-2026.csv"')
    assert "filename*=UTF-8''%E5%8F%B0%E8%B4%A6-2026.csv" in header


def test_csv_chunks_are_lazy_and_parse_back():
    consumed = []

    def rows():
        for i in range(export.CHUNK_ROWS * 2 + 5):
            consumed.append(i)
            yield (i, f"捐赠人{i}", D(i).scaleb(-2), dt.date(2026, 1, 1))

    chunks = export.csv_chunks(["编号", "姓名", "金额", "日期"], rows())
    first = next(chunks)
    assert first.startswith(export.BOM) and consumed == []  # headers before any row is read
    second = next(chunks)
    assert len(consumed) == export.CHUNK_ROWS  # one chunk at a time, not the whole list
    rest = "".join(chunks)
    parsed = list(csv.reader(io.StringIO((first + second + rest)[1:])))
    assert parsed[0] == ["编号", "姓名", "金额", "日期"]
    assert len(parsed) == 1 + export.CHUNK_ROWS * 2 + 5
    assert parsed[1] == ["0", "捐赠人0", "0.00", "2026-01-01"]
    assert sum(D(r[2]) for r in parsed[1:]) == sum(D(i).scaleb(-2) for i in range(len(parsed) - 1))


def test_csv_response_streams(tiny_app):
    with tiny_app.test_request_context():
        response = downloads.csv_response("x.csv", ["a"], iter([(D("1.50"),)]))
        assert response.is_streamed
        assert response.headers["Content-Disposition"] == 'attachment; filename="x.csv"'
        body = response.get_data()
    assert body.decode("utf-8") == "\ufeffa\r\n1.50\r\n"


def test_xlsx_cells_keep_numbers_dates_and_formats(tiny_app):
    from openpyxl import load_workbook

    target = io.BytesIO()
    rows = [(1, "李四", D("1234.50"), dt.date(2026, 3, 1),
             dt.datetime(2026, 3, 1, 1, 0, tzinfo=UTC), Colour.RED, None),
            (2, "爱心人士", D("-0.10"), dt.date(2026, 3, 2), None, None, True)]
    with tiny_app.app_context():
        written = export.write_xlsx(target, ["编号", "姓名", "金额", "日期", "时间", "颜色", "标记"],
                                    iter(rows), title="台账")
    assert written == 2
    book = load_workbook(io.BytesIO(target.getvalue()))
    sheet = book["台账"]
    header, first, second = list(sheet.iter_rows())
    assert [c.value for c in header] == ["编号", "姓名", "金额", "日期", "时间", "颜色", "标记"]
    assert first[2].value == 1234.5 and first[2].number_format == export.MONEY_FORMAT
    assert second[2].value == -0.1
    assert first[3].value == dt.datetime(2026, 3, 1) and first[3].number_format == "yyyy-mm-dd"
    assert first[4].value == dt.datetime(2026, 3, 1, 9, 0)  # Beijing time, no zone
    assert first[5].value == "red" and second[6].value is True
    book.close()


def test_xlsx_refuses_floats(tiny_app):
    with tiny_app.app_context(), pytest.raises(TypeError):
        export.write_xlsx(io.BytesIO(), ["x"], [(0.5,)])


def test_xlsx_response_streams_a_temporary_file(tiny_app):
    from openpyxl import load_workbook

    with tiny_app.test_request_context():
        response = downloads.xlsx_response("ledger.xlsx", ["金额"], iter([(D("5.00"),)]))
        body = b"".join(response.response)
        response.close()
    assert response.headers["Content-Length"] == str(len(body))
    assert response.headers["Content-Disposition"] == 'attachment; filename="ledger.xlsx"'
    book = load_workbook(io.BytesIO(body))
    assert book.active["A2"].value == 5
    book.close()
