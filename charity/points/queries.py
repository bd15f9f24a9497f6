"""The time bank as the screens read it: a volunteer's own figures, the hours waiting for a
manager, the terms in force, and the public monthly figures (aggregates only)."""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from charity.disclosure.rules import add_months
from charity.people.models import Shift, Volunteer
from charity.portal.queries.figures import months_between
from charity.points.models import (EntryKind, HoursReview, PointsAccount, PointsLedgerEntry,
                                   PointsRate, ReviewStatus)
from charity.points.services.earning import shift_hours
from charity.points.services.expiry import NOTICE_MONTHS, expiring_soon

ZERO = Decimal("0")
RECENT = 20


@dataclass
class Summary:
    """What a volunteer's own page shows."""
    account: PointsAccount | None
    balance: int = 0
    earned: int = 0
    spent: int = 0
    given: int = 0
    expired: int = 0
    approved_hours: Decimal = ZERO
    pending_hours: Decimal = ZERO
    expiring: int = 0
    expiring_by: dt.date | None = None
    recent: list[PointsLedgerEntry] = field(default_factory=list)


def _account(session: Session, volunteer_id: int) -> PointsAccount | None:
    return session.scalar(sa.select(PointsAccount)
                          .where(PointsAccount.volunteer_id == volunteer_id))


def summary(session: Session, volunteer: Volunteer, today: dt.date) -> Summary:
    """Balance, points earned / spent / given / expired (from the ledger rows), approved and
    pending hours, and what expires within the notice period."""
    account = _account(session, volunteer.id)
    out = Summary(account, expiring_by=add_months(today, NOTICE_MONTHS))
    if account is not None:
        totals = dict(session.execute(
            sa.select(PointsLedgerEntry.kind, sa.func.sum(PointsLedgerEntry.amount))
            .where(PointsLedgerEntry.account_id == account.id)
            .group_by(PointsLedgerEntry.kind)).all())
        out.balance = account.balance
        out.earned = int(totals.get(EntryKind.EARN, 0))
        out.spent = -int(totals.get(EntryKind.SPEND, 0))
        out.given = -int(totals.get(EntryKind.GIVE, 0))
        out.expired = -int(totals.get(EntryKind.EXPIRE, 0))
        out.expiring = expiring_soon(session, account, today)
        out.recent = list(session.scalars(
            sa.select(PointsLedgerEntry).where(PointsLedgerEntry.account_id == account.id)
            .order_by(PointsLedgerEntry.id.desc()).limit(RECENT)))
    for shift, status in session.execute(
            sa.select(Shift, HoursReview.status).outerjoin(HoursReview)
            .where(Shift.volunteer_id == volunteer.id, Shift.signed_out_at.is_not(None))):
        if status == ReviewStatus.APPROVED:
            out.approved_hours += shift_hours(shift)
        elif status is None:
            out.pending_hours += shift_hours(shift)
    return out


@dataclass
class Pending:
    shift: Shift
    hours: Decimal
    rate: int


def pending_reviews(session: Session, org, limit: int = 100) -> list[Pending]:
    """Signed-out shifts of the organisation's volunteers no manager has reviewed yet,
    oldest first, with the rate they would earn at."""
    tz = ZoneInfo(getattr(org, "timezone", None) or "Asia/Shanghai")
    shifts = session.scalars(
        sa.select(Shift).join(Volunteer).outerjoin(HoursReview)
        .where(Volunteer.organization_id == org.id, Shift.signed_out_at.is_not(None),
               HoursReview.id.is_(None))
        .options(contains_eager(Shift.volunteer))
        .order_by(Shift.signed_in_at, Shift.id).limit(limit)).all()
    # The organisation's terms read once (a handful of rows), not once per shift: the rate
    # of a day is that of the latest terms in force on it, as `terms_on` picks it.
    rates = session.execute(sa.select(PointsRate.effective_from, PointsRate.points_per_hour)
                            .where(PointsRate.organization_id == org.id)
                            .order_by(PointsRate.effective_from, PointsRate.id)).all()
    starts = [row.effective_from for row in rates]
    out = []
    for shift in shifts:
        i = bisect_right(starts, shift.signed_in_at.astimezone(tz).date())
        out.append(Pending(shift, shift_hours(shift), rates[i - 1].points_per_hour if i else 0))
    return out


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date  # the first day
    hours: Decimal
    points_redeemed: int


