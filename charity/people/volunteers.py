"""Volunteers and their shifts at points: profiles, signing in and out.

The read side (hours, participation, the sign-in board) is in charity.people.queries.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.audit.edits import create_audited, member, update_audited
from charity.auth.models import User
from charity.auth.permissions import require
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.orgs.models import CharityPoint
from charity.people.models import ServiceType, Shift, Volunteer

LONGEST_SHIFT = dt.timedelta(hours=16)


def _check_account(session: Session, org_id: int, user_id, volunteer_id: int | None) -> None:
    """A linked account belongs to the volunteer's organisation and to no other volunteer."""
    if user_id is None:
        return
    user = session.get(User, user_id)
    if user is None or user.organization_id != org_id:
        raise ValidationFailed(_l("Choose an account of this organisation."), field="user_id")
    other = session.scalar(sa.select(Volunteer.id).where(Volunteer.user_id == user_id,
                                                        Volunteer.id != (volunteer_id or -1)))
    if other is not None:
        raise ValidationFailed(_l("This account belongs to another volunteer."),
                               field="user_id")


def _profile(data: dict) -> dict:
    """The profile fields of `data`, checked: a name, known service types."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed(_l("This field is required."), field="name")
    types = [member(ServiceType, t, _l("Unknown service type."), "service_types").value
             for t in data.get("service_types") or []]
    return {"name": name, "phone": (data.get("phone") or "").strip()[:50],
            "community": (data.get("community") or "").strip()[:100],
            "party_member": bool(data.get("party_member")),
            "service_types": sorted(set(types)), "user_id": data.get("user_id")}


def create_volunteer(actor, session: Session, organization, data: dict) -> Volunteer:
    """Register a volunteer of `organization`, optionally linked to one of its accounts."""
    _check_account(session, organization.id, data.get("user_id"), None)
    require(actor, "volunteers.manage", organization)
    return create_audited(session, actor, Volunteer(organization_id=organization.id,
                                                    **_profile(data)),
                          "volunteer.create", lambda v: {"community": v.community})


def update_volunteer(actor, session: Session, volunteer: Volunteer, data: dict) -> Volunteer:
    """Change a volunteer's profile (and whether they are active)."""
    _check_account(session, volunteer.organization_id, data.get("user_id"), volunteer.id)
    require(actor, "volunteers.manage", volunteer)
    values = {**_profile(data), "active": bool(data.get("active", True))}
    update_audited(session, actor, volunteer, values, "volunteer.update", always=True)
    return volunteer


def sign_in(actor, session: Session, volunteer: Volunteer, point, service_type: str,
            at: dt.datetime | None = None) -> Shift:
    """Start a shift. A volunteer has at most one open shift."""
    require(actor, "volunteers.shift", point if point is not None else volunteer)
    if not volunteer.active or (point is not None
                                and point.organization_id != volunteer.organization_id):
        raise ValidationFailed(_l("This volunteer cannot sign in here."), field="volunteer_id")
    stype = member(ServiceType, service_type, _l("Choose the service."), "service_type")
    open_shift = session.scalar(sa.select(Shift.id).where(Shift.volunteer_id == volunteer.id,
                                                          Shift.signed_out_at.is_(None)))
    if open_shift:
        raise ValidationFailed(_l("This volunteer is already signed in."), field="volunteer_id")
    shift = Shift(volunteer_id=volunteer.id, point_id=point.id if point else None,
                  service_type=stype, signed_in_at=at or utcnow())
    session.add(shift)
    session.flush()
    record(session, actor, "shift.sign_in", shift,
           {"volunteer_id": volunteer.id, "point_id": shift.point_id,
            "service_type": stype.value}, organization_id=volunteer.organization_id)
    return shift


def sign_out(actor, session: Session, shift: Shift, at: dt.datetime | None = None) -> Shift:
    point = session.get(CharityPoint, shift.point_id) if shift.point_id else None
    require(actor, "volunteers.shift", point if point is not None else shift.volunteer)
    if shift.signed_out_at is not None:
        raise ValidationFailed(_l("Already signed out."))
    at = at or utcnow()
    if at <= shift.signed_in_at:
        raise ValidationFailed(_l("Sign-out must be after sign-in."))
    if at - shift.signed_in_at > LONGEST_SHIFT:
        raise ValidationFailed(_l("A shift longer than 16 hours looks wrong; ask a manager."))
    shift.signed_out_at = at
    record(session, actor, "shift.sign_out", shift,
           {"volunteer_id": shift.volunteer_id, "point_id": shift.point_id},
           organization_id=shift.volunteer.organization_id)
    session.flush()
    return shift
