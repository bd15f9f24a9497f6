"""What the public may read about micro-wishes.

Every query here selects the public columns by name, so the household link, the claimant's
name and phone and the staff note are never even loaded for a public page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.goods.models import ItemCategory
from charity.orgs.models import CharityPoint, Organization
from charity.wishes.models import Wish, WishStatus

DEFAULT_TZ = "Asia/Shanghai"
RECENT_FULFILLED = 10


@dataclass(frozen=True)
class PublicWish:
    id: int
    what: str
    tag: str
    age: int | None
    quantity: int
    unit: str
    category: str | None
    status: str
    organization_id: int
    organization: str
    point_id: int | None
    point: str | None
    created_at: dt.datetime
    fulfilled_at: dt.datetime | None
    timezone: str

    @property
    def fulfilled_on(self) -> dt.date | None:
        """The calendar day of the fulfilment in the organisation's time zone."""
        if self.fulfilled_at is None:
            return None
        return self.fulfilled_at.astimezone(ZoneInfo(self.timezone or DEFAULT_TZ)).date()


@dataclass(frozen=True)
class Counts:
    open: int
    claimed: int
    fulfilled_this_year: int
    fulfilled_all: int
    year: int


_COLUMNS = (Wish.id, Wish.what, Wish.tag, Wish.age, Wish.quantity, Wish.unit,
            ItemCategory.name.label("category"), Wish.status, Wish.organization_id,
            Organization.name.label("organization"), Wish.point_id,
            CharityPoint.name.label("point"), Wish.created_at, Wish.fulfilled_at,
            Organization.timezone)


def _visible(stmt, org_id: int | None = None, point_id: int | None = None):
    """Wishes of active organisations, at open points (or at no point), optionally filtered."""
    stmt = (stmt.join(Organization, Organization.id == Wish.organization_id)
            .outerjoin(CharityPoint, CharityPoint.id == Wish.point_id)
            .where(Organization.active.is_(True),
                   sa.or_(Wish.point_id.is_(None), CharityPoint.active.is_(True))))
    if org_id is not None:
        stmt = stmt.where(Wish.organization_id == org_id)
    if point_id is not None:
        stmt = stmt.where(Wish.point_id == point_id)
    return stmt


def _select():
    return sa.select(*_COLUMNS).outerjoin(ItemCategory, ItemCategory.id == Wish.category_id)


def to_public(row) -> PublicWish:
    values = dict(row._mapping)
    values["status"] = WishStatus(values["status"]).value
    return PublicWish(**values)


def open_wish_ids(org_id: int | None = None, point_id: int | None = None):
    """The ids of the open wishes, oldest first (they have waited longest); a select of one
    column, so that it pages like any other list (see `by_ids`)."""
    return _visible(sa.select(Wish.id), org_id, point_id).where(
        Wish.status == WishStatus.OPEN).order_by(Wish.created_at, Wish.id)


def by_ids(session: Session, ids: list[int]) -> list[PublicWish]:
    """The public view of these wishes, in the order of `ids`."""
    if not ids:
        return []
    rows = {row.id: to_public(row) for row in session.execute(
        _visible(_select()).where(Wish.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def recently_fulfilled(session: Session, org_id: int | None = None,
                       point_id: int | None = None,
                       limit: int = RECENT_FULFILLED) -> list[PublicWish]:
    stmt = _visible(_select(), org_id, point_id).where(Wish.status == WishStatus.FULFILLED)
    stmt = stmt.order_by(Wish.fulfilled_at.desc(), Wish.id.desc()).limit(limit)
    return [to_public(row) for row in session.execute(stmt)]


def public_wish(session: Session, wish_id: int) -> PublicWish | None:
    if not 0 < wish_id < 2**31:
        return None
    row = session.execute(_visible(_select(), None, None).where(Wish.id == wish_id)).first()
    return to_public(row) if row else None


def counts(session: Session, org_id: int | None = None, point_id: int | None = None,
           tz_name: str | None = None, now: dt.datetime | None = None) -> Counts:
    """Open and claimed now; fulfilled in the current calendar year (in `tz_name`) and ever."""
    now = now or dt.datetime.now(dt.timezone.utc)
    tz = ZoneInfo(tz_name or DEFAULT_TZ)
    year = now.astimezone(tz).year
    year_start = dt.datetime(year, 1, 1, tzinfo=tz)
    by_status = dict(session.execute(
        _visible(sa.select(Wish.status, sa.func.count(Wish.id)), org_id, point_id)
        .group_by(Wish.status)).all())
    this_year = session.scalar(
        _visible(sa.select(sa.func.count(Wish.id)), org_id, point_id)
        .where(Wish.status == WishStatus.FULFILLED, Wish.fulfilled_at >= year_start))
    return Counts(open=by_status.get(WishStatus.OPEN, 0),
                  claimed=by_status.get(WishStatus.CLAIMED, 0),
                  fulfilled_this_year=this_year or 0,
                  fulfilled_all=by_status.get(WishStatus.FULFILLED, 0), year=year)


@dataclass(frozen=True)
class ClaimNote:
    """What the claimant is told: where to bring the gift, when, and their reference."""
    ref: str
    wish: PublicWish
    point_name: str | None
    address: str
    opening_hours: str
    point_phone: str
    organization_phone: str


def claim_note(session: Session, ref: str) -> ClaimNote | None:
    ref = (ref or "").strip().upper()[:16]
    if not ref:
        return None
    wish_id = session.scalar(sa.select(Wish.id).where(Wish.claim_ref == ref,
                                                      Wish.status.in_([WishStatus.CLAIMED,
                                                                       WishStatus.FULFILLED])))
    wish = public_wish(session, wish_id) if wish_id else None
    if wish is None:
        return None
    org = session.get(Organization, wish.organization_id)
    point = session.get(CharityPoint, wish.point_id) if wish.point_id else None
    if point is not None:
        address = " ".join(p for p in (point.district, point.community, point.address) if p)
        return ClaimNote(ref, wish, point.name, address, point.opening_hours, point.phone,
                         org.phone)
    return ClaimNote(ref, wish, None, org.address, "", "", org.phone)


def filter_choices(session: Session):
    """Organisations and points that have wishes anyone can see (for the filter selects)."""
    orgs = session.execute(sa.select(Organization.id, Organization.name)
                           .where(Organization.active.is_(True))
                           .where(sa.exists().where(Wish.organization_id == Organization.id))
                           .order_by(Organization.name)).all()
    points = session.execute(sa.select(CharityPoint.id, CharityPoint.name,
                                       CharityPoint.organization_id)
                             .where(CharityPoint.active.is_(True))
                             .where(sa.exists().where(Wish.point_id == CharityPoint.id))
                             .order_by(CharityPoint.name)).all()
    return orgs, points
