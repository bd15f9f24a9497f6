"""What the counter screens offer (intake, distribution, sale, write-off, transfer): the
point's shelf, the households, donors, campaigns and projects that may be named, and the
drop-off code a donor brings."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.core.clock import org_today
from charity.core.db import Qty, contains
from charity.funds.models import Campaign, CampaignStatus, Project, ProjectStatus
from charity.goods.expiry import expired, not_expired
from charity.goods.models import ItemType, PreRegistration, StockBalance
from charity.goods.queries.catalogue import active_items
from charity.goods.queries.expiry import warning_days
from charity.orgs.models import CharityPoint, Organization
from charity.people.models import Beneficiary, Donor

HOUSEHOLD_MATCHES = 20


def id_of(raw) -> int | None:
    """A posted id as a number, or None. Bounded before any query: a larger id overflows
    SQLite and aborts PostgreSQL's transaction."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@dataclass(frozen=True)
class ShelfStock:
    """One item on a point's shelf on a day: what may be handed out (within its expiry
    date), the part of it that expires within the organisation's warning window (handed out
    first), and what is expired (only to be written off)."""

    available: Decimal = Decimal("0")
    soon: Decimal = Decimal("0")
    soonest: dt.date | None = None  # the earliest expiry date among the `soon` batches
    expired: Decimal = Decimal("0")


def shelf_stock(session: Session, point_id: int, today: dt.date, days: int
                ) -> dict[int, ShelfStock]:
    """Item id → its `ShelfStock` on the point's shelf on `today`, expiring "soon" meaning
    within `days` days."""
    last = today + dt.timedelta(days=days)
    soon = sa.and_(StockBalance.expiry_date >= today, StockBalance.expiry_date <= last)
    rows = session.execute(
        sa.select(StockBalance.item_type_id,
                  # Available: within its date and not reserved for a home delivery.
                  sa.func.sum(sa.case((not_expired(today), sa.type_coerce(
                      StockBalance.quantity - StockBalance.reserved, Qty)), else_=0)),
                  sa.func.sum(sa.case((soon, StockBalance.quantity), else_=0)),
                  sa.func.min(sa.case((soon, StockBalance.expiry_date), else_=None)),
                  sa.func.sum(sa.case((expired(today), StockBalance.quantity), else_=0)))
        .where(StockBalance.point_id == point_id, StockBalance.quantity > 0)
        .group_by(StockBalance.item_type_id))
    return {item_id: ShelfStock(Decimal(a or 0), Decimal(s or 0), _as_date(first),
                                Decimal(x or 0))
            for item_id, a, s, first, x in rows}


def _as_date(value) -> dt.date | None:
    # MIN over a CASE loses the column's type on SQLite: the date comes back as text.
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def counter_items(session: Session, point: CharityPoint | None
                  ) -> list[tuple[ItemType, ShelfStock]]:
    """The organisation's active items with what the point's shelf offers today (expired
    batches left out): items with stock expiring within the warning window first (they are
    handed out first), then the others on the shelf, then the rest."""
    if point is None:
        return []
    org = point.organization
    stock = shelf_stock(session, point.id, org_today(org), warning_days(org))
    empty = ShelfStock()
    items = sorted(active_items(session, point.organization_id),
                   key=lambda item: (not stock.get(item.id, empty).soon,
                                     not stock.get(item.id, empty).available))
    return [(item, stock.get(item.id, empty)) for item in items]


def counter_batches(session: Session, point: CharityPoint | None) -> list[StockBalance]:
    """Named batches on the point's shelves that may be handed out today (none past its
    expiry date), soonest expiry first (for the batch input's suggestions)."""
    if point is None:
        return []
    return list(session.scalars(
        sa.select(StockBalance).where(StockBalance.point_id == point.id,
                                      StockBalance.quantity > 0, StockBalance.batch != "",
                                      not_expired(org_today(point.organization)))
        .options(selectinload(StockBalance.item_type))
        .order_by(StockBalance.expiry_date.is_(None), StockBalance.expiry_date,
                  StockBalance.batch).limit(200)))


