"""Bugs the fuzzers found, pinned down so they stay fixed."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from charity.core.errors import ValidationFailed
from charity.wishes import services as wishes
from charity.wishes.models import Wish


@pytest.mark.parametrize("field", ["point_id", "beneficiary_id", "category_id"])
@pytest.mark.parametrize("raw", ["慈善", "12abc", "-1", "1e309", "99999999999999999999", "１２"])
def test_a_wish_with_a_malformed_choice_is_refused_on_the_field(db, make_org, make_user,
                                                               field, raw):
    """Found by tests/fuzz/test_forms.py: wishes.wish_new / wish_edit answered 500 (ValueError
    from int()) when a select posted anything but a number."""
    org = make_org()
    manager = make_user("manager", org=org)
    with pytest.raises(ValidationFailed) as caught:
        wishes.create_wish(manager, db, org, {"what": "一件冬衣", field: raw})
    assert caught.value.field == field
    assert db.scalar(sa.select(sa.func.count()).select_from(Wish)) == 0


def test_wish_form_posting_a_malformed_point_is_answered_on_the_form(client, db, make_org,
                                                                    make_user, login):
    org = make_org()
    login(make_user("manager", org=org))
    response = client.post("/staff/wishes/new", data={
        "organization_id": str(org.id), "point_id": "99999999999999999999",
        "what": "一件冬衣", "quantity": "1"})
    assert response.status_code == 200
    assert "一件冬衣" in response.get_data(as_text=True)  # what was typed is kept
    assert db.scalar(sa.select(sa.func.count()).select_from(Wish)) == 0


@pytest.mark.parametrize("raw", ["true", "慈善", "99999999999999999999", "１"])
def test_a_volunteer_linked_to_a_malformed_account_is_refused_on_the_field(
        client, db, make_org, make_user, login, raw):
    """Found by tests/fuzz/test_forms.py: volunteers.volunteer_edit answered 500 (ValueError
    from int() in VolunteerForm.data_for_service) when the account select posted a non-id."""
    from charity.people.models import Volunteer
    from charity.people.volunteers import create_volunteer
    from charity.core.system import system_actor

    org = make_org()
    volunteer = create_volunteer(system_actor(), db, org, {"name": "志愿者甲"})
    db.commit()
    login(make_user("manager", org=org))
    response = client.post(f"/staff/volunteers/{volunteer.id}/edit", data={
        "organization_id": str(org.id), "name": "志愿者乙", "user_id": raw})
    assert response.status_code == 200
    assert "志愿者乙" in response.get_data(as_text=True)  # what was typed is kept
    db.expire_all()
    assert db.get(Volunteer, volunteer.id).name == "志愿者甲"
    assert db.get(Volunteer, volunteer.id).user_id is None


HUGE_ID = "99999999999999999999"  # past SQLite's 64-bit INTEGER: int() works, binding fails


@pytest.mark.parametrize("raw", ["2026-02-30", "慈善", HUGE_ID])
def test_a_stocktake_of_a_malformed_category_is_refused_on_the_field(db, make_point, raw):
    """Found by the form fuzzer: stocktakes.stocktake_new answered 500 (ValueError from
    int() in documents.start_stocktake)."""
    from charity.goods import services as documents
    from charity.goods.models import Stocktake
    from charity.core.system import system_actor

    point = make_point()
    with pytest.raises(ValidationFailed) as caught:
        documents.start_stocktake(system_actor(), db, point, category_id=raw)
    assert caught.value.field == "category_id"
    assert db.scalar(sa.select(sa.func.count()).select_from(Stocktake)) == 0


@pytest.mark.parametrize("method, url, data, expected", [
    # stock.target_set: OverflowError on SQLite → now "no such point"
    ("post", "/staff/stock/targets", {"point_id": HUGE_ID, "item_type_id": "1",
                                      "target": "5"}, 404),
    # distributions.distribution_new: chosen_point/_household overflowed → the form again
    ("post", "/staff/distributions/new", {"point_id": HUGE_ID, "beneficiary_id": HUGE_ID},
     200),
    ("get", "/staff/distributions/new?point=" + HUGE_ID, None, 200),
    # intake.intake_new: the donor select overflowed → the form again
    ("post", "/staff/intake/new", {"donor_id": HUGE_ID, "campaign_id": HUGE_ID}, 200),
])
def test_an_id_too_large_for_the_database_is_not_a_server_error(
        client, db, make_point, make_user, login, method, url, data, expected):
    """Found by the form fuzzer (SQLite: 'Python int too large to convert to SQLite
    INTEGER' escaped as a 500)."""
    from charity.audit.models import AuditLog

    point = make_point()
    login(make_user("manager", org=point.organization))
    before = db.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    response = getattr(client, method)(url, data=data) if data else getattr(client, method)(url)
    assert response.status_code == expected
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == before
