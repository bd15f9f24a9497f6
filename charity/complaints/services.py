"""Complaints: public submission, complaints staff record, and the work order's steps.

Submission (no sign-in) is checked, rate-limited per address (counted in the database, so
it holds across all app processes) and given a random tracking number. Complaints received
by the hotline (热线) or as a grid centre's work order (网格工单) are recorded by staff, so
they are handled, tracked and counted like the others. The steps accept → dispatch → handle
→ answer → close each stamp who and when; any other order is refused with a DomainError.
Contact details are never put into the audit log.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.models import User
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.complaints import rules
from charity.complaints.calendar import load_calendar
from charity.complaints.categories import public_category
from charity.complaints.models import Complaint, ComplaintCategory, ComplaintStatus as S
# find_by_tracking_no and overdue_clause are read-side; they stay importable from here.
from charity.complaints.queries import (find_by_tracking_no, overdue_clause,  # noqa: F401
                                        visible_to)
from charity.core.db import utcnow
from charity.core.errors import DomainError, PermissionDenied, ValidationFailed
from charity.funds.uploads import FileStore, Upload, check_upload
from charity.core.i18n import _l
from charity.orgs.models import CharityPoint

MAX_DESCRIPTION = 5000
OLDEST_DAYS = 366  # a complaint received longer ago than this is a typing mistake


class RateLimited(DomainError):
    """Too many complaints from one address within the window."""


def _text(data: dict, key: str, limit: int, required_message=None) -> str:
    value = (data.get(key) or "").strip()
    if required_message is not None and not value:
        raise ValidationFailed(required_message, field=key)
    if len(value) > limit:
        raise ValidationFailed(_l("At most %(n)d characters.", n=limit), field=key)
    return value


def recent_from_address(session: Session, address_hash: str, now: dt.datetime) -> int:
    return session.scalar(sa.select(sa.func.count(Complaint.id)).where(
        Complaint.address_hash == address_hash,
        Complaint.submitted_at > now - rules.RATE_WINDOW)) or 0


def submit_complaint(session: Session, org, data: dict, *, address_hash: str | None,
                     upload: Upload | None = None, store: FileStore | None = None,
                     max_bytes: int = 10 * 1024 * 1024, limit: int = rules.RATE_LIMIT,
                     now: dt.datetime | None = None) -> Complaint:
    """File a complaint from the public form; returns it with its tracking number.

    Refuses (nothing written, no file staged) a missing subject or description, a category
    the organisation does not offer, an e-mail without "@", an attachment that is not a PDF,
    JPEG or PNG by content or is larger than `max_bytes`, and — as RateLimited — the
    (limit+1)-th complaint from the same address within the rate window.
    """
    now = now or utcnow()
    if address_hash and recent_from_address(session, address_hash, now) >= limit:
        raise RateLimited(_l("We have received several complaints from your network in the "
                             "last hour. Please try again later, or call us."))
    if not org.active:
        raise ValidationFailed(_l("Choose an organisation."), field="organization_id")
    category = public_category(session, org, data.get("category") or "")
    subject = _text(data, "subject", 200, _l("Give your complaint a short subject."))
    description = _text(data, "description", MAX_DESCRIPTION,
                        _l("Describe what happened."))
    contact = {key: _text(data, key, limit) for key, limit in
               (("contact_name", 100), ("contact_phone", 50), ("contact_email", 200))}
    if contact["contact_email"] and "@" not in contact["contact_email"]:
        raise ValidationFailed(_l("This is not an e-mail address."), field="contact_email")
    checked = check_upload(upload, max_bytes, field="attachment") if upload else None
    if checked is not None and store is None:
        raise ValueError("submit_complaint needs a FileStore to keep the attachment")
    submitted_on = org_today(org, now)
    complaint = Complaint(
        organization_id=org.id, category_id=category.id, subject=subject,
        description=description, address_hash=address_hash, status=S.SUBMITTED,
        submitted_at=now, submitted_on=submitted_on, tracking_no=_unique_number(session),
        **contact, **rules.deadlines(submitted_on, load_calendar(session), category))
    if checked is not None:
        complaint.attachment_stored_name = FileStore.new_name()
        complaint.attachment_name = checked.original_name
        complaint.attachment_mime = checked.mime
        complaint.attachment_size = checked.size
        complaint.attachment_sha256 = checked.sha256
    session.add(complaint)
    session.flush()
    if checked is not None:
        # Last: the disk is only touched once the database accepted the row.
        store.stage(complaint.attachment_stored_name, checked.data)
    return complaint


def _unique_number(session: Session) -> str:
    for _ in range(20):
        number = rules.new_tracking_no()
        if session.scalar(sa.select(Complaint.id).where(Complaint.tracking_no == number)) is None:
            return number
    raise RuntimeError("no free tracking number found")  # 31^12 numbers: practically never


# --- complaints staff record (hotline, grid-centre work orders) -------------------------------

def record_complaint(actor, session: Session, org, data: dict,
                     now: dt.datetime | None = None) -> Complaint:
    """Record a complaint received by phone or from the grid centre on `received_on` (today
    when empty; never in the future or more than a year back), in any active category of the
    organisation. Its deadlines count from the day it was received. Refuses, with nothing
    written, a missing title or description or a category of another organisation. The
    caller's contact notes stay private and out of the audit log."""
    require(actor, "complaints.manage", org)
    now = now or utcnow()
    today = org_today(org, now)
    received_on = data.get("received_on") or today
    if received_on > today:
        raise ValidationFailed(_l("The date cannot be in the future."), field="received_on")
    if received_on < today - dt.timedelta(days=OLDEST_DAYS):
        raise ValidationFailed(_l("The date is more than a year ago."), field="received_on")
    category = session.scalar(sa.select(ComplaintCategory).where(
        ComplaintCategory.id == _int(data.get("category_id")),
        ComplaintCategory.organization_id == org.id, ComplaintCategory.active.is_(True)))
    if category is None:
        raise ValidationFailed(_l("Choose a category."), field="category_id")
    subject = _text(data, "subject", 200, _l("Give the complaint a short title."))
    description = _text(data, "description", MAX_DESCRIPTION, _l("Describe what happened."))
    contact = {key: _text(data, key, limit) for key, limit in
               (("contact_name", 100), ("contact_phone", 50))}
    complaint = Complaint(
        organization_id=org.id, category_id=category.id, subject=subject,
        description=description, status=S.SUBMITTED, submitted_at=now,
        submitted_on=received_on, tracking_no=_unique_number(session), **contact,
        **rules.deadlines(received_on, load_calendar(session), category))
    session.add(complaint)
    session.flush()
    record(session, actor, "complaint.record", complaint,
           {"category": category.name, "channel": category.channel.value,
            "received_on": received_on.isoformat()})
    return complaint


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


