"""The complaint's state machine, deadlines, overdue, tracking numbers and the form stamp."""
import datetime as dt

import pytest
import sqlalchemy as sa

from charity.complaints import formstamp, rules, services
from charity.complaints.models import Complaint, ComplaintStatus as S
from charity.complaints.timeline import timeline
from charity.core.errors import DomainError, PermissionDenied, ValidationFailed
from tests.complaints.helpers import new_complaint

T0 = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Shanghai


def test_deadlines_are_fixed_at_submission(db, make_org):
    # Changed on purpose (issue 19): working days, not calendar days. Tuesday 10 March 2026:
    # accept 1 working day → Wed 11; dispatch 3 → Fri 13; handle 13 → Fri 27; answer 15 →
    # Tue 31 March; close 5 more → Tue 7 April (no holidays entered: weekends only).
    c = new_complaint(db, make_org(), now=T0)
    assert c.status == S.SUBMITTED
    assert c.submitted_on == dt.date(2026, 3, 10)
    assert (c.accept_due, c.dispatch_due, c.handle_due, c.answer_due, c.close_due) == (
        dt.date(2026, 3, 11), dt.date(2026, 3, 13), dt.date(2026, 3, 27),
        dt.date(2026, 3, 31), dt.date(2026, 4, 7))


def test_deadlines_skip_the_entered_holidays_and_follow_the_category(db, make_org):
    from charity.complaints.calendar import enter_official
    from charity.complaints.models import ComplaintCategory
    org = make_org()
    enter_official(db)
    # Friday 13 Feb 2026: Sat 14 Feb is a make-up working day, 15–23 Feb 春节 off.
    c = new_complaint(db, org, now=dt.datetime(2026, 2, 13, 2, tzinfo=dt.timezone.utc))
    assert c.accept_due == dt.date(2026, 2, 14)
    assert c.answer_due == dt.date(2026, 3, 12)  # 14, 24–28 Feb (28 a Saturday), 2–12 March
    category = db.scalar(sa.select(ComplaintCategory).where(
        ComplaintCategory.organization_id == org.id, ComplaintCategory.name == "物资去向"))
    category.answer_days = 5
    # Thursday 30 April: 1–5 May 劳动节; 5 working days → 6, 7, 8, 9 (Sat), 11 May.
    c = new_complaint(db, org, now=dt.datetime(2026, 4, 30, 2, tzinfo=dt.timezone.utc))
    assert (c.accept_due, c.answer_due) == (dt.date(2026, 5, 6), dt.date(2026, 5, 11))


def test_submission_date_is_counted_in_the_org_time_zone(db, make_org):
    late_evening_utc = dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.timezone.utc)
    c = new_complaint(db, make_org(), now=late_evening_utc)
    assert c.submitted_on == dt.date(2026, 4, 1)  # 01:30 in Shanghai


def test_full_life_stamps_who_and_when(db, make_org, make_point, make_user):
    org = make_org()
    point = make_point(org)
    manager = make_user("manager", org=org)
    volunteer = make_user("volunteer", org=org, points=[point])
    c = new_complaint(db, org, now=T0)
    times = [T0 + dt.timedelta(hours=h) for h in (1, 2, 3, 4, 5)]
    services.accept(manager, db, c, now=times[0])
    services.dispatch(manager, db, c, point_id=point.id, note="请核实", now=times[1])
    services.handle(volunteer, db, c, "已核实", now=times[2])
    services.answer(manager, db, c, "已处理，谢谢监督。", now=times[3])
    services.close(manager, db, c, now=times[4])
    db.commit()
    db.expire_all()
    c = db.get(Complaint, c.id)
    assert c.status == S.CLOSED
    assert (c.accepted_at, c.dispatched_at, c.handled_at, c.answered_at, c.closed_at) == tuple(
        times)
    assert (c.accepted_by_id, c.dispatched_by_id, c.handled_by_id, c.answered_by_id,
            c.closed_by_id) == (manager.id, manager.id, volunteer.id, manager.id, manager.id)
    assert (c.point_id, c.assignee_id, c.dispatch_note) == (point.id, None, "请核实")
    assert (c.handling_note, c.answer) == ("已核实", "已处理，谢谢监督。")
    assert [s.late for s in timeline(c, dt.date(2026, 6, 1))] == [False] * 5


@pytest.mark.parametrize("wrong", ["dispatch", "handle", "answer", "close"])
def test_steps_out_of_order_are_refused(db, make_org, make_point, make_user, wrong):
    org = make_org()
    point = make_point(org)
    manager = make_user("manager", org=org)
    c = new_complaint(db, org)
    kwargs = {"dispatch": {"point_id": point.id}, "handle": {"note": "x"},
              "answer": {"text": "x"}, "close": {}}[wrong]
    with pytest.raises(DomainError):
        getattr(services, wrong)(manager, db, c, **kwargs)
    assert c.status == S.SUBMITTED
    assert c.dispatched_at is None and c.point_id is None


