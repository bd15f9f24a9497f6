"""Issue 21: the time bank's review list reads the organisation's rates once, not once per
shift (an administrator's page ran 56 statements at province scale); each shift still
earns at the rate in force on the day it began."""
import datetime as dt

from charity.points import queries
from tests.sql_count import STAFF_PAGE_QUERIES, get_counted


def test_the_review_list_runs_the_same_statements_for_one_shift_or_nine(
        client, db, make_org, make_point, make_user, login, make_volunteer, served, rate):
    org = make_org()
    point = make_point(org)
    rate(org, 10, start=dt.date(2026, 1, 1))
    rate(org, 20, start=dt.date(2026, 6, 1))
    login(make_user("manager", org=org))
    served(make_volunteer(org, name="志愿者〇"), point, dt.date(2026, 3, 2), minutes=120)
    _html, one = get_counted(db, client, "/staff/timebank/")
    for i in range(8):
        served(make_volunteer(org, name=f"志愿者{i}"), point, dt.date(2026, 7, 1 + i),
               minutes=90)
    html, nine = get_counted(db, client, "/staff/timebank/")
    assert len(nine) == len(one) <= STAFF_PAGE_QUERIES, nine
    assert "志愿者〇" in html and "志愿者7" in html
    # the rate of each shift: 10 before 1 June, 20 from it (set above, not read back)
    rates = {p.shift.volunteer.name: p.rate for p in queries.pending_reviews(db, org)}
    assert rates == {"志愿者〇": 10, **{f"志愿者{i}": 20 for i in range(8)}}


def test_a_shift_before_any_terms_earns_nothing(db, make_org, make_point, make_volunteer,
                                                 served, rate):
    org = make_org()
    point = make_point(org)
    rate(org, 10, start=dt.date(2026, 6, 1))
    served(make_volunteer(org, name="志愿者早"), point, dt.date(2026, 5, 31))
    assert [p.rate for p in queries.pending_reviews(db, org)] == [0]
