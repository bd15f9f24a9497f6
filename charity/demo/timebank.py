"""The demo's time bank: the organisation's rate (10 points an hour, 24 months), the demo
volunteer account linked to a volunteer profile, and the older half of the recorded shifts
approved by the manager (the rest wait on the manager's page)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.auth.models import User
from charity.core.roles import Role
from charity.core.system import system_actor
from charity.people import volunteers
from charity.people.models import Shift, Volunteer
from charity.points.models import PointsRate
from charity.points.services import earning


def load_timebank_demo(session: Session, org) -> None:
    if session.scalar(sa.select(PointsRate.id).where(PointsRate.organization_id == org.id)
                      .limit(1)):
        return  # loaded already
    actor = system_actor()
    shifts = list(session.scalars(
        sa.select(Shift).join(Volunteer).where(Volunteer.organization_id == org.id,
                                               Shift.signed_out_at.is_not(None))
        .order_by(Shift.signed_in_at, Shift.id)))
    first_day = min((s.signed_in_at.date() for s in shifts), default=None)
    if first_day is not None:
        # The rate as it was set before the first recorded shift (the demo replays history).
        earning.set_terms(actor, session, org, {"points_per_hour": 10, "expiry_months": 24,
                                                "effective_from": first_day}, today=first_day)
    user = session.scalar(sa.select(User).where(User.organization_id == org.id,
                                                User.role == Role.VOLUNTEER)
                          .order_by(User.id).limit(1))
    linked = user is not None and session.scalar(
        sa.select(Volunteer.id).where(Volunteer.user_id == user.id))
    if user is not None and not linked:
        volunteers.create_volunteer(actor, session, org, {
            "name": user.display_name, "community": "张掖路社区", "user_id": user.id,
            "service_types": ["supermarket"]})
    for shift in shifts[: len(shifts) // 2]:
        earning.review_hours(actor, session, shift, approve=True)
    session.flush()
