"""Each kind round-trips through its export: the exported file imports into another
organisation, whose export is then the same sheet; imported again where it came from, it
adds nothing."""
import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.system import system_actor
from charity.goods.models import Stocktake
from charity.imports.services import import_sheet


def _rows(content: bytes, skip_columns: int = 0) -> list[tuple]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row[skip_columns:]) for row in sheet.iter_rows(values_only=True)]


def _export(client, kind, org, point=None) -> bytes:
    url = f"/staff/imports/export.xlsx?kind={kind}&org={org.id}"
    response = client.get(url + (f"&point={point.id}" if point else ""))
    assert response.status_code == 200
    return response.data


def _into(db, kind, content, org, point=None):
    report = import_sheet(system_actor(), db, kind, content, org, point)
    assert report.ok, [str(p) for p in report.problems]
    db.commit()
    return report


def _people(db, make_household):
    from charity.orgs import uscc
    from charity.people.services import create_donor
    from charity.people.volunteers import create_volunteer

    def make(org):
        actor = system_actor()
        create_donor(actor, db, org, {"kind": "person", "name": "张三", "phone": "13900000001",
                                      "address": "=HYPERLINK(\"x\")", "publish_name": True})
        create_donor(actor, db, org, {"kind": "organization", "name": "某公司",
                                      "id_code": uscc.make("91620102MA74X0XX1"),
                                      "publish_contact": True,
                                      "related_party": True, "note": "-年度捐赠"})
        create_volunteer(actor, db, org, {"name": "王五", "phone": "13700000002",
                                          "community": "张掖路社区", "party_member": True,
                                          "service_types": ["legal", "supermarket"]})
        create_volunteer(actor, db, org, {"name": "赵六", "service_types": []})
        make_household(org, categories=["dibao", "disabled"], consent_note="签字同意",
                       consent_on=dt.date(2026, 1, 5))
        make_household(org, phone="", certified_until=None)
        db.commit()
    return make


@pytest.mark.parametrize("kind", ["donors", "households", "volunteers"])
def test_people_round_trip(client, db, make_org, make_user, login, make_household, kind):
    first, second = make_org(), make_org()
    _people(db, make_household)(first)
    login(make_user("admin"))
    exported = _export(client, kind, first)
    assert len(_rows(exported)) == 3  # header + two records
    _into(db, kind, exported, second)
    assert _rows(_export(client, kind, second)) == _rows(exported)
    again = _into(db, kind, exported, first)
    assert again.added == 0 and again.unchanged == 2 and not again.changed


def test_catalogue_and_stock_round_trip(client, db, make_org, make_point, make_user, login,
                                        make_item, make_food, stock):
    first, second = make_org(), make_org()
    here, there = make_point(first), make_point(second)
    rice = make_food(first, barcode="6901234567892", monthly_limit=Decimal(2))
    coat = make_item(first, sale_price=None)
    stock(here, rice, 7, expiry=dt.date(2027, 3, 1))
    stock(here, coat, 3)
    login(make_user("admin"))

    catalogue = _export(client, "catalogue", first)
    _into(db, "catalogue", catalogue, second)
    assert _rows(_export(client, "catalogue", second)) == _rows(catalogue)

    # Opening stock reads the stock screen's own export (its organisation, point and
    # category columns are ignored: the point is chosen).
    shelf = client.get(f"/staff/stock/export.xlsx?point={here.id}").data
    report = _into(db, "stock", shelf, second, there)
    assert report.added == 2
    assert _rows(client.get(f"/staff/stock/export.xlsx?point={there.id}").data, 3) == \
        _rows(shelf, 3)
    assert _into(db, "stock", shelf, second, there).added == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Stocktake).where(
        Stocktake.point_id == there.id)) == 1  # the second import posted no document
