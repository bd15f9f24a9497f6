"""Issue 21: the complaint categories page reads every organisation's categories in one
statement (an administrator's page ran 55 at province scale, one per organisation)."""
from charity.complaints.categories import add_category
from charity.core.system import system_actor
from tests.sql_count import STAFF_PAGE_QUERIES, get_counted


def test_the_categories_page_runs_the_same_statements_for_two_organisations_or_six(
        client, db, make_org, make_user, login):
    orgs = [make_org(), make_org()]
    for org in orgs:
        add_category(system_actor(), db, org, {"name": f"分类{org.id}", "channel": "hotline"})
    db.commit()
    login(make_user("admin"))
    _html, two = get_counted(db, client, "/staff/complaints/categories")
    for _ in range(4):
        org = make_org()
        orgs.append(org)
        add_category(system_actor(), db, org, {"name": f"分类{org.id}", "channel": "hotline"})
    db.commit()
    html, six = get_counted(db, client, "/staff/complaints/categories")
    assert len(six) == len(two) <= STAFF_PAGE_QUERIES, six
    for org in orgs:  # each organisation's own category under its name
        assert html.index(org.name) < html.index(f"分类{org.id}")
