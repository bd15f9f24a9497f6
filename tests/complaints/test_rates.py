"""The three 12345 rates equal counts taken from the complaint rows by the test itself."""
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from charity.complaints.models import Complaint, ComplaintStatus as S, Satisfaction
from charity.complaints.rates import organization_rates, rate_rows
from tests.complaints.helpers import new_complaint

UTC = dt.timezone.utc
MARCH = dt.datetime(2026, 3, 10, 2, tzinfo=UTC)  # answer due 31 March (15 working days)
APRIL = dt.datetime(2026, 4, 7, 2, tzinfo=UTC)


def _answered(c, at, rating=None):
    c.status, c.answered_at, c.answer = S.ANSWERED, at, "答复"
    c.rating, c.rated_at = rating, (at if rating else None)


def _world(db, make_org):
    org = make_org()
    march = [new_complaint(db, org, now=MARCH) for _ in range(5)]
    # On time (31 March 23:00 in Shanghai is still the 31st), late (1 April 09:00 Shanghai).
    _answered(march[0], dt.datetime(2026, 3, 31, 15, tzinfo=UTC), Satisfaction.SATISFIED)
    _answered(march[1], dt.datetime(2026, 4, 1, 1, tzinfo=UTC), Satisfaction.DISSATISFIED)
    _answered(march[2], dt.datetime(2026, 3, 20, 1, tzinfo=UTC), Satisfaction.FAIRLY)
    _answered(march[3], dt.datetime(2026, 3, 20, 1, tzinfo=UTC))  # not called back yet
    april = new_complaint(db, org, now=APRIL, category="善款使用")
    _answered(april, dt.datetime(2026, 4, 8, 1, tzinfo=UTC), Satisfaction.SATISFIED)
    db.flush()
    return org


def test_rates_per_category_and_month_equal_the_rows(db, make_org):
    org = _world(db, make_org)
    rows = {(r.category, r.month): r.counts
            for r in rate_rows(db, dt.date(2026, 1, 1), dt.date(2026, 12, 31), org.id)}
    assert set(rows) == {("物资去向", (2026, 3)), ("善款使用", (2026, 4))}
    march = rows[("物资去向", (2026, 3))]
    # From the rows above: 5 arrived, 4 answered, 3 by 31 March, 3 rated, 2 满意/基本满意.
    assert (march.submitted, march.answered, march.on_time, march.called_back,
            march.satisfied) == (5, 4, 3, 3, 2)
    assert march.on_time_rate == Decimal("75.0")
    assert march.callback_rate == Decimal("75.0")
    assert march.satisfaction_rate == Decimal("66.7")
    april = rows[("善款使用", (2026, 4))]
    assert (april.answered, april.on_time, april.called_back, april.satisfied) == (1, 1, 1, 1)


def test_organisation_totals_are_recounted_from_the_table(db, make_org):
    org = _world(db, make_org)
    make_org()  # another organisation's nothing does not count
    complaints = list(db.scalars(sa.select(Complaint).where(
        Complaint.organization_id == org.id)))
    answered = [c for c in complaints if c.answered_at is not None]
    rated = [c for c in answered if c.rating is not None]
    content = [c for c in rated if c.rating != Satisfaction.DISSATISFIED]
    on_time = [c for c in answered
               if (c.answered_at + dt.timedelta(hours=8)).date() <= c.answer_due]
    counts = organization_rates(db, org.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (counts.submitted, counts.answered, counts.on_time, counts.called_back,
            counts.satisfied) == (len(complaints), len(answered), len(on_time), len(rated),
                                  len(content))
    empty = organization_rates(db, org.id, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert empty.on_time_rate is None and empty.satisfaction_rate is None


def test_the_public_statistics_page_shows_the_rates(client, db, make_org):
    org = _world(db, make_org)
    db.commit()
    html = client.get(f"/complaints/stats?org={org.id}&year=2026").get_data(as_text=True)
    # March, from the rows: 3 of 4 answered on time, 3 of 4 rated, 2 of 3 content.
    assert 'data-rate="on_time-2026-03">75.0 %<' in html
    assert 'data-rate="callback-2026-03">75.0 %<' in html
    assert 'data-rate="satisfaction-2026-03">66.7 %<' in html
    # The year: 4 of 5 on time, 4 of 5 rated, 3 of 4 content.
    assert 'data-rate="on_time-total">80.0 %<' in html
    assert 'data-rate="satisfaction-total">75.0 %<' in html
