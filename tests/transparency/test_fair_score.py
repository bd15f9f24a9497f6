"""Issue 16 item 7, a fair score: an indicator with nothing to measure does not apply and so
never counts as met; an organisation without a full calendar quarter of activity gets
"数据不足" (insufficient data) instead of a grade, on the portal and in the open data."""
import datetime as dt
from decimal import Decimal as D

import pytest

from charity.core.system import system_actor
from charity.funds.services import ledger
from charity.transparency import measures, scoring
from charity.transparency.indicators import INSUFFICIENT_DATA
from tests.portal.test_api import validator_for
from tests.transparency.conftest import TODAY

CONTACT = {"contact_person": "周海燕", "phone": "0931-7612345", "email": "n@example.org",
           "address": "北滨河西路 66 号"}


def _score(db, org):
    return scoring.compute(measures.Context(db, TODAY, ledgers_ok=True, publications_ok=True),
                           org)


def _gift(db, org, day):
    ledger.post_donation(system_actor(), db, org, {
        "kind": "donation", "amount": D("200"), "entry_date": day, "channel": "cash",
        "counterparty": "王五"}, with_receipt=False, today=TODAY)


@pytest.mark.parametrize("first, today, full", [
    (None, TODAY, False),
    (dt.date(2026, 8, 15), dt.date(2026, 12, 6), False),  # Q4 not over, Q3 began before
    (dt.date(2026, 7, 1), dt.date(2026, 9, 30), False),  # Q3's last day not yet over
    (dt.date(2026, 7, 1), dt.date(2026, 10, 1), True),
    (dt.date(2026, 6, 30), dt.date(2026, 10, 1), True),  # Q3 lies wholly after it
    (dt.date(2025, 11, 2), dt.date(2026, 4, 1), True),
])
def test_a_full_calendar_quarter(first, today, full):
    assert scoring.has_full_quarter(first, today) is full


def test_nothing_to_measure_is_not_applicable_never_met(db, make_org):
    org = make_org(**CONTACT)  # a new organisation: contact details only, no activity
    result = _score(db, org)
    applicable = {r.indicator.id for r in result.results if r.measure.applicable}
    # Verified-but-empty ledgers, an unbroken chain of no publications and open data with
    # nothing in it are not achievements: only the contact details are measured.
    assert applicable == {"G1"}
    met = {r.indicator.id for r in result.results
           if r.measure.applicable and r.measure.fraction == 1}
    assert met == {"G1"}


def test_a_new_organisation_without_activity_has_insufficient_data(db, make_org):
    org = make_org(**CONTACT)
    assert _score(db, org).grade == INSUFFICIENT_DATA


def test_two_months_of_activity_are_not_enough_a_quarter_is(db, make_org):
    org = make_org(**CONTACT)
    _gift(db, org, dt.date(2026, 9, 20))  # Q4 2026 has not ended on 25 November
    assert _score(db, org).grade == INSUFFICIENT_DATA
    _gift(db, org, dt.date(2026, 6, 30))  # Q3 2026 is now a full quarter of activity
    result = _score(db, org)
    assert result.grade != INSUFFICIENT_DATA
    applicable = {r.indicator.id for r in result.results if r.measure.applicable}
    assert "A3" in applicable  # the ledgers now have something to verify


def test_portal_and_api_say_insufficient_data_and_list_it_last(app, client, db, world,
                                                                make_org):
    new = make_org(**CONTACT)
    scoring.refresh(db, TODAY)
    db.commit()
    api = client.get(f"/api/v1/transparency/{new.id}").json["data"]
    assert api["grade"] == "ND"
    document = client.get("/api/v1/openapi.json").json
    validator_for(document, "TransparencyItem").validate(
        client.get(f"/api/v1/transparency/{new.id}").json)
    ranking = client.get("/api/v1/transparency").json["data"]
    assert [r["organization_id"] for r in ranking][-1] == new.id
    assert ranking[0]["organization_id"] == world["org"].id and ranking[0]["grade"] == "A+"
    with app.test_request_context():
        from flask_babel import gettext
        label = gettext("Insufficient data")
    page = client.get(f"/transparency/{new.id}").get_data(as_text=True)
    assert label in page and 'grade-nd' in page
    assert 'id="fair-rule"' in client.get("/transparency/").get_data(as_text=True)