def _month(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def public_months(session: Session, first: dt.date, last: dt.date,
                  organization_id: int | None = None) -> list[MonthFigures]:
    """Per month from `first` to `last`: approved hours served (by the day the shift began,
    in China's time) and points spent at the counter. Counts only, no names."""
    hours: dict[dt.date, Decimal] = {}
    tz = ZoneInfo("Asia/Shanghai")
    stmt = (sa.select(Shift.signed_in_at, HoursReview.hours).join(HoursReview)
            .join(Volunteer).where(HoursReview.status == ReviewStatus.APPROVED,
                                   Shift.signed_in_at >= dt.datetime.combine(
                                       first - dt.timedelta(days=1), dt.time(), dt.timezone.utc)))
    redeemed_stmt = (sa.select(PointsLedgerEntry.entry_date,
                               sa.func.sum(PointsLedgerEntry.amount))
                     .join(PointsAccount, PointsAccount.id == PointsLedgerEntry.account_id)
                     .where(PointsLedgerEntry.kind == EntryKind.SPEND,
                            PointsLedgerEntry.entry_date >= first,
                            PointsLedgerEntry.entry_date <= last)
                     .group_by(PointsLedgerEntry.entry_date))
    if organization_id is not None:
        stmt = stmt.where(Volunteer.organization_id == organization_id)
        redeemed_stmt = redeemed_stmt.where(PointsAccount.organization_id == organization_id)
    for began, served in session.execute(stmt):
        day = began.astimezone(tz).date()
        if first <= day <= last:
            hours[_month(day)] = hours.get(_month(day), ZERO) + Decimal(served)
    redeemed: dict[dt.date, int] = {}
    for day, amount in session.execute(redeemed_stmt):
        redeemed[_month(day)] = redeemed.get(_month(day), 0) - int(amount)
    return [MonthFigures(m, hours.get(m, ZERO), redeemed.get(m, 0))
            for m in months_between(first, last)]


def thanked_volunteers(session: Session, organization_id: int | None = None) -> list[str]:
    """Names of the volunteers who agreed to be named, with points earned (no one else)."""
    stmt = (sa.select(Volunteer.name).join(PointsAccount,
                                           PointsAccount.volunteer_id == Volunteer.id)
            .where(PointsAccount.publish_name.is_(True)).order_by(Volunteer.name))
    if organization_id is not None:
        stmt = stmt.where(Volunteer.organization_id == organization_id)
    return list(session.scalars(stmt))


def certified_households(session: Session, organization_id: int, today: dt.date,
                         limit: int = 500):
    """(id, "name · community") of the organisation's certified households, by name: whom a
    volunteer may give points to (names only, never phone, ID or address)."""
    from charity.people.models import Beneficiary

    rows = session.execute(
        sa.select(Beneficiary.id, Beneficiary.name, Beneficiary.community)
        .where(Beneficiary.organization_id == organization_id,
               Beneficiary.active.is_(True), Beneficiary.erased_at.is_(None),
               Beneficiary.certified_until >= today)
        .order_by(Beneficiary.name, Beneficiary.id).limit(limit))
    return [(i, f"{name} · {community}" if community else name)
            for i, name, community in rows]


def org_volunteers(session: Session, organization_id: int) -> list[Volunteer]:
    """The organisation's active volunteers, by name (whom the counter may serve)."""
    return list(session.scalars(sa.select(Volunteer).where(
        Volunteer.organization_id == organization_id, Volunteer.active.is_(True))
        .order_by(Volunteer.name, Volunteer.id)))


def public_payload(session: Session, year: int, today: dt.date,
                   organization_id: int | None = None) -> dict:
    """The stats API's time-bank answer: per month of `year` (up to today) the approved hours
    served and the points redeemed, and the volunteers who agreed to be named."""
    first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    months = public_months(session, first, last, organization_id) if first <= last else []
    return {"data": {"year": year, "months": [
                {"month": f"{m.month:%Y-%m}", "hours": f"{m.hours:.2f}",
                 "points_redeemed": m.points_redeemed} for m in months],
                     "volunteers_named": thanked_volunteers(session, organization_id)},
            "meta": {"year": year, "organization": organization_id}}
