"""Time-bank fixtures: a volunteer with a shift of given hours, approved at a rate."""
import datetime as dt

import pytest

from charity.core.system import system_actor
from charity.people import volunteers
from charity.points.services import earning

TODAY = dt.date(2026, 11, 25)
UTC = dt.timezone.utc


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A UTC stamp that is `day` in Asia/Shanghai too (before 16:00 UTC)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def make_volunteer(db):
    def factory(org, **data):
        volunteer = volunteers.create_volunteer(system_actor(), db, org,
                                                {"name": "志愿者甲", **data})
        db.commit()
        return volunteer

    return factory


@pytest.fixture
def served(db):
    """A signed-out shift of `volunteer` at `point` on `day`: 01:00 UTC for `minutes`."""
    def factory(volunteer, point, day: dt.date, minutes: int = 120):
        start = at(day, 1)
        shift = volunteers.sign_in(system_actor(), db, volunteer, point, "supermarket",
                                   at=start)
        volunteers.sign_out(system_actor(), db, shift,
                            at=start + dt.timedelta(minutes=minutes))
        db.commit()
        return shift

    return factory


@pytest.fixture
def rate(db):
    def factory(org, per_hour: int, start: dt.date = dt.date(2024, 1, 1), months: int = 24):
        terms = earning.set_terms(system_actor(), db, org, {
            "points_per_hour": per_hour, "expiry_months": months, "effective_from": start},
            today=start)
        db.commit()
        return terms

    return factory


@pytest.fixture
def earned(db, make_volunteer, served, rate):
    """(volunteer, point) holding `points` approved points earned on `day` at 10 an hour."""
    def factory(point, points: int = 30, day: dt.date = dt.date(2026, 11, 2), volunteer=None):
        org = point.organization
        if volunteer is None:
            volunteer = make_volunteer(org)
            rate(org, 10)
        shift = served(volunteer, point, day, minutes=points * 6)
        earning.review_hours(system_actor(), db, shift, approve=True)
        db.commit()
        return volunteer

    return factory
