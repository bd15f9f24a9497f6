"""What each kind writes: households' ID numbers only as HMAC + last four, a changed row
reported and not overwritten, opening stock as one approved stocktake-style document."""
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from charity.core.system import system_actor
from charity.goods.models import (
    MovementKind,
    StockBalance,
    StockMovement,
    Stocktake,
    StocktakeStatus,
)
from charity.imports.services import import_sheet
from charity.people.identity import hash_id, make_id
from charity.people.models import Beneficiary, Donor
from tests.imports.sheets import donor_row, headers, xlsx


def _import(db, kind, rows, org, point=None, **kw):
    report = import_sheet(system_actor(), db, kind, xlsx(headers(kind), rows), org, point, **kw)
    assert report.ok, [str(p) for p in report.problems]
    return report


def test_household_id_number_is_kept_only_as_hmac_and_last_four(db, make_org):
    org = make_org()
    number = make_id("62010219750203456")
    key = b"k" * 32
    row = ["李四", "低保", 2, "社区", "", "", f" {number} ", "2027-06-30",
           50, "签字", "2026-12-01"]
    _import(db, "households", [row], org, id_key=key)
    household = db.scalar(sa.select(Beneficiary).where(Beneficiary.organization_id == org.id))
    assert household.id_number_hash == hash_id(number, key)
    assert household.id_number_last4 == number[-4:]
    stored = db.execute(sa.select(Beneficiary.__table__).where(
        Beneficiary.id == household.id)).one()
    assert not any(number in str(value) for value in stored)
    # The same number again (another spelling of the row) is the same household.
    row[0] = "李四（户主）"
    again = import_sheet(system_actor(), db, "households", xlsx(headers("households"), [row]),
                         org, id_key=key)
    assert again.new == 0 and len(again.changed) == 1
    bad = list(row)
    bad[6] = number[:-1] + ("0" if number[-1] != "0" else "1")
    refused = import_sheet(system_actor(), db, "households", xlsx(headers("households"), [bad]),
                           make_org(), id_key=key)
    assert {p.cell for p in refused.problems} == {"G2"}


def test_a_changed_row_is_reported_not_overwritten(db, make_org):
    org = make_org()
    _import(db, "donors", [donor_row(1), donor_row(2)], org)
    changed = donor_row(2)
    changed[3], changed[6] = "新地址", "是"
    report = _import(db, "donors", [donor_row(1), changed, donor_row(3)], org)
    assert report.added == 1 and report.unchanged == 1
    assert [(p.row, p.column) for p in report.changed] == [(3, "地址、" + headers("donors")[6])]
    donor = db.scalar(sa.select(Donor).where(Donor.organization_id == org.id,
                                             Donor.phone == changed[2]))
    assert donor.address == donor_row(2)[3] and donor.publish_address is False


def test_opening_stock_is_one_approved_stocktake_document(db, make_org, make_point, make_item,
                                                          make_food):
    org = make_org()
    point = make_point(org)
    rice, coat = make_food(org), make_item(org)
    rows = [[rice.name, rice.unit, "R1", dt.date(2027, 5, 1), 3, "100.00", "市场价"],
            [coat.name, coat.unit, "", "", 4, "", ""]]
    _import(db, "stock", rows, org, point)
    sheets = db.scalars(sa.select(Stocktake).where(Stocktake.point_id == point.id)).all()
    assert len(sheets) == 1 and sheets[0].status == StocktakeStatus.APPROVED
    assert {(ln.item_type_id, ln.counted) for ln in sheets[0].lines} == {
        (rice.id, Decimal(3)), (coat.id, Decimal(4))}
    moves = db.scalars(sa.select(StockMovement).where(StockMovement.point_id == point.id)).all()
    assert {m.kind for m in moves} == {MovementKind.STOCKTAKE}
    assert {m.document_id for m in moves} == {sheets[0].id}
    # 100.00 for 3 bags: the ledger's values add up to the sheet's, to the fen.
    rice_moves = [m for m in moves if m.item_type_id == rice.id]
    assert sum(m.quantity * m.unit_value for m in rice_moves) == Decimal("100.00")
    balances = {b.item_type_id: b for b in db.scalars(sa.select(StockBalance).where(
        StockBalance.point_id == point.id))}
    assert balances[rice.id].quantity == 3 and balances[rice.id].value == Decimal("100.00")
    assert balances[rice.id].expiry_date == dt.date(2027, 5, 1)
    # No value given: the item's default fair value per unit (30.00 a coat).
    assert balances[coat.id].value == Decimal("120.00")


def test_every_templates_sample_row_imports(db, make_org, make_point):
    from charity.imports.kinds import KIND_NAMES, kind_of
    from charity.imports.template import template_bytes

    org = make_org()
    point = make_point(org)
    for name in KIND_NAMES:  # the catalogue comes before the stock that names its item
        report = import_sheet(system_actor(), db, name, template_bytes(kind_of(name), db),
                              org, point if name == "stock" else None)
        assert report.ok and report.added == 1, (name, [str(p) for p in report.problems])
