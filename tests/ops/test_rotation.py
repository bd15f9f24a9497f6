"""The backup rotation (issue 16 item 6): 7 daily, 4 weekly, 12 monthly by default, as a pure
function over archive times; checked against an independent grouping and a worked year."""
import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from charity.ops.rotation import Rotation, archive_name, archive_time, to_keep

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc


def nightly(local_day: dt.date) -> dt.datetime:
    """A backup at 02:30 Shanghai time on `local_day`, as the UTC time it is stored in."""
    return dt.datetime.combine(local_day, dt.time(2, 30), SHANGHAI).astimezone(UTC)


def test_a_year_of_nightly_backups_keeps_the_days_weeks_and_months():
    days = [dt.date(2025, 11, 1) + dt.timedelta(days=i)
            for i in range((dt.date(2026, 12, 5) - dt.date(2025, 11, 1)).days + 1)]
    kept = to_keep([nightly(d) for d in days], Rotation(), SHANGHAI)
    expected = (
        # the last 7 days
        [dt.date(2026, 11, 29) + dt.timedelta(days=i) for i in range(7)]
        # the newest of each of the last 4 ISO weeks: this week's is 12-05, then the Sundays
        + [dt.date(2026, 11, 22), dt.date(2026, 11, 15)]
        # the newest of each of the last 12 months: 12-05, 11-30, then each month's last day
        + [dt.date(2026, 10, 31), dt.date(2026, 9, 30), dt.date(2026, 8, 31),
           dt.date(2026, 7, 31), dt.date(2026, 6, 30), dt.date(2026, 5, 31),
           dt.date(2026, 4, 30), dt.date(2026, 3, 31), dt.date(2026, 2, 28),
           dt.date(2026, 1, 31)])
    assert sorted(at.astimezone(SHANGHAI).date() for at in kept) == sorted(expected)
    assert len(kept) == 19


def test_a_gap_never_loses_the_older_archives():
    """A machine off for a month keeps its last archives from before the gap."""
    before = [nightly(dt.date(2026, 10, d)) for d in range(1, 11)]
    after = [nightly(dt.date(2026, 11, 20))]
    kept = to_keep(before + after, Rotation(daily=7, weekly=0, monthly=0), SHANGHAI)
    assert kept == {after[0], *before[-6:]}


def _independent(times, rotation, tz):
    """The newest archive of each of the N most recent periods, by grouping first."""
    out = set()
    for count, period in ((rotation.daily, lambda d: d.date()),
                          (rotation.weekly, lambda d: tuple(d.isocalendar())[:2]),
                          (rotation.monthly, lambda d: (d.year, d.month))):
        groups = {}
        for at in times:
            groups.setdefault(period(at.astimezone(tz)), []).append(at)
        for key in sorted(groups, reverse=True)[:count]:
            out.add(max(groups[key]))
    return out


times_strategy = st.lists(
    st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31),
                 timezones=st.just(UTC)), max_size=60, unique=True)


@settings(max_examples=200, deadline=None)
@given(times=times_strategy, daily=st.integers(1, 10), weekly=st.integers(0, 6),
       monthly=st.integers(0, 14))
def test_rotation_keeps_the_newest_of_each_recent_period(times, daily, weekly, monthly):
    rotation = Rotation(daily, weekly, monthly)
    kept = to_keep(times, rotation, SHANGHAI)
    assert kept <= set(times)
    assert kept == _independent(times, rotation, SHANGHAI)
    assert len(kept) <= daily + weekly + monthly
    if times:
        assert max(times) in kept


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31),
                    timezones=st.just(UTC)))
def test_archive_names_carry_their_time_to_the_second(at):
    name = archive_name(at)
    assert archive_time(name) == at.replace(microsecond=0)
    assert archive_time(name + ".partial") is None and archive_time("notes.txt") is None


def test_backup_settings_are_read_and_checked(tmp_path, monkeypatch):
    import pytest

    from charity import create_app
    from charity.core.config import ConfigError

    monkeypatch.setenv("CHARITY_BACKUP_TIME", "03:15")
    monkeypatch.setenv("CHARITY_BACKUP_KEEP_WEEKLY", "8")
    monkeypatch.setenv("CHARITY_BACKUP_INCLUDE_KEYS", "yes")
    app = create_app({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "i")})
    assert app.config["CHARITY_BACKUP_TIME"] == dt.time(3, 15)
    assert app.config["CHARITY_BACKUP_KEEP_WEEKLY"] == 8
    assert app.config["CHARITY_BACKUP_INCLUDE_KEYS"] is True
    assert app.config["CHARITY_BACKUP_DIR"] is None  # <instance>/backups, made when needed
    for key, bad in (("CHARITY_BACKUP_TIME", "25:99"), ("CHARITY_BACKUP_KEEP_DAILY", "0")):
        monkeypatch.setenv(key, bad)
        with pytest.raises(ConfigError, match=key):
            create_app({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "i")})
        monkeypatch.delenv(key)
