import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from charity.funds.services import ledger
from charity.funds.models import FundBalance
from tests.factories_funds import TODAY


def test_verify_passes_then_names_a_tampered_balance(db, runner, actor, fundraising_org,
                                                     make_campaign):
    c = make_campaign()
    ledger.post_donation(actor, db, fundraising_org, {
        "kind": "donation", "amount": Decimal("88.80"), "entry_date": dt.date(2026, 5, 1),
        "campaign_id": c.id, "channel": "cash", "counterparty": "王五"}, today=TODAY)
    db.commit()
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    assert "ok   fund balances" in result.output

    db.execute(sa.update(FundBalance).where(FundBalance.scope == "campaign",
                                            FundBalance.scope_id == c.id)
               .values(donation_income=Decimal("1.00")))
    db.commit()
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 1
    assert f"fund campaign:{c.id} donation_income: stored 1.00, ledger 88.80" in result.output
