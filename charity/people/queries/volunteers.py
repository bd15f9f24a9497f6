"""Volunteers as the screens read them: the filtered list, the accounts a profile may link,
the sign-in board of a point, service hours per month and party members' participation."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.auth.models import User
from charity.auth.permissions import scope_organizations
from charity.core.clock import org_today
from charity.core.db import contains
from charity.core.extensions import db
from charity.orgs.models import Organization
from charity.people.models import ServiceType, Shift, Volunteer

DEFAULT_TZ = "Asia/Shanghai"
# The seed article: 90 % of community party members and cadres volunteer.
PARTICIPATION_TARGET = Decimal("90")
MONTHS = range(1, 13)


def _tz(org) -> ZoneInfo:
    return ZoneInfo(getattr(org, "timezone", None) or DEFAULT_TZ)


# --- profiles --------------------------------------------------------------------------------

def volunteer_list(user, q: str, party: str, service_type: str):
    """The volunteers of the user's organisations matching `q` (name or community), party
    membership ('1', '0' or '' for all) and a service type ('' for all); active first."""
    stmt = scope_organizations(user, sa.select(Volunteer), Volunteer.organization_id)
    if q:
        stmt = stmt.where(sa.or_(contains(Volunteer.name, q), contains(Volunteer.community, q)))
    if party in ("1", "0"):
        stmt = stmt.where(Volunteer.party_member.is_(party == "1"))
    if service_type in {t.value for t in ServiceType}:
        # service_types is a JSON list of enum values; its text holds "value" in quotes.
        stmt = stmt.where(contains(sa.cast(Volunteer.service_types, sa.String),
                                   f'"{service_type}"'))
    return stmt.order_by(Volunteer.active.desc(), Volunteer.name, Volunteer.id)


def free_accounts(org, volunteer: Volunteer | None = None) -> list[User]:
    """Active accounts of `org` not linked to another volunteer than `volunteer`."""
    if org is None:
        return []
    taken = sa.select(Volunteer.user_id).where(Volunteer.user_id.is_not(None))
    if volunteer is not None:
        taken = taken.where(Volunteer.id != volunteer.id)
    return list(db.session.scalars(
        sa.select(User).where(User.organization_id == org.id, User.active.is_(True),
                              User.id.not_in(taken)).order_by(User.display_name)))


def own_volunteer_id(user) -> int | None:
    """The active volunteer profile linked to `user`'s account, if any."""
    return db.session.scalar(sa.select(Volunteer.id).where(
        Volunteer.user_id == user.id, Volunteer.active.is_(True)))


# --- the sign-in board -----------------------------------------------------------------------

@dataclass
class Board:
    """Who may sign in at a point, who is signed in now and who served there today."""
    volunteers: list[Volunteer] = field(default_factory=list)
    signed_in: set[int] = field(default_factory=set)  # volunteer ids with an open shift
    open_shifts: list[Shift] = field(default_factory=list)
    done_today: list[Shift] = field(default_factory=list)


def _day_start(org) -> dt.datetime:
    today = org_today(org)
    return dt.datetime(today.year, today.month, today.day, tzinfo=_tz(org))


def board(point) -> Board:
    if point is None:
        return Board()
    org_id = point.organization_id
    volunteers = list(db.session.scalars(
        sa.select(Volunteer).where(Volunteer.organization_id == org_id,
                                   Volunteer.active.is_(True))
        .order_by(Volunteer.name, Volunteer.id)))
    signed_in = set(db.session.scalars(
        sa.select(Shift.volunteer_id).where(Shift.signed_out_at.is_(None))
        .join(Volunteer).where(Volunteer.organization_id == org_id)))
    shifts = db.session.scalars(
        sa.select(Shift).where(Shift.point_id == point.id, sa.or_(
            Shift.signed_out_at.is_(None), Shift.signed_in_at >= _day_start(point.organization)))
        .options(selectinload(Shift.volunteer)).order_by(Shift.signed_in_at)).all()
    return Board(volunteers, signed_in, [s for s in shifts if s.signed_out_at is None],
                 [s for s in shifts if s.signed_out_at is not None])


# --- hours and participation -----------------------------------------------------------------

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


def _month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def hours_grid(org: Organization, year: int) -> tuple[list[dict], list[Decimal]]:
    """Each volunteer's hours in each month of `year` (the organisation's calendar), by
    name: rows {volunteer, months[12], total}, and the twelve month totals."""
    rows: dict[int, dict] = {}
    month_totals = [Decimal("0")] * 12
    for month in MONTHS:
        start, end = _month_bounds(year, month, _tz(org))
        for volunteer, total in hours_by_volunteer(db.session, org.id, start, end):
            row = rows.setdefault(volunteer.id, {"volunteer": volunteer,
                                                 "months": [Decimal("0")] * 12,
                                                 "total": Decimal("0")})
            row["months"][month - 1] += total
            row["total"] += total
            month_totals[month - 1] += total
    ordered = sorted(rows.values(), key=lambda r: (r["volunteer"].name, r["volunteer"].id))
    return ordered, month_totals


def participation_rate(session: Session, organization_id: int, year: int,
                       community: str | None = None, party_members_only: bool = True
                       ) -> tuple[int, int]:
    """(volunteered this year, registered) among a group — e.g. a community's party members,
    for the seed's 90 % target."""
    # The year in the organisation's time zone: a shift at 07:00 on 1 January in Lanzhou
    # is 23:00 on 31 December in UTC.
    tz = _tz(session.get(Organization, organization_id))
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


def share(served: int, total: int) -> Decimal | None:
    """served / total in per cent, to one decimal; None for an empty group."""
    if not total:
        return None
    return (Decimal(served * 100) / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def participation_by_community(org: Organization, year: int) -> tuple[list[dict], dict]:
    """Party members who served in `year`, per community and overall: rows and the total,
    each {community?, served, total, share}."""
    communities = list(db.session.scalars(
        sa.select(Volunteer.community).distinct().where(
            Volunteer.organization_id == org.id, Volunteer.active.is_(True),
            Volunteer.party_member.is_(True)).order_by(Volunteer.community)))
    served_all, total_all = participation_rate(db.session, org.id, year)
    rows = []
    for community in filter(None, communities):
        served, total = participation_rate(db.session, org.id, year, community=community)
        rows.append({"community": community, "served": served, "total": total})
    if "" in communities:
        # participation_rate has no filter for "no community": the rest of the total.
        rows.append({"community": "", "served": served_all - sum(r["served"] for r in rows),
                     "total": total_all - sum(r["total"] for r in rows)})
    for row in rows:
        row["share"] = share(row["served"], row["total"])
    return rows, {"served": served_all, "total": total_all, "share": share(served_all,
                                                                             total_all)}
