"""What staff do to obligations: write the narrative in advance, ask for publication now."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.disclosure.models import Narrative, Obligation
from charity.disclosure.publishing import not_publishable_reason
from charity.disclosure.queries import publishable_period
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.orgs.models import Organization


def save_narrative(actor, session: Session, ob: Obligation, text: str) -> Narrative:
    """Store the progress text that goes into the report; frozen once it is published."""
    require(actor, "disclosure.narrative", ob)
    if ob.published_on is not None:
        raise ValidationFailed(_l("This disclosure is published; its text can no longer change."))
    narrative = session.scalar(sa.select(Narrative).where(
        Narrative.subject_type == ob.subject_type, Narrative.subject_id == ob.subject_id,
        Narrative.kind == ob.kind, Narrative.seq == ob.seq))
    if narrative is None:
        narrative = Narrative(subject_type=ob.subject_type, subject_id=ob.subject_id,
                              kind=ob.kind, seq=ob.seq)
        session.add(narrative)
    narrative.text = (text or "").strip()
    narrative.updated_by_id = getattr(actor, "id", None)
    narrative.updated_at = utcnow()
    record(session, actor, "disclosure.narrative", ob)
    session.flush()
    return narrative


def request_publication(actor, session: Session, ob: Obligation,
                        today: dt.date | None = None) -> bool:
    """Queue `ob` for the scheduler ("publish now"). False if it is already published;
    refused when it could not be published today (see `publishable_period`)."""
    require(actor, "disclosure.publish", ob)
    if ob.published_on is not None:
        return False
    today = today or org_today(session.get(Organization, ob.organization_id))
    if publishable_period(ob, today) is None:
        raise ValidationFailed(not_publishable_reason(ob.kind))
    ob.publish_requested_at = utcnow()
    ob.publish_requested_by_id = getattr(actor, "id", None)
    record(session, actor, "disclosure.publish_request", ob)
    session.flush()
    return True