def shelf_balances(session: Session, point: CharityPoint | None) -> list[StockBalance]:
    """Every batch on the point's shelf, by item, soonest expiry first (write-offs)."""
    if point is None:
        return []
    return list(session.scalars(
        sa.select(StockBalance).where(StockBalance.point_id == point.id,
                                      StockBalance.quantity > 0)
        .options(selectinload(StockBalance.item_type))
        .order_by(StockBalance.item_type_id, StockBalance.expiry_date.is_(None),
                  StockBalance.expiry_date, StockBalance.batch)))


def items_on_shelf(session: Session, point_id: int, on: dt.date | None = None
                   ) -> list[tuple[ItemType, Decimal]]:
    """Active items with something on the point's shelf, with the quantity, by name; with
    `on`, only what is within its expiry date that day (what may be sent on)."""
    stmt = (sa.select(ItemType, sa.func.sum(StockBalance.quantity))
            .join(StockBalance, StockBalance.item_type_id == ItemType.id)
            .where(StockBalance.point_id == point_id, StockBalance.quantity > 0,
                   ItemType.active.is_(True)))
    if on is not None:
        stmt = stmt.where(not_expired(on))
    return list(session.execute(stmt.group_by(ItemType.id).order_by(ItemType.name)).all())


def household(session: Session, point: CharityPoint | None, raw) -> Beneficiary | None:
    """The household `raw` names, if it is registered with the point's organisation."""
    wanted = id_of(raw)
    found = session.get(Beneficiary, wanted) if wanted else None
    if found is None or point is None or found.erased_at is not None \
            or found.organization_id != point.organization_id:
        return None
    return found


def find_households(session: Session, point: CharityPoint | None, q: str
                    ) -> list[Beneficiary]:
    """Households of the point's organisation by name or community (never phone or ID)."""
    if point is None or not q:
        return []
    return list(session.scalars(
        sa.select(Beneficiary).where(Beneficiary.organization_id == point.organization_id,
                                     Beneficiary.erased_at.is_(None),
                                     sa.or_(contains(Beneficiary.name, q),
                                            contains(Beneficiary.community, q)))
        .order_by(Beneficiary.active.desc(), Beneficiary.name, Beneficiary.id)
        .limit(HOUSEHOLD_MATCHES)))


def donor_of(session: Session, org_id: int | None, raw) -> Donor | None:
    """The donor `raw` names, if they are a donor of the organisation."""
    wanted = id_of(raw)
    donor = session.get(Donor, wanted) if org_id is not None and wanted else None
    return donor if donor is not None and donor.organization_id == org_id else None


def running_campaigns(session: Session, org_id: int | None) -> list[Campaign]:
    """The campaigns an intake may name: the organisation's active ones."""
    if org_id is None:
        return []
    return list(session.scalars(sa.select(Campaign).where(
        Campaign.organization_id == org_id, Campaign.status == CampaignStatus.ACTIVE)
        .order_by(Campaign.name)))


def running_projects(session: Session, org_id: int | None) -> list[Project]:
    """The projects a distribution may name: the organisation's active ones."""
    return list(session.scalars(sa.select(Project).where(
        Project.organization_id == (org_id if org_id is not None else -1),
        Project.status == ProjectStatus.ACTIVE).order_by(Project.name)))


def preregistration(session: Session, code: str | None, org_ids) -> PreRegistration | None:
    """The drop-off a code names (as typed: spaces and case do not matter), announced at a
    point of one of `org_ids`: another organisation's code is not found, exactly like a
    wrong one (its donor's name and phone are not theirs to see)."""
    code = normalise_code(code)
    if not code:
        return None
    return session.scalar(
        sa.select(PreRegistration).join(CharityPoint, CharityPoint.id == PreRegistration.point_id)
        .where(PreRegistration.code == code,
               CharityPoint.organization_id.in_(sorted(org_ids) or [-1])))


def normalise_code(code: str | None) -> str:
    return (code or "").strip().upper()[:16]


def destinations(session: Session, org_ids) -> list[CharityPoint]:
    """Active points of the organisations (where a transfer may go)."""
    stmt = (sa.select(CharityPoint).join(CharityPoint.organization)
            .where(CharityPoint.organization_id.in_(sorted(org_ids) or [-1]),
                   CharityPoint.active.is_(True))
            .options(sa.orm.contains_eager(CharityPoint.organization))
            .order_by(Organization.name, CharityPoint.name))
    return list(session.scalars(stmt))
