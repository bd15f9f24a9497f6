"""Working-day arithmetic on the 2026 calendar of the State Council notice (国办发明电,
published November 2025): the expected dates below are read off the notice's own holiday
and make-up day list, not computed by the code under test."""
import datetime as dt

from hypothesis import given, strategies as st

from charity.complaints.calendar import OFFICIAL_2026, STATUTORY_2027
from charity.complaints.workdays import (Calendar, WEEKENDS_ONLY, add_working_days,
                                         is_working_day, working_days_between)

D = dt.date
# The notice, written out again here as the days off and the make-up working days.
NOTICE_2026 = Calendar.from_ranges(
    holidays=[(D(2026, 1, 1), D(2026, 1, 3)), (D(2026, 2, 15), D(2026, 2, 23)),
              (D(2026, 4, 4), D(2026, 4, 6)), (D(2026, 5, 1), D(2026, 5, 5)),
              (D(2026, 6, 19), D(2026, 6, 21)), (D(2026, 9, 25), D(2026, 9, 27)),
              (D(2026, 10, 1), D(2026, 10, 7))],
    workdays=[(d, d) for d in (D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9),
                               D(2026, 9, 20), D(2026, 10, 10))])


def _entered():
    rows = OFFICIAL_2026 + STATUTORY_2027
    return Calendar.from_ranges(
        holidays=[(a, b) for kind, _n, a, b in rows if kind.value == "holiday"],
        workdays=[(a, b) for kind, _n, a, b in rows if kind.value == "workday"])


def test_the_entered_2026_calendar_is_the_notice():
    entered = _entered()
    assert {d for d in entered.holidays if d.year == 2026} == NOTICE_2026.holidays
    assert entered.workdays == NOTICE_2026.workdays  # 2027: no make-up days invented


def test_make_up_days_work_and_holidays_rest():
    assert is_working_day(D(2026, 1, 4), NOTICE_2026)  # a Sunday, 元旦调休
    assert is_working_day(D(2026, 2, 14), NOTICE_2026)  # a Saturday, 春节调休
    assert not is_working_day(D(2026, 2, 16), NOTICE_2026)  # a Monday in 春节
    assert is_working_day(D(2026, 10, 8), NOTICE_2026)  # the Thursday after 国庆
    assert not is_working_day(D(2026, 10, 10), WEEKENDS_ONLY)  # a Saturday without the notice


def test_across_the_2026_holidays():
    cal = NOTICE_2026
    # 31 Dec 2025 (Wed): 1 Jan–3 Jan off, 4 Jan (Sun) a make-up day → the 1st working day.
    assert add_working_days(D(2025, 12, 31), 1, cal) == D(2026, 1, 4)
    assert add_working_days(D(2025, 12, 31), 2, cal) == D(2026, 1, 5)
    # Friday 13 Feb: Saturday 14 Feb works, then 15–23 Feb off → 24 Feb is the 2nd.
    assert add_working_days(D(2026, 2, 13), 1, cal) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2, cal) == D(2026, 2, 24)
    # 15 working days from 12 Feb: 13, 14(Sat), 24, 25, 26, 27, 28(Sat), 2–6 Mar, 9, 10, 11.
    assert add_working_days(D(2026, 2, 12), 15, cal) == D(2026, 3, 11)
    # 劳动节: Thursday 30 April, 1 working day → Wednesday 6 May; Saturday 9 May works.
    assert add_working_days(D(2026, 4, 30), 1, cal) == D(2026, 5, 6)
    assert add_working_days(D(2026, 5, 8), 1, cal) == D(2026, 5, 9)
    # 国庆: Friday 18 Sept → Sunday 20 Sept works; from 30 Sept 5 working days: 8, 9, 10(Sat),
    # 12, 13 Oct.
    assert add_working_days(D(2026, 9, 18), 1, cal) == D(2026, 9, 20)
    assert add_working_days(D(2026, 9, 30), 5, cal) == D(2026, 10, 13)
    # 中秋 25–27 Sept (Fri–Sun): from Thursday 24 Sept the next working day is 28 Sept.
    assert add_working_days(D(2026, 9, 24), 1, cal) == D(2026, 9, 28)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 13), cal) == 5
    # The whole of 2026: 365 days − 104 weekend days − 19 holiday weekdays (元旦 2, 春节 6,
    # 清明 1, 劳动节 3, 端午 1, 中秋 1, 国庆 5) + 6 make-up days = 248.
    assert working_days_between(D(2025, 12, 31), D(2026, 12, 31), cal) == 248


def test_into_2027_with_the_statutory_days():
    cal = _entered()
    # Thursday 31 Dec 2026 → 1 Jan 2027 (Fri) off → Monday 4 Jan.
    assert add_working_days(D(2026, 12, 31), 1, cal) == D(2027, 1, 4)
    # 除夕–初三 5–8 Feb 2027 (Fri–Mon): from Thursday 4 Feb the next is Tuesday 9 Feb.
    assert add_working_days(D(2027, 2, 4), 1, cal) == D(2027, 2, 9)


days = st.dates(min_value=D(2025, 6, 1), max_value=D(2027, 12, 31))
calendars = st.sampled_from([WEEKENDS_ONLY, NOTICE_2026, _entered()])


@given(days, st.integers(min_value=0, max_value=60), calendars)
def test_add_then_count_is_the_identity(start, n, cal):
    end = add_working_days(start, n, cal)
    assert working_days_between(start, end, cal) == n
    assert n == 0 or is_working_day(end, cal)
    # Never fewer calendar days than working days, and the day before was short of n.
    assert (end - start).days >= n
    assert n == 0 or working_days_between(start, end - dt.timedelta(days=1), cal) == n - 1


@given(days, days, calendars)
def test_count_is_antisymmetric_and_bounded(a, b, cal):
    assert working_days_between(a, b, cal) == -working_days_between(b, a, cal)
    assert abs(working_days_between(a, b, cal)) <= abs((b - a).days)


@given(days, st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=30),
       calendars)
def test_adding_in_two_goes_is_adding_once(start, m, n, cal):
    assert add_working_days(add_working_days(start, m, cal), n, cal) == \
        add_working_days(start, m + n, cal)
