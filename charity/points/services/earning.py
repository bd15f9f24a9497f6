"""Earning points for hours of service: the organisation's dated terms and the manager's
review of each signed-out shift. Approved hours earn at the rate in force on the day the
shift began; a later rate change never touches them."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today, today_in
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.disclosure.rules import add_months
from charity.orgs.models import Organization
from charity.people.models import Shift, Volunteer
from charity.points.models import EntryKind, HoursReview, PointsRate, ReviewStatus
from charity.points.services.ledger import account_of, post

DEFAULT_EXPIRY_MONTHS = 24


def terms_on(session: Session, organization_id: int, day: dt.date) -> PointsRate | None:
    """The terms in force on `day` (the latest that started on or before it), or None."""
    return session.scalar(sa.select(PointsRate).where(
        PointsRate.organization_id == organization_id, PointsRate.effective_from <= day)
        .order_by(PointsRate.effective_from.desc()).limit(1))


def expiry_of(session: Session, organization_id: int, day: dt.date) -> dt.date:
    """When points credited on `day` expire (Civil Code month arithmetic)."""
    terms = terms_on(session, organization_id, day)
    return add_months(day, terms.expiry_months if terms else DEFAULT_EXPIRY_MONTHS)


def _whole(raw, field: str, low: int, high: int) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise ValidationFailed(_l("Enter a whole number from %(low)d to %(high)d.",
                                  low=low, high=high), field=field)
    return value


def set_terms(actor, session: Session, org: Organization, data: dict,
              today: dt.date | None = None) -> PointsRate:
    """Set the points per hour and the expiry months from a day on (today or later: a rate
    is never changed for hours already served)."""
    require(actor, "timebank.manage", org)
    today = today or org_today(org)
    start = data.get("effective_from") or today
    if not isinstance(start, dt.date) or start < today:
        raise ValidationFailed(_l("A new rate starts today or later, never in the past."),
                               field="effective_from")
    if session.scalar(sa.select(PointsRate.id).where(PointsRate.organization_id == org.id,
                                                     PointsRate.effective_from == start)):
        raise ValidationFailed(_l("A rate already starts on that day."),
                               field="effective_from")
    terms = PointsRate(organization_id=org.id, effective_from=start,
                       points_per_hour=_whole(data.get("points_per_hour"),
                                              "points_per_hour", 0, 1000),
                       expiry_months=_whole(data.get("expiry_months") or
                                            DEFAULT_EXPIRY_MONTHS, "expiry_months", 1, 120),
                       set_by_id=getattr(actor, "id", None))
    session.add(terms)
    session.flush()
    record(session, actor, "points.terms", terms,
           {"points_per_hour": terms.points_per_hour, "expiry_months": terms.expiry_months,
            "effective_from": start.isoformat()})
    return terms


def shift_hours(shift: Shift) -> Decimal:
    """The shift's hours from its two stamps, to the hundredth."""
    seconds = Decimal(int((shift.signed_out_at - shift.signed_in_at).total_seconds()))
    return (seconds / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def review_hours(actor, session: Session, shift: Shift, approve: bool, reason: str = ""
                 ) -> HoursReview:
    """Approve a signed-out shift's hours (they earn points now, at the rate in force on the
    day the shift began) or reject them with a reason. Each shift is reviewed once."""
    volunteer = session.get(Volunteer, shift.volunteer_id)
    org = session.get(Organization, volunteer.organization_id)
    require(actor, "timebank.manage", org)
    if shift.signed_out_at is None:
        raise ValidationFailed(_l("The volunteer has not signed out of this shift yet."))
    if session.scalar(sa.select(HoursReview.id).where(HoursReview.shift_id == shift.id)):
        raise ValidationFailed(_l("These hours were already reviewed."))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationFailed(_l("Say why the hours are rejected."), field="reason")
    hours = shift_hours(shift)
    served_on = today_in(getattr(org, "timezone", None), shift.signed_in_at)
    terms = terms_on(session, org.id, served_on)
    rate = terms.points_per_hour if terms and approve else 0
    points = int(hours * rate)  # whole points, rounded down
    review = HoursReview(shift_id=shift.id, hours=hours, points_per_hour=rate, points=points,
                         status=ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED,
                         reason=reason[:300], reviewed_by_id=getattr(actor, "id", None))
    session.add(review)
    session.flush()
    if points:
        # Credited today; the expiry counts from the day the hours were served.
        post(session, account_of(session, org.id, volunteer_id=volunteer.id), EntryKind.EARN,
             points, actor=actor, day=org_today(org), document=("hours_review", review.id),
             expires_on=expiry_of(session, org.id, served_on))
    record(session, actor, f"hours.{review.status.value}", review,
           {"shift_id": shift.id, "volunteer_id": volunteer.id, "hours": str(hours),
            "points": points}, organization_id=org.id)
    return review


def set_consent(actor, session: Session, volunteer: Volunteer, publish: bool):
    """The volunteer agrees (or no longer agrees) to be named in the public thanks; only
    the volunteer themself decides."""
    require(actor, "timebank.own", volunteer)
    if volunteer.user_id is None or volunteer.user_id != getattr(actor, "id", None):
        raise ValidationFailed(_l("Only the volunteer can give this consent."))
    account = account_of(session, volunteer.organization_id, volunteer_id=volunteer.id)
    account.publish_name = bool(publish)
    record(session, actor, "points.consent", account, {"publish_name": account.publish_name})
    session.flush()
    return account


def adjust(actor, session: Session, volunteer: Volunteer, points, reason: str,
           today: dt.date | None = None):
    """A manager's correction of a volunteer's points (±), with the reason on the entry;
    never below zero. Posted entries are never edited: this is how a mistake is put right."""
    org = session.get(Organization, volunteer.organization_id)
    require(actor, "timebank.manage", org)
    amount = _whole(points, "points", -100000, 100000)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Say why the points are adjusted."), field="reason")
    today = today or org_today(org)
    entry = post(session, account_of(session, org.id, volunteer_id=volunteer.id),
                 EntryKind.ADJUST, amount, actor=actor, day=today, reason=reason,
                 expires_on=expiry_of(session, org.id, today) if amount > 0 else None)
    record(session, actor, "points.adjust", entry,
           {"volunteer_id": volunteer.id, "points": amount}, organization_id=org.id)
    return entry
