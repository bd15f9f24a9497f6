"""Complaints: public submission and the staff work order's steps.

Submission (no sign-in) is checked, rate-limited per address (counted in the database, so
it holds across all app processes) and given a random tracking number. The steps accept →
dispatch → handle → answer → close each stamp who and when; any other order is refused
with a DomainError. Contact details are never put into the audit log.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.models import User
from charity.auth.permissions import require
from charity.core.roles import Role
from charity.core.clock import org_today
from charity.complaints import rules
from charity.complaints.categories import public_category
from charity.complaints.models import Complaint, ComplaintStatus as S
from charity.core.db import utcnow
from charity.core.errors import DomainError, PermissionDenied, ValidationFailed
from charity.funds.uploads import FileStore, Upload, check_upload
from charity.core.i18n import _l
from charity.orgs.models import CharityPoint

MAX_DESCRIPTION = 5000


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
        **contact, **rules.deadlines(submitted_on))
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


def find_by_tracking_no(session: Session, text: str | None) -> Complaint | None:
    number = rules.normalize_tracking_no(text)
    if len(number) != rules.TRACKING_LENGTH:
        return None
    return session.scalar(sa.select(Complaint).where(Complaint.tracking_no == number))


# --- who sees what ---------------------------------------------------------------------------

def visible_to(user, complaint: Complaint) -> bool:
    """Admins: all; managers and auditors: their organisation's; volunteers: only those
    dispatched to them or to one of their points."""
    if user.role == Role.ADMIN:
        return True
    if complaint.organization_id != user.organization_id:
        return False
    if user.role == Role.VOLUNTEER:
        return (complaint.assignee_id == user.id
                or (complaint.point_id is not None and complaint.point_id in user.point_ids))
    return True


def scope_complaints(user, stmt):
    """Restrict a select() over Complaint to what `user` may see (see `visible_to`)."""
    if user.role == Role.ADMIN:
        return stmt
    stmt = stmt.where(Complaint.organization_id == user.organization_id)
    if user.role == Role.VOLUNTEER:
        stmt = stmt.where(sa.or_(Complaint.assignee_id == user.id,
                                 Complaint.point_id.in_(sorted(user.point_ids) or [-1])))
    return stmt


def overdue_clause(today: dt.date):
    """SQL: the step the complaint waits for is past its deadline."""
    return sa.or_(*[sa.and_(Complaint.status == state,
                            getattr(Complaint, rules.DUE_COLUMN[step]) < today)
                    for state, step in rules.NEXT.items() if step is not None])


# --- the steps -------------------------------------------------------------------------------

def _step(actor, session: Session, complaint: Complaint, step: S, permission: str,
          now: dt.datetime | None) -> None:
    require(actor, permission, complaint)
    if not visible_to(actor, complaint):
        raise PermissionDenied(_l("You are not allowed to do this."))
    if rules.next_step(complaint.status) != step:
        raise DomainError(_l("This step is not possible now: the complaint is “%(status)s”.",
                             status=rules.STATUS_LABELS[complaint.status]))
    at_column, by_column = rules.STAMPS[step]
    setattr(complaint, at_column, now or utcnow())
    setattr(complaint, by_column, getattr(actor, "id", None))
    complaint.status = step


def accept(actor, session: Session, complaint: Complaint, now=None) -> Complaint:
    """submitted → accepted."""
    _step(actor, session, complaint, S.ACCEPTED, "complaints.manage", now)
    record(session, actor, "complaint.accept", complaint)
    session.flush()
    return complaint


def dispatch(actor, session: Session, complaint: Complaint, *, user_id: int | None = None,
             point_id: int | None = None, note: str = "", now=None) -> Complaint:
    """accepted → dispatched to exactly one active person or charity point of the
    complaint's organisation."""
    if bool(user_id) == bool(point_id):
        raise ValidationFailed(_l("Dispatch to a person or to a charity point (one of them)."),
                               field="target")
    if user_id:
        target = session.get(User, user_id)
        if (target is None or not target.active
                or target.organization_id != complaint.organization_id):
            raise ValidationFailed(_l("Choose a person of this organisation."), field="target")
    else:
        target = session.get(CharityPoint, point_id)
        if (target is None or not target.active
                or target.organization_id != complaint.organization_id):
            raise ValidationFailed(_l("Choose a charity point of this organisation."),
                                   field="target")
    _step(actor, session, complaint, S.DISPATCHED, "complaints.manage", now)
    complaint.assignee_id = user_id or None
    complaint.point_id = point_id or None
    complaint.dispatch_note = (note or "").strip()[:2000]
    record(session, actor, "complaint.dispatch", complaint,
           {"assignee_id": complaint.assignee_id, "point_id": complaint.point_id})
    session.flush()
    return complaint


def handle(actor, session: Session, complaint: Complaint, note: str, now=None) -> Complaint:
    """dispatched → handled, with what was done (by the person or point it went to, or a
    manager)."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_l("Say what was done."), field="note")
    _step(actor, session, complaint, S.HANDLED, "complaints.handle", now)
    complaint.handling_note = note[:MAX_DESCRIPTION]
    record(session, actor, "complaint.handle", complaint)
    session.flush()
    return complaint


def answer(actor, session: Session, complaint: Complaint, text: str, now=None) -> Complaint:
    """handled → answered; the answer is shown on the public tracking page."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_l("Write the answer to the complainant."), field="note")
    _step(actor, session, complaint, S.ANSWERED, "complaints.manage", now)
    complaint.answer = text[:MAX_DESCRIPTION]
    record(session, actor, "complaint.answer", complaint)
    session.flush()
    return complaint


def close(actor, session: Session, complaint: Complaint, now=None) -> Complaint:
    """answered → closed."""
    _step(actor, session, complaint, S.CLOSED, "complaints.manage", now)
    record(session, actor, "complaint.close", complaint)
    session.flush()
    return complaint


STEP_FUNCTIONS = {S.ACCEPTED: accept, S.DISPATCHED: dispatch, S.HANDLED: handle,
                  S.ANSWERED: answer, S.CLOSED: close}
