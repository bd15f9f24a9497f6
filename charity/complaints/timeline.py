"""A complaint's history as a list of steps: done when and by whom, due when, late or not."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from charity.complaints import rules
from charity.complaints.models import ComplaintStatus


@dataclass(frozen=True)
class Step:
    status: ComplaintStatus
    label: object
    done_at: dt.datetime | None
    done_on: dt.date | None  # in the organisation's time zone
    by: object | None  # the User who took the step (staff pages only)
    due: dt.date
    late: bool  # done after its deadline
    overdue: bool  # not done and past its deadline
    waiting: bool  # the step the complaint waits for now


def timeline(complaint, today: dt.date) -> list[Step]:
    tz = ZoneInfo(complaint.organization.timezone or "Asia/Shanghai")
    waiting_for = rules.next_step(complaint.status)
    steps = []
    for step in rules.STEPS:
        at_column, by_column = rules.STAMPS[step]
        done_at = getattr(complaint, at_column)
        done_on = done_at.astimezone(tz).date() if done_at else None
        due = getattr(complaint, rules.DUE_COLUMN[step])
        steps.append(Step(
            status=step, label=rules.STATUS_LABELS[step], done_at=done_at, done_on=done_on,
            by=getattr(complaint, by_column.removesuffix("_id")), due=due,
            late=done_on is not None and done_on > due,
            overdue=done_on is None and step == waiting_for and due < today,
            waiting=step == waiting_for))
    return steps
