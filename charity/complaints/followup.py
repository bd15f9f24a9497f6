"""After the steps: extensions of the deadline, the call-back (回访) and reopening.

- An extension moves the answer deadline only with a manager's approval and a reason; the
  handling and closing deadlines move with it, and an event records old → new, who and why.
- The call-back records the complainant's satisfaction once per answer: by staff, or by the
  complainant on the public tracking page (the tracking number is the key). 不满意 reopens the
  order once — back to be handled and answered again, with a fresh answer limit from that day
  (recorded as an event, old → new) — a later 不满意 is recorded and reopens nothing.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.complaints import rules
from charity.complaints.calendar import load_calendar
from charity.complaints.models import (Complaint, ComplaintEvent, ComplaintStatus as S,
                                       EventKind, Satisfaction)
from charity.complaints.queries import visible_to
from charity.complaints.workdays import add_working_days, working_days_between
from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.core.errors import DomainError, PermissionDenied, ValidationFailed
from charity.core.i18n import _l

MAX_REOPEN = 1
MAX_REASON = 2000
RATING_LABELS = {Satisfaction.SATISFIED: _l("Satisfied"),
                 Satisfaction.FAIRLY: _l("Fairly satisfied"),
                 Satisfaction.DISSATISFIED: _l("Dissatisfied")}
EVENT_LABELS = {EventKind.EXTENSION: _l("Deadline extended"),
                EventKind.CALLBACK: _l("Call-back"), EventKind.REOPEN: _l("Reopened")}
OPEN_STEPS = (S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.HANDLED)


def _event(session: Session, complaint: Complaint, kind: EventKind, actor, now, **fields):
    event = ComplaintEvent(complaint=complaint, kind=kind, at=now,
                           by_id=getattr(actor, "id", None), **fields)
    session.add(event)
    return event


def extend(actor, session: Session, complaint: Complaint, *, new_due: dt.date | None,
           reason: str | None, now: dt.datetime | None = None) -> ComplaintEvent:
    """Approve an extension of the answer deadline to `new_due` (a manager, with a reason,
    before the answer; later than the current deadline)."""
    require(actor, "complaints.manage", complaint)
    if not visible_to(actor, complaint):
        raise PermissionDenied(_l("You are not allowed to do this."))
    if complaint.status not in OPEN_STEPS:
        raise DomainError(_l("An answered complaint cannot be extended."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Give the reason for the extension."), field="reason")
    if new_due is None or new_due <= complaint.answer_due:
        raise ValidationFailed(_l("The new deadline must be after %(date)s.",
                                  date=complaint.answer_due.isoformat()), field="new_due")
    calendar = load_calendar(session)
    old_due = complaint.answer_due
    moved = working_days_between(old_due, new_due, calendar)
    complaint.handle_due = add_working_days(complaint.handle_due, moved, calendar)
    complaint.answer_due = new_due
    complaint.close_due = add_working_days(new_due, rules.CALLBACK_DAYS, calendar)
    now = now or utcnow()
    event = _event(session, complaint, EventKind.EXTENSION, actor, now,
                   reason=reason[:MAX_REASON], old_due=old_due, new_due=new_due)
    record(session, actor, "complaint.extend", complaint,
           {"old_due": old_due.isoformat(), "new_due": new_due.isoformat(), "reason": reason})
    session.flush()
    return event


def can_rate(complaint: Complaint) -> bool:
    """Answered, and not yet rated since the (latest) answer."""
    return (complaint.status in (S.ANSWERED, S.CLOSED) and complaint.answered_at is not None
            and (complaint.rated_at is None or complaint.rated_at < complaint.answered_at))


def call_back(actor, session: Session, complaint: Complaint, rating, *, note: str = "",
              now: dt.datetime | None = None) -> ComplaintEvent:
    """Record the complainant's satisfaction: `actor` is the staff member who called back,
    or None when the complainant rated on the tracking page."""
    if actor is not None:
        require(actor, "complaints.manage", complaint)
        if not visible_to(actor, complaint):
            raise PermissionDenied(_l("You are not allowed to do this."))
    try:
        rating = Satisfaction(rating)
    except ValueError:
        raise ValidationFailed(_l("Choose how satisfied the complainant is."),
                               field="rating") from None
    if not can_rate(complaint):
        raise DomainError(_l("The answer has already been rated."))
    now = now or utcnow()
    complaint.rating, complaint.rated_at = rating, now
    event = _event(session, complaint, EventKind.CALLBACK, actor, now, rating=rating,
                   reason=(note or "").strip()[:MAX_REASON])
    record(session, actor, "complaint.callback", complaint,
           {"rating": rating.value, "online": actor is None})
    if rating == Satisfaction.DISSATISFIED and complaint.reopen_count < MAX_REOPEN:
        _reopen(actor, session, complaint, now)
    session.flush()
    return event


def _reopen(actor, session: Session, complaint: Complaint, now: dt.datetime) -> None:
    """Back to 'dispatched' (to the same person or point), to be handled and answered again
    within the category's answer limit counted from today."""
    calendar = load_calendar(session)
    today = org_today(complaint.organization, now)
    due = rules.deadlines(today, calendar, complaint.category)
    old_due = complaint.answer_due
    for step in (S.HANDLED, S.ANSWERED, S.CLOSED):
        at_column, by_column = rules.STAMPS[step]
        setattr(complaint, at_column, None)
        setattr(complaint, by_column, None)
        column = rules.DUE_COLUMN[step]
        setattr(complaint, column, max(due[column], getattr(complaint, column)))
    complaint.status = S.DISPATCHED
    complaint.reopen_count += 1
    _event(session, complaint, EventKind.REOPEN, actor, now, old_due=old_due,
           new_due=complaint.answer_due)
    record(session, actor, "complaint.reopen", complaint,
           {"old_due": old_due.isoformat(), "new_due": complaint.answer_due.isoformat()})
