"""Extensions (a manager, with a reason), the call-back and reopening once."""
import datetime as dt

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.complaints import services
from charity.complaints.followup import call_back, can_rate, extend
from charity.complaints.models import ComplaintStatus as S, EventKind
from charity.core.errors import DomainError, PermissionDenied, ValidationFailed
from tests.complaints.helpers import new_complaint

T0 = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.timezone.utc)  # Tuesday; answer due 31 March


def _answered(db, org, manager, now=T0):
    c = new_complaint(db, org, now=now)
    services.accept(manager, db, c)
    services.dispatch(manager, db, c, user_id=manager.id)
    services.handle(manager, db, c, "已核实")
    services.answer(manager, db, c, "已答复")
    return c


def test_a_manager_extends_with_a_reason_and_the_history_shows_it(db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    c = new_complaint(db, org, now=T0)
    assert c.answer_due == dt.date(2026, 3, 31)
    event = extend(manager, db, c, new_due=dt.date(2026, 4, 14), reason="需要调取监控")
    assert c.answer_due == dt.date(2026, 4, 14)
    # Handling moves by the same 10 working days (27 March → 10 April); closing 5 after.
    assert c.handle_due == dt.date(2026, 4, 10) and c.close_due == dt.date(2026, 4, 21)
    assert (event.kind, event.old_due, event.new_due, event.by_id, event.reason) == (
        EventKind.EXTENSION, dt.date(2026, 3, 31), dt.date(2026, 4, 14), manager.id,
        "需要调取监控")
    assert [e.kind for e in c.events] == [EventKind.EXTENSION]
    assert db.scalar(sa.select(sa.func.count(AuditLog.id)).where(
        AuditLog.action == "complaint.extend", AuditLog.object_id == str(c.id))) == 1


def test_extension_refusals_leave_the_deadline(db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    c = new_complaint(db, org, now=T0)
    c.point_id = None
    volunteer = make_user("volunteer", org=org)
    c.assignee_id = volunteer.id  # even the volunteer it was dispatched to cannot extend
    with pytest.raises(PermissionDenied):
        extend(volunteer, db, c, new_due=dt.date(2026, 4, 14), reason="忙")
    with pytest.raises(ValidationFailed) as err:
        extend(manager, db, c, new_due=dt.date(2026, 4, 14), reason="  ")
    assert err.value.field == "reason"
    with pytest.raises(ValidationFailed) as err:
        extend(manager, db, c, new_due=dt.date(2026, 3, 30), reason="忙")
    assert err.value.field == "new_due"
    with pytest.raises(PermissionDenied):
        extend(make_user("manager", org=make_org()), db, c, new_due=dt.date(2026, 4, 14),
               reason="忙")
    assert c.answer_due == dt.date(2026, 3, 31) and c.events == []


def test_no_extension_after_the_answer(db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    c = _answered(db, org, manager)
    with pytest.raises(DomainError):
        extend(manager, db, c, new_due=dt.date(2026, 4, 14), reason="忙")


def test_call_back_by_staff_once_per_answer(db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    c = new_complaint(db, org, now=T0)
    assert not can_rate(c)
    with pytest.raises(DomainError):
        call_back(manager, db, c, "satisfied")  # not answered yet
    services.accept(manager, db, c)
    services.dispatch(manager, db, c, user_id=manager.id)
    services.handle(manager, db, c, "已核实")
    services.answer(manager, db, c, "已答复")
    with pytest.raises(ValidationFailed):
        call_back(manager, db, c, "great")
    with pytest.raises(PermissionDenied):
        call_back(make_user("volunteer", org=org), db, c, "satisfied")
    call_back(manager, db, c, "fairly", note="电话回访")
    assert c.rating.value == "fairly" and c.status == S.ANSWERED
    with pytest.raises(DomainError):
        call_back(None, db, c, "dissatisfied")  # the tracking page cannot rate it again
    services.close(manager, db, c)
    assert c.status == S.CLOSED and c.reopen_count == 0


def test_dissatisfied_reopens_once(db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    c = _answered(db, org, manager)
    reopened_at = dt.datetime(2026, 4, 1, 2, tzinfo=dt.timezone.utc)  # Wednesday 1 April
    call_back(None, db, c, "dissatisfied", now=reopened_at)  # on the tracking page
    assert c.status == S.DISPATCHED and c.reopen_count == 1
    assert c.answered_at is None and c.handled_at is None
    # A fresh 15 working days from 1 April (no holidays entered): 22 April.
    assert c.answer_due == dt.date(2026, 4, 22)
    kinds = [(e.kind, e.by_id, e.rating and e.rating.value) for e in c.events]
    assert kinds == [(EventKind.CALLBACK, None, "dissatisfied"), (EventKind.REOPEN, None, None)]
    assert c.events[1].old_due == dt.date(2026, 3, 31)
    services.handle(manager, db, c, "再次核实")
    services.answer(manager, db, c, "再次答复")
    assert can_rate(c)
    call_back(manager, db, c, "dissatisfied")  # recorded, but no second reopening
    assert c.status == S.ANSWERED and c.reopen_count == 1
    assert c.rating.value == "dissatisfied"
    assert [e.kind for e in c.events].count(EventKind.CALLBACK) == 2
    assert [e.kind for e in c.events].count(EventKind.REOPEN) == 1