def test_a_step_cannot_be_taken_twice(db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    c = new_complaint(db, org)
    services.accept(manager, db, c, now=T0)
    with pytest.raises(DomainError):
        services.accept(manager, db, c)
    assert c.accepted_at == T0


def test_dispatch_needs_one_target_of_the_same_org(db, make_org, make_point, make_user):
    org, other = make_org(), make_org()
    manager = make_user("manager", org=org)
    foreign_point = make_point(other)
    point = make_point(org)
    c = new_complaint(db, org)
    services.accept(manager, db, c)
    for kwargs in ({}, {"point_id": point.id, "user_id": manager.id},
                   {"point_id": foreign_point.id}, {"user_id": make_user("manager", org=other).id}):
        with pytest.raises(ValidationFailed) as err:
            services.dispatch(manager, db, c, **kwargs)
        assert err.value.field == "target"
    assert c.status == S.ACCEPTED
    services.dispatch(manager, db, c, user_id=manager.id)
    assert (c.status, c.assignee_id, c.point_id) == (S.DISPATCHED, manager.id, None)


def test_volunteers_handle_only_what_was_dispatched_to_their_point(
        db, make_org, make_point, make_user):
    org = make_org()
    p1, p2 = make_point(org), make_point(org)
    manager = make_user("manager", org=org)
    mine = make_user("volunteer", org=org, points=[p1])
    elsewhere = make_user("volunteer", org=org, points=[p2])
    auditor = make_user("auditor", org=org)
    c = new_complaint(db, org)
    with pytest.raises(PermissionDenied):
        services.accept(mine, db, c)  # only managers accept
    services.accept(manager, db, c)
    services.dispatch(manager, db, c, point_id=p1.id)
    for actor in (elsewhere, auditor):
        with pytest.raises(PermissionDenied):
            services.handle(actor, db, c, "done")
    with pytest.raises(ValidationFailed):
        services.handle(mine, db, c, "  ")
    services.handle(mine, db, c, "done")
    assert (c.status, c.handled_by_id) == (S.HANDLED, mine.id)


def test_managers_of_another_org_cannot_touch_it(db, make_org, make_user):
    c = new_complaint(db, make_org())
    with pytest.raises(PermissionDenied):
        services.accept(make_user("manager", org=make_org()), db, c)
    assert c.status == S.SUBMITTED


def test_overdue_flag_and_count(db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    old = new_complaint(db, org, now=T0)  # accept due 11 March
    fresh = new_complaint(db, org, now=T0 + dt.timedelta(days=5))
    today = dt.date(2026, 3, 12)
    assert rules.is_overdue(old, today) and not rules.is_overdue(fresh, today)
    assert not rules.is_overdue(old, dt.date(2026, 3, 11))  # due today is not overdue
    ids = set(db.scalars(sa.select(Complaint.id).where(
        Complaint.organization_id == org.id, services.overdue_clause(today))))
    assert ids == {old.id}
    services.accept(manager, db, old, now=T0 + dt.timedelta(days=2))
    # Accepted late; now waits for dispatch, due 13 March.
    assert [s.late for s in timeline(old, today)][0] is True
    assert not rules.is_overdue(old, today) and rules.is_overdue(old, dt.date(2026, 3, 14))
    db.flush()
    assert set(db.scalars(sa.select(Complaint.id).where(
        Complaint.organization_id == org.id,
        services.overdue_clause(dt.date(2026, 3, 14))))) == {old.id}
    services.dispatch(manager, db, old, user_id=manager.id)
    services.handle(manager, db, old, "ok")
    services.answer(manager, db, old, "ok")
    services.close(manager, db, old)
    assert not rules.is_overdue(old, dt.date(2027, 1, 1))


def test_tracking_numbers_are_random_unique_and_forgiving(db, make_org):
    org = make_org()
    numbers = {new_complaint(db, org).tracking_no for _ in range(5)}
    assert len(numbers) == 5
    for n in numbers:
        assert len(n) == 12 and set(n) <= set(rules.TRACKING_ALPHABET)
    n = sorted(numbers)[0]
    shown = rules.format_tracking_no(n)
    assert shown == f"{n[:4]}-{n[4:8]}-{n[8:]}"
    assert services.find_by_tracking_no(db, f" {shown.lower()} ").tracking_no == n
    assert services.find_by_tracking_no(db, n[:11]) is None
    assert services.find_by_tracking_no(db, "") is None


def test_rate_limit_counts_recent_complaints_of_the_address(db, make_org):
    org = make_org()
    for i in range(rules.RATE_LIMIT):
        new_complaint(db, org, address_hash="h1", now=T0 + dt.timedelta(minutes=i))
    with pytest.raises(services.RateLimited):
        new_complaint(db, org, address_hash="h1", now=T0 + dt.timedelta(minutes=30))
    new_complaint(db, org, address_hash="h2", now=T0 + dt.timedelta(minutes=30))
    new_complaint(db, org, address_hash="h1", now=T0 + dt.timedelta(minutes=61))


def test_address_hash_is_keyed():
    assert rules.address_hash("10.0.0.1", b"k1") != rules.address_hash("10.0.0.1", b"k2")
    assert "10.0.0.1" not in rules.address_hash("10.0.0.1", b"k1")


def test_form_stamp():
    assert formstamp.check_stamp("s", formstamp.make_stamp("s", 1000), now=1010) == formstamp.OK
    assert formstamp.check_stamp("s", formstamp.make_stamp("s", 1000),
                                 now=1000.2) == formstamp.TOO_FAST
    # A person whose browser fills the form in (autofill) sends it within a second.
    assert formstamp.check_stamp("s", formstamp.make_stamp("s", 1000),
                                 now=1000.7) == formstamp.OK
    assert formstamp.check_stamp("s", formstamp.make_stamp("s", 1000),
                                 now=1000 + 9 * 3600) == formstamp.STALE
    assert formstamp.check_stamp("other", formstamp.make_stamp("s", 1000),
                                 now=1010) == formstamp.INVALID
    assert formstamp.check_stamp("s", "", now=1010) == formstamp.INVALID
