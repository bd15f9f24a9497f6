"""Complaints: the public form, tracking and statistics are open; staff see work orders
(volunteers only those dispatched to them or their points — the matrix complaint is
dispatched to the volunteer's point); managers take the steps and keep the categories;
volunteers record handling; contact details and attachments are for readers."""
from tests.auth.policies.common import ADMIN, MANAGERS, PUBLIC, READERS, STAFF, WORKERS

POLICY = {
    "public_complaints.complaint_new": PUBLIC,
    "public_complaints.complaint_done": PUBLIC,
    "public_complaints.complaint_track": PUBLIC,
    "public_complaints.complaint_stats": PUBLIC,
    "complaints.complaint_list": STAFF,
    "complaints.complaint_record": MANAGERS,
    "complaints.complaint_view": STAFF,
    "complaints.complaint_accept": MANAGERS,
    "complaints.complaint_dispatch": MANAGERS,
    "complaints.complaint_handle": WORKERS,
    "complaints.complaint_answer": MANAGERS,
    "complaints.complaint_close": MANAGERS,
    "complaints.complaint_attachment": READERS,
    "complaints.category_list": MANAGERS,
    "complaints.category_new": MANAGERS,
    "complaints.category_edit": MANAGERS,
    "public_complaints.complaint_rate": PUBLIC,
    "complaint_followup.complaint_extend": MANAGERS,
    "complaint_followup.complaint_callback": MANAGERS,
    # The working-day calendar is the installation's: administrators only.
    "complaint_calendar.calendar_list": ADMIN,
    "complaint_calendar.calendar_new": ADMIN,
    "complaint_calendar.calendar_remove": ADMIN,
}


def url_args(world, db):
    from tests.complaints.helpers import new_complaint
    from charity.complaints import services
    from charity.core.system import system_actor

    complaint = new_complaint(db, world["org"])
    services.accept(system_actor(), db, complaint)
    services.dispatch(system_actor(), db, complaint, point_id=world["point"].id)
    from charity.complaints.models import CalendarEntry, CalendarKind
    import datetime as dt
    entry = CalendarEntry(kind=CalendarKind.HOLIDAY, name="测试", first_day=dt.date(2031, 1, 1),
                          last_day=dt.date(2031, 1, 1))
    db.add(entry)
    db.commit()
    return {"complaint_id": complaint.id, "category_id": complaint.category_id,
            "entry_id": entry.id}
