"""The transparency score on the portal, in the open-data API (the same numbers, valid against
the OpenAPI description) and on the staff screen with its gaps and their links."""
import re

import sqlalchemy as sa

from charity.disclosure.models import Obligation
from charity.transparency import scoring
from tests.portal.test_api import validator_for
from tests.sql_count import STAFF_PAGE_QUERIES, get_counted
from tests.transparency.conftest import TODAY, _ob


def _scored(db, world, **changes):
    ob = db.scalars(sa.select(Obligation).where(Obligation.subject_type == "campaign")).one()
    for key, value in changes.items():
        setattr(ob, key, value)
    scoring.refresh(db, TODAY)
    db.commit()
    return world["org"]


def test_public_page_and_api_show_the_same_numbers(client, db, world):
    import datetime as dt

    org = _scored(db, world, published_on=dt.date(2026, 6, 4))  # late: F2 counts half
    api = client.get(f"/api/v1/transparency/{org.id}").json["data"]
    html = client.get(f"/transparency/{org.id}").get_data(as_text=True)
    assert api["score"] in html and f'>{api["score"]}<' in html
    assert api["grade"] in html
    for group, value in api["groups"].items():
        if value is not None:
            assert f">{value}<" in html, group
    statuses = {i["id"]: i["status"] for i in api["indicators"]}
    assert statuses["F2"] == "partly_met" and statuses["F3"] == "not_applicable"
    assert statuses["A1"] == "met"
    points = {i["id"]: i["points"] for i in api["indicators"]}
    assert points["F2"] == "7.50"
    assert "7.50 / 15" in html
    # The ranking lists it with the same score, in the API and on the page.
    ranking = client.get("/api/v1/transparency").json["data"]
    mine = next(r for r in ranking if r["organization_id"] == org.id)
    assert mine == {k: v for k, v in api.items() if k != "trend"}
    assert api["score"] in client.get("/transparency/").get_data(as_text=True)


def test_api_answers_validate_against_the_openapi_description(client, db, world):
    org = _scored(db, world)
    document = client.get("/api/v1/openapi.json").json
    for url, schema in ((f"/api/v1/transparency/{org.id}", "TransparencyItem"),
                        ("/api/v1/transparency", "TransparencyList"),
                        ("/api/v1/transparency/999999", "Error")):
        errors = [e.message for e in validator_for(document, schema).iter_errors(
            client.get(url).json)]
        assert not errors, (url, errors[:3])
    assert client.get("/api/v1/transparency/999999").status_code == 404
    assert client.get("/transparency/999999").status_code == 404


def test_staff_see_the_gaps_with_the_screen_that_fixes_them(client, db, world, make_user,
                                                            login):
    org = world["org"]
    world["annual"].published_on = None  # the annual report is overdue
    world["complaint"].answered_at = None
    db.commit()
    login(make_user("manager", org=org))
    html = client.get("/staff/transparency").get_data(as_text=True)
    assert "已逾期" in html
    assert f'href="/staff/complaints/{world["complaint"].id}"' in html
    assert re.search(r'href="/staff/disclosure[^"]*"', html) or "compliance" in html


def test_volunteers_do_not_see_the_staff_score(client, db, world, make_user, login):
    login(make_user("volunteer", org=world["org"]))
    assert client.get("/staff/transparency").status_code == 403


def test_staff_score_page_reads_a_fixed_number_of_statements(client, db, world, make_user,
                                                             login, make_campaign, make_project):
    """Issue 21: ≤ 20 SQL statements, however many campaigns, projects and deadlines; the
    overdue deadlines are still each named by their subject."""
    import datetime as dt

    org = world["org"]
    overdue = [make_campaign() for _ in range(4)] + [make_project() for _ in range(3)]
    for subject in overdue:
        kind = "campaign" if hasattr(subject, "target_amount") else "project"
        _ob(db, org, kind, subject.id, "periodic", dt.date(2026, 10, 1))
    scoring.refresh(db, TODAY)
    db.commit()
    login(make_user("manager", org=org))
    html, statements = get_counted(db, client, "/staff/transparency")
    assert len(statements) <= STAFF_PAGE_QUERIES, statements
    for subject in overdue:
        assert subject.name in html