# --- the steps -------------------------------------------------------------------------------

AUDIT_ACTIONS = {S.ACCEPTED: "complaint.accept", S.DISPATCHED: "complaint.dispatch",
                 S.HANDLED: "complaint.handle", S.ANSWERED: "complaint.answer",
                 S.CLOSED: "complaint.close"}


def _step(actor, session: Session, complaint: Complaint, step: S, now: dt.datetime | None,
          audit: dict | None = None, **fields) -> Complaint:
    """Take `step`: check who may and that it is the next one, stamp who and when, set
    `fields` on the complaint and log it (with `audit` as the logged changes)."""
    require(actor, rules.STEP_PERMISSIONS[step], complaint)
    if not visible_to(actor, complaint):
        raise PermissionDenied(_l("You are not allowed to do this."))
    if rules.next_step(complaint.status) != step:
        raise DomainError(_l("This step is not possible now: the complaint is “%(status)s”.",
                             status=rules.STATUS_LABELS[complaint.status]))
    at_column, by_column = rules.STAMPS[step]
    setattr(complaint, at_column, now or utcnow())
    setattr(complaint, by_column, getattr(actor, "id", None))
    complaint.status = step
    for name, value in fields.items():
        setattr(complaint, name, value)
    record(session, actor, AUDIT_ACTIONS[step], complaint, audit)
    session.flush()
    return complaint


def _required(text: str | None, message) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(message, field="note")
    return text


def accept(actor, session: Session, complaint: Complaint, now=None) -> Complaint:
    """submitted → accepted."""
    return _step(actor, session, complaint, S.ACCEPTED, now)


def dispatch(actor, session: Session, complaint: Complaint, *, user_id: int | None = None,
             point_id: int | None = None, note: str = "", now=None) -> Complaint:
    """accepted → dispatched to exactly one active person or charity point of the
    complaint's organisation."""
    if bool(user_id) == bool(point_id):
        raise ValidationFailed(_l("Dispatch to a person or to a charity point (one of them)."),
                               field="target")
    target = session.get(User, user_id) if user_id else session.get(CharityPoint, point_id)
    if (target is None or not target.active
            or target.organization_id != complaint.organization_id):
        raise ValidationFailed(_l("Choose a person of this organisation.") if user_id else
                               _l("Choose a charity point of this organisation."),
                               field="target")
    assigned = {"assignee_id": user_id or None, "point_id": point_id or None}
    return _step(actor, session, complaint, S.DISPATCHED, now, audit=assigned, **assigned,
                 dispatch_note=(note or "").strip()[:2000])


def handle(actor, session: Session, complaint: Complaint, note: str, now=None) -> Complaint:
    """dispatched → handled, with what was done (by the person or point it went to, or a
    manager)."""
    note = _required(note, _l("Say what was done."))
    return _step(actor, session, complaint, S.HANDLED, now,
                 handling_note=note[:MAX_DESCRIPTION])


def answer(actor, session: Session, complaint: Complaint, text: str, now=None) -> Complaint:
    """handled → answered; the answer is shown on the public tracking page."""
    text = _required(text, _l("Write the answer to the complainant."))
    return _step(actor, session, complaint, S.ANSWERED, now, answer=text[:MAX_DESCRIPTION])


def close(actor, session: Session, complaint: Complaint, now=None) -> Complaint:
    """answered → closed."""
    return _step(actor, session, complaint, S.CLOSED, now)


STEP_FUNCTIONS = {S.ACCEPTED: accept, S.DISPATCHED: dispatch, S.HANDLED: handle,
                  S.ANSWERED: answer, S.CLOSED: close}
