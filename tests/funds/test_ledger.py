import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.errors import ValidationFailed
from charity.funds.services import ledger
from charity.funds.models import FundEntry, Receipt
from tests.factories_funds import TODAY

D = Decimal


def donation(campaign=None, amount="100.00", **extra):
    data = {"kind": "donation", "amount": D(amount), "entry_date": dt.date(2026, 3, 1),
            "channel": "wechat", "counterparty": "李四",
            "campaign_id": campaign.id if campaign else None}
    data.update(extra)
    return data


def spending(campaign, project, amount, **extra):
    data = {"kind": "project_spending", "amount": D(amount), "entry_date": dt.date(2026, 3, 2),
            "campaign_id": campaign.id if campaign else None, "project_id": project.id,
            "purpose": "购买冬衣", "counterparty": "兰州百货", "voucher_no": "V-001"}
    data.update(extra)
    return data


def test_balances_follow_entries(db, actor, fundraising_org, make_campaign, make_project):
    c = make_campaign()
    p = make_project(campaigns=[c])
    ledger.post_donation(actor, db, fundraising_org, donation(c, "1000.00"), today=TODAY)
    ledger.post_donation(actor, db, fundraising_org, donation(c, "234.56"), today=TODAY)
    ledger.post_entry(actor, db, fundraising_org, spending(c, p, "300.10"), today=TODAY)
    b = ledger.balance(db, fundraising_org.id, "campaign", c.id)
    assert (b.income, b.used, b.remaining) == (D("1234.56"), D("300.10"), D("934.46"))
    org_b = ledger.balance(db, fundraising_org.id, "org", fundraising_org.id)
    assert org_b.remaining == D("934.46")
    assert ledger.balance(db, fundraising_org.id, "project", p.id).spent_projects == D("300.10")
    assert ledger.verify_balances(db) == []


def test_overspending_is_refused_and_nothing_written(db, actor, fundraising_org, make_campaign,
                                                     make_project):
    c = make_campaign()
    p = make_project(campaigns=[c])
    ledger.post_donation(actor, db, fundraising_org, donation(c, "50.00"), today=TODAY)
    db.commit()  # what a request would have committed before
    before = db.scalar(sa.select(sa.func.count(FundEntry.id)))
    with pytest.raises(ValidationFailed) as err:
        ledger.post_entry(actor, db, fundraising_org, spending(c, p, "50.01"), today=TODAY)
    assert err.value.field == "amount"
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(FundEntry.id))) == before


def test_campaign_money_only_for_funded_projects(db, actor, fundraising_org, make_campaign,
                                                 make_project):
    c = make_campaign()
    other = make_project()
    ledger.post_donation(actor, db, fundraising_org, donation(c, "500"), today=TODAY)
    with pytest.raises(ValidationFailed) as err:
        ledger.post_entry(actor, db, fundraising_org, spending(c, other, "10"), today=TODAY)
    assert err.value.field == "project_id"


@pytest.mark.parametrize("amount, message_field", [
    ("-1", "amount"), ("0", "amount"), ("1000000000000", "amount"), ("abc", "amount"),
    ("1.001", "amount"), ("NaN", "amount"),
])
def test_bad_amounts(db, actor, fundraising_org, make_campaign, amount, message_field):
    c = make_campaign()
    with pytest.raises(ValidationFailed) as err:
        ledger.post_entry(actor, db, fundraising_org, {**donation(c), "amount": amount},
                          today=TODAY)
    assert err.value.field == message_field


def test_float_never_accepted(db, actor, fundraising_org, make_campaign):
    c = make_campaign()
    with pytest.raises(TypeError):
        ledger.post_entry(actor, db, fundraising_org, {**donation(c), "amount": 10.5},
                          today=TODAY)


def test_reversal_and_replacement(db, actor, fundraising_org, make_campaign, make_donor):
    c = make_campaign()
    donor = make_donor()
    entry = ledger.post_donation(actor, db, fundraising_org,
                                 donation(c, "200", donor_id=donor.id), today=TODAY)
    assert entry.receipt is not None
    rev, new = ledger.reverse_entry(actor, db, entry, "金额录错", replacement=donation(
        c, "210", donor_id=donor.id), today=TODAY)
    assert rev.amount == D("-200.00") and rev.reverses_id == entry.id
    assert new.replaces_id == entry.id and new.amount == D("210.00")
    assert entry.receipt.status.value == "voided"
    assert new.receipt is not None and new.receipt.number != entry.receipt.number
    b = ledger.balance(db, fundraising_org.id, "campaign", c.id)
    assert b.income == D("210.00")
    with pytest.raises(ValidationFailed):
        ledger.reverse_entry(actor, db, entry, "再次", today=TODAY)
    assert ledger.verify_balances(db) == []


def test_transfer_between_funds(db, actor, fundraising_org, make_campaign):
    a, b = make_campaign(), make_campaign()
    ledger.post_donation(actor, db, fundraising_org, donation(a, "100"), today=TODAY)
    ledger.post_transfer(actor, db, fundraising_org, from_campaign_id=a.id, to_campaign_id=b.id,
                         amount=D("40"), entry_date=dt.date(2026, 3, 3), reason="调剂",
                         today=TODAY)
    assert ledger.balance(db, fundraising_org.id, "campaign", a.id).remaining == D("60.00")
    assert ledger.balance(db, fundraising_org.id, "campaign", b.id).remaining == D("40.00")
    assert ledger.balance(db, fundraising_org.id, "org", fundraising_org.id).remaining == D("100.00")
    assert ledger.verify_balances(db) == []


def test_receipt_numbers_sequential_per_year(db, actor, fundraising_org, make_campaign):
    c = make_campaign()
    numbers = [ledger.post_donation(actor, db, fundraising_org, donation(c, "1"),
                                    today=TODAY).receipt.number for _ in range(3)]
    assert numbers == ["2026-000001", "2026-000002", "2026-000003"]
    assert db.scalar(sa.select(sa.func.count(Receipt.id))) == 3


def test_donor_search_takes_like_wildcards_literally(db, make_donor, fundraising_org):
    from charity.people.services import find_donors

    make_donor(name="li_ming", phone="13900000001")
    make_donor(name="liXming", phone="13900000002")
    assert [d.name for d in find_donors(db, fundraising_org.id, "li_m")] == ["li_ming"]
    assert find_donors(db, fundraising_org.id, "%") == []
