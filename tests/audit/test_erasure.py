"""Erasure on request: after `beneficiaries.erase` the household's name, phone, address and ID
hash are nowhere in the database; the ledgers still verify; publications — immutable, and
never containing a household's identity — are byte-for-byte unchanged."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.clock import org_today
from charity.disclosure.models import Publication
from charity.core.extensions import db as _db
from charity.funds.services import ledger
from charity.goods.services.distributions import post_distribution
from charity.ops.scheduler import tick
from charity.people import beneficiaries
from charity.people.identity import make_id
from charity.people.models import Beneficiary
from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_text
from charity.core.system import system_actor
from charity.ops.verify import run_checks

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)

NAME = "擦除测试户朱秘密"
PHONE = "13977665544"
ADDRESS = "兰州市七里河区秘密巷99号"
ID_NUMBER = make_id("62010319660606123")


def _everything(db) -> str:
    """Every value of every row of every table, as text (bytes decoded where they are text)."""
    parts = []
    for table in _db.metadata.sorted_tables:
        for row in db.execute(sa.select(table)).all():
            for value in row:
                if isinstance(value, (bytes, memoryview)):
                    value = bytes(value).decode("utf-8", "ignore")
                parts.append(str(value))
    return "\n".join(parts)


def _publications(db) -> dict[int, tuple]:
    out = {}
    for pub in db.scalars(sa.select(Publication).order_by(Publication.id)):
        out[pub.id] = (hashlib.sha256(pub.pdf).hexdigest(),
                       hashlib.sha256(pub.snapshot.encode("utf-8")).hexdigest(),
                       hashlib.sha256(pub.attachment_csv or b"").hexdigest(),
                       pub.pdf_sha256, pub.snapshot_sha256, pub.entry_hash)
    return out


@pytest.fixture
def world(db, fundraising_org, make_campaign, make_point, make_item, stock):
    from charity.wishes.services import create_wish

    org = fundraising_org
    today = org_today(org)
    point = make_point(org)
    campaign = make_campaign(name="擦除测试募捐", planned_start=dt.date(2026, 1, 1),
                             planned_end=dt.date(2026, 12, 31))
    ledger.post_donation(system_actor(), db, org, {
        "kind": "donation", "amount": Decimal("800.00"), "entry_date": dt.date(2026, 1, 5),
        "campaign_id": campaign.id, "channel": "wechat", "counterparty": "爱心人士"},
        with_receipt=False, today=today)
    household = beneficiaries.register(system_actor(), db, org, {
        "name": NAME, "categories": ["dibao"], "members": 2, "community": "秀川社区",
        "phone": PHONE, "address": ADDRESS, "id_number": ID_NUMBER,
        "certified_until": today + dt.timedelta(days=200), "monthly_points": 100,
        "consent_note": f"{NAME}本人签字同意"})
    coat = make_item(org)
    stock(point, coat, 3)
    dist = post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id, "lines": [{"item_type_id": coat.id, "quantity": "1"}]},
        today=today)
    wish = create_wish(system_actor(), db, org, {"what": "一件冬衣", "point_id": point.id,
                                                 "quantity": 1, "beneficiary_id": household.id})
    db.commit()
    published = tick(db, dt.date(2026, 4, 1)).published + tick(db, today).published
    db.commit()
    assert published, "the scenario has publications to protect"
    return {"org": org, "household": household, "dist": dist, "wish": wish,
            "id_hash": household.id_number_hash, "publications": published}


def test_publications_never_contained_the_household(db, world):
    for pub in db.scalars(sa.select(Publication)):
        text = pub.snapshot + "\n".join(pdf_text(pub.pdf)) + (pub.attachment_csv or b"").decode("utf-8")
        for private in (NAME, PHONE, ADDRESS, ID_NUMBER, world["id_hash"]):
            assert private not in text, (pub.id, private)
        assert f'"beneficiary_id": {world["household"].id}' not in pub.snapshot


def test_erasure_leaves_no_identity_anywhere(db, world):
    before = _everything(db)
    # the scan finds what is there: the identity is in the database before erasure
    assert all(value in before for value in (NAME, PHONE, ADDRESS, world["id_hash"]))
    publications = _publications(db)
    household = world["household"]
    beneficiaries.erase(system_actor(), db, household)
    db.commit()
    db.expire_all()
    after = _everything(db)
    leaks = [what for what, value in (("name", NAME), ("phone", PHONE), ("address", ADDRESS),
                                      ("ID number", ID_NUMBER), ("ID hash", world["id_hash"]))
             if value in after]
    assert leaks == []
    b = db.get(Beneficiary, household.id)
    assert (b.name, b.phone, b.address, b.id_number_hash, b.id_number_last4, b.consent_note,
            b.active) == (f"已删除 #{household.id}", "", "", None, "", "", False)
    # aggregates keep the household as a number: its distribution and wish are still there
    assert world["dist"].beneficiary_id == household.id
    assert world["wish"].beneficiary_id == household.id
    # the ledgers and the publications' chain still verify, publications untouched
    checks = run_checks(db)
    assert {"fund balances", "stock balances", "publications and hash chain"} <= set(checks)
    assert {name: problems for name, problems in checks.items() if problems} == {}
    assert _publications(db) == publications
    # the erasure is on record, without the identity it removed
    entry = db.execute(sa.text(
        "SELECT action, summary FROM audit_log WHERE object_type = 'Beneficiary' "
        "AND object_id = :id ORDER BY id DESC"), {"id": str(household.id)}).first()
    assert entry[0] == "beneficiary.erase"
    summary = json.loads(entry[1]) if isinstance(entry[1], str) else entry[1]
    assert summary == {}


def test_the_scan_sees_a_leak(db, world):
    """If erasure forgot a field, the whole-database scan above would say so."""
    household = world["household"]
    household.address = ""
    household.name = "x"
    db.flush()
    after = _everything(db)
    assert PHONE in after and world["id_hash"] in after
