"""The installation's working-day calendar: holidays and make-up working days an
administrator enters (audited), loaded as a `workdays.Calendar` for the deadlines."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.complaints.models import CalendarEntry, CalendarKind
from charity.complaints.workdays import Calendar
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l

D = dt.date
H, W = CalendarKind.HOLIDAY, CalendarKind.WORKDAY

# 2026: 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕, published November
# 2025), as the project lead recalls it: holidays with their make-up working days (调休上班).
OFFICIAL_2026 = (
    (H, "元旦", D(2026, 1, 1), D(2026, 1, 3)), (W, "元旦调休", D(2026, 1, 4), D(2026, 1, 4)),
    (H, "春节", D(2026, 2, 15), D(2026, 2, 23)),
    (W, "春节调休", D(2026, 2, 14), D(2026, 2, 14)), (W, "春节调休", D(2026, 2, 28), D(2026, 2, 28)),
    (H, "清明节", D(2026, 4, 4), D(2026, 4, 6)),
    (H, "劳动节", D(2026, 5, 1), D(2026, 5, 5)), (W, "劳动节调休", D(2026, 5, 9), D(2026, 5, 9)),
    (H, "端午节", D(2026, 6, 19), D(2026, 6, 21)),
    (H, "中秋节", D(2026, 9, 25), D(2026, 9, 27)),
    (H, "国庆节", D(2026, 10, 1), D(2026, 10, 7)),
    (W, "国庆调休", D(2026, 9, 20), D(2026, 9, 20)), (W, "国庆调休", D(2026, 10, 10), D(2026, 10, 10)),
)
# 2027: the State Council notice (normally published in November of the year before) is not
# in hand, so only the statutory holiday days themselves (全国年节及纪念日放假办法, as amended
# in 2024) by the solar and lunar calendars: 除夕 5 Feb 2027, 端午 9 June, 中秋 15 Sept.
# No make-up working days are invented: an administrator enters them from the notice.
STATUTORY_2027 = (
    (H, "元旦", D(2027, 1, 1), D(2027, 1, 1)),
    (H, "春节", D(2027, 2, 5), D(2027, 2, 8)),
    (H, "清明节", D(2027, 4, 5), D(2027, 4, 5)),
    (H, "劳动节", D(2027, 5, 1), D(2027, 5, 2)),
    (H, "端午节", D(2027, 6, 9), D(2027, 6, 9)),
    (H, "中秋节", D(2027, 9, 15), D(2027, 9, 15)),
    (H, "国庆节", D(2027, 10, 1), D(2027, 10, 3)),
)
MAX_RANGE_DAYS = 31


def load_calendar(session: Session) -> Calendar:
    rows = session.execute(sa.select(CalendarEntry.kind, CalendarEntry.first_day,
                                     CalendarEntry.last_day)).all()
    return Calendar.from_ranges(
        holidays=[(a, b) for kind, a, b in rows if kind == CalendarKind.HOLIDAY],
        workdays=[(a, b) for kind, a, b in rows if kind == CalendarKind.WORKDAY])


def entries(session: Session) -> list[CalendarEntry]:
    return list(session.scalars(sa.select(CalendarEntry).order_by(
        CalendarEntry.first_day, CalendarEntry.id)))


def _overlapping(session: Session, first: dt.date, last: dt.date):
    return session.scalar(sa.select(CalendarEntry).where(
        CalendarEntry.first_day <= last, CalendarEntry.last_day >= first).limit(1))


def add_entry(actor, session: Session, data: dict) -> CalendarEntry:
    """Add a holiday or make-up working day range (one name, first and last day inclusive).
    Refuses a range out of order or longer than a month, and one that overlaps an entry."""
    require(actor, "complaints.calendar")
    kind = CalendarKind(data.get("kind") or CalendarKind.HOLIDAY)
    name = (data.get("name") or "").strip()[:50]
    if not name:
        raise ValidationFailed(_l("Give the days a name."), field="name")
    first, last = data.get("first_day"), data.get("last_day") or data.get("first_day")
    if first is None:
        raise ValidationFailed(_l("Enter the first day."), field="first_day")
    if last < first:
        raise ValidationFailed(_l("The last day is before the first day."), field="last_day")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValidationFailed(_l("At most %(n)d days at once.", n=MAX_RANGE_DAYS),
                               field="last_day")
    if (other := _overlapping(session, first, last)) is not None:
        raise ValidationFailed(_l("These days overlap “%(name)s”.", name=other.name),
                               field="first_day")
    entry = CalendarEntry(kind=kind, name=name, first_day=first, last_day=last)
    session.add(entry)
    session.flush()
    record(session, actor, "calendar.add", entry,
           {"kind": kind.value, "name": name, "first_day": first.isoformat(),
            "last_day": last.isoformat()})
    return entry


def remove_entry(actor, session: Session, entry: CalendarEntry) -> None:
    """Remove an entry (deadlines already fixed on complaints do not move)."""
    require(actor, "complaints.calendar")
    record(session, actor, "calendar.remove", entry,
           {"kind": entry.kind.value, "name": entry.name,
            "first_day": entry.first_day.isoformat(), "last_day": entry.last_day.isoformat()})
    session.delete(entry)
    session.flush()


def enter_official(session: Session, rows=OFFICIAL_2026 + STATUTORY_2027) -> int:
    """The demo's (and a new installation's) calendar: enters the rows not yet there."""
    added = 0
    for kind, name, first, last in rows:
        if _overlapping(session, first, last) is None:
            session.add(CalendarEntry(kind=kind, name=name, first_day=first, last_day=last))
            session.flush()
            added += 1
    return added
