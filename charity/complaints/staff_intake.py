"""Complaints that reach staff outside the public form: by the hotline (热线) or as a grid
centre's work order (网格工单). Staff record them here so that they are handled, tracked and
counted like the others — the grid-centre statistics come from these."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.complaints import rules
from charity.complaints.models import Complaint, ComplaintCategory, ComplaintStatus as S
from charity.complaints.services import MAX_DESCRIPTION, _text, _unique_number
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l

OLDEST_DAYS = 366  # a complaint received longer ago than this is a typing mistake


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
        **rules.deadlines(received_on))
    session.add(complaint)
    session.flush()
    record(session, actor, "complaint.record", complaint,
           {"category": category.name, "channel": category.channel.value,
            "received_on": received_on.isoformat()})
    return complaint


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None
