"""Volunteers, their shifts at points, hours and participation."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.people.models import ServiceType, Shift, Volunteer


def create_volunteer(actor, session: Session, organization, data: dict) -> Volunteer:
    require(actor, "volunteers.manage", organization)
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed(_l("This field is required."), field="name")
    types = []
    for t in data.get("service_types") or []:
        try:
            types.append(ServiceType(t).value)
        except ValueError:
            raise ValidationFailed(_l("Unknown service type."), field="service_types") from None
    v = Volunteer(organization_id=organization.id, name=name,
                  phone=(data.get("phone") or "").strip()[:50],
                  community=(data.get("community") or "").strip()[:100],
                  party_member=bool(data.get("party_member")), service_types=sorted(set(types)),
                  user_id=data.get("user_id"))
    session.add(v)
    session.flush()
    record(session, actor, "volunteer.create", v, {"community": v.community})
    return v


def sign_in(actor, session: Session, volunteer: Volunteer, point, service_type: str,
            at: dt.datetime | None = None) -> Shift:
    """Start a shift. A volunteer has at most one open shift."""
    require(actor, "volunteers.shift", point if point is not None else volunteer)
    if not volunteer.active or (point is not None
                                and point.organization_id != volunteer.organization_id):
        raise ValidationFailed(_l("This volunteer cannot sign in here."), field="volunteer_id")
    try:
        stype = ServiceType(service_type)
    except ValueError:
        raise ValidationFailed(_l("Choose the service."), field="service_type") from None
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
    from charity.orgs.models import CharityPoint

    point = session.get(CharityPoint, shift.point_id) if shift.point_id else None
    require(actor, "volunteers.shift", point if point is not None else shift.volunteer)
    if shift.signed_out_at is not None:
        raise ValidationFailed(_l("Already signed out."))
    at = at or utcnow()
    if at <= shift.signed_in_at:
        raise ValidationFailed(_l("Sign-out must be after sign-in."))
    if at - shift.signed_in_at > dt.timedelta(hours=16):
        raise ValidationFailed(_l("A shift longer than 16 hours looks wrong; ask a manager."))
    shift.signed_out_at = at
    record(session, actor, "shift.sign_out", shift,
           {"volunteer_id": shift.volunteer_id, "point_id": shift.point_id},
           organization_id=shift.volunteer.organization_id)
    session.flush()
    return shift


def hours_by_volunteer(session: Session, organization_id: int, start: dt.datetime,
                       end: dt.datetime) -> list[tuple[Volunteer, Decimal]]:
    """Service hours of each volunteer in [start, end), from closed shifts."""
    shifts = session.execute(sa.select(Shift, Volunteer).join(Volunteer).where(
        Volunteer.organization_id == organization_id, Shift.signed_out_at.is_not(None),
        Shift.signed_in_at >= start, Shift.signed_in_at < end)).all()
    totals: dict[int, tuple[Volunteer, Decimal]] = {}
    for shift, vol in shifts:
        hours = Decimal(str(shift.hours))
        prev = totals.get(vol.id, (vol, Decimal("0")))[1]
        totals[vol.id] = (vol, prev + hours)
    return sorted(totals.values(), key=lambda t: -t[1])


def participation_rate(session: Session, organization_id: int, year: int,
                       community: str | None = None, party_members_only: bool = True
                       ) -> tuple[int, int]:
    """(volunteered this year, registered) among a group — e.g. a community's party members,
    for the seed's 90 % target."""
    from zoneinfo import ZoneInfo

    from charity.orgs.models import Organization

    # The year in the organisation's time zone: a shift at 07:00 on 1 January in Lanzhou
    # is 23:00 on 31 December in UTC.
    org = session.get(Organization, organization_id)
    tz = ZoneInfo(org.timezone if org else "Asia/Shanghai")
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    group = sa.select(Volunteer.id).where(Volunteer.organization_id == organization_id,
                                          Volunteer.active.is_(True))
    if community:
        group = group.where(Volunteer.community == community)
    if party_members_only:
        group = group.where(Volunteer.party_member.is_(True))
    total = session.scalar(sa.select(sa.func.count()).select_from(group.subquery()))
    served = session.scalar(sa.select(sa.func.count(sa.distinct(Shift.volunteer_id))).where(
        Shift.volunteer_id.in_(group), Shift.signed_in_at >= start, Shift.signed_in_at < end))
    return int(served or 0), int(total or 0)
