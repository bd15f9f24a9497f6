"""Complaints: the public form, tracking and statistics are open; staff see work orders
(volunteers only those dispatched to them or their points — the matrix complaint is
dispatched to the volunteer's point); managers take the steps and keep the categories;
volunteers record handling; contact details and attachments are for readers."""
from tests.auth.policies.common import MANAGERS, PUBLIC, READERS, STAFF, WORKERS

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
}


def url_args(world, db):
    from tests.complaints.helpers import new_complaint
    from charity.complaints import services
    from charity.core.system import system_actor

    complaint = new_complaint(db, world["org"])
    services.accept(system_actor(), db, complaint)
    services.dispatch(system_actor(), db, complaint, point_id=world["point"].id)
    db.commit()
    return {"complaint_id": complaint.id, "category_id": complaint.category_id}
