"""The public directory of charity points: which are open to the public, where, when, what
they accept, what they need now and what is on their shelves.

Plain functions over a session (no Flask). Only active points of active organisations are
public. Nothing here touches people: no beneficiary, donor or volunteer appears.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from charity.core.db import contains
from charity.goods.queries.stock import NeedRow, needs_list
from charity.goods.models import ItemCategory, ItemType, RefusedGood, StockBalance
from charity.orgs.models import CharityPoint, Organization, PointKind

KINDS = tuple(k.value for k in PointKind)


def public_points_stmt(district: str | None = None, kind: str | None = None,
                       q: str | None = None):
    """Active points of active organisations, by district and name (a statement, for
    paging); optionally in one district, of one kind, or whose name or address contains q."""
    stmt = (sa.select(CharityPoint).join(CharityPoint.organization)
            .where(CharityPoint.active.is_(True), Organization.active.is_(True))
            .options(contains_eager(CharityPoint.organization)))
    if district:
        stmt = stmt.where(CharityPoint.district == district)
    if kind:
        stmt = stmt.where(CharityPoint.kind == PointKind(kind))
    if q:
        stmt = stmt.where(sa.or_(contains(CharityPoint.name, q),
                                 contains(CharityPoint.address, q)))
    return stmt.order_by(CharityPoint.district, CharityPoint.name, CharityPoint.id)


def districts(session: Session) -> list[str]:
    """Districts that have a public point (the choices of the district filter)."""
    return list(session.scalars(
        sa.select(CharityPoint.district).join(CharityPoint.organization)
        .where(CharityPoint.active.is_(True), Organization.active.is_(True),
               CharityPoint.district != "")
        .distinct().order_by(CharityPoint.district)))


def public_point(session: Session, point_id: int) -> CharityPoint | None:
    """The point if the public may see it (active, of an active organisation), else None."""
    if not 0 < point_id < 2**31:
        return None
    return session.scalar(
        sa.select(CharityPoint).join(CharityPoint.organization)
        .where(CharityPoint.id == point_id, CharityPoint.active.is_(True),
               Organization.active.is_(True))
        .options(contains_eager(CharityPoint.organization)))


@dataclass
class ShelfCategory:
    """What is on the shelves in one category: quantities per unit (件 and kg do not add)."""

    name: str
    items: int = 0
    quantities: list[tuple[Decimal, str]] = field(default_factory=list)


@dataclass
class PointPage:
    point: CharityPoint
    accepted: list[str]
    refused: list[RefusedGood]
    needs: list[NeedRow]
    shelves: list[ShelfCategory]


def shelves(session: Session, point_id: int) -> list[ShelfCategory]:
    """Quantities on hand per category and unit, categories in catalogue order. (The stock
    dashboard's `on_hand_by_category` adds quantities of all units; the public must see
    "120 件 · 35 kg", not 155.)"""
    rows = session.execute(
        sa.select(ItemCategory.id, ItemCategory.name, ItemType.unit,
                  sa.func.count(sa.distinct(StockBalance.item_type_id)),
                  sa.func.sum(StockBalance.quantity))
        .join(ItemType, ItemType.id == StockBalance.item_type_id)
        .join(ItemCategory, ItemCategory.id == ItemType.category_id)
        .where(StockBalance.point_id == point_id, StockBalance.quantity > 0)
        .group_by(ItemCategory.id, ItemCategory.name, ItemCategory.sort, ItemType.unit)
        .order_by(ItemCategory.sort, ItemCategory.name, ItemType.unit))
    out: dict[int, ShelfCategory] = {}
    for cat_id, name, unit, items, quantity in rows:
        row = out.setdefault(cat_id, ShelfCategory(name))
        row.items += items
        row.quantities.append((Decimal(quantity or 0), unit))
    return list(out.values())


def point_page(session: Session, point: CharityPoint) -> PointPage:
    """Everything the public page of a point shows: the categories its organisation
    catalogues (what it accepts), the goods it refuses with the reason, its needs list
    (items below the wanted level) and its shelves by category."""
    accepted = list(session.scalars(
        sa.select(ItemCategory.name).join(ItemType, ItemType.category_id == ItemCategory.id)
        .where(ItemType.organization_id == point.organization_id, ItemType.active.is_(True))
        .group_by(ItemCategory.id, ItemCategory.name, ItemCategory.sort)
        .order_by(ItemCategory.sort, ItemCategory.name)))
    refused = list(session.scalars(
        sa.select(RefusedGood).where(RefusedGood.organization_id == point.organization_id,
                                     RefusedGood.active.is_(True))
        .order_by(RefusedGood.name)))
    return PointPage(point, accepted, refused, needs_list(session, point.id),
                     shelves(session, point.id))


# --- "open now?" from the free-text opening hours ---------------------------------------------
# Only the plain forms staff actually write are understood ("周一至周六 09:00-18:00",
# "每天 08:30-17:00", "周一、三、五 09:00-12:00, 14:00-17:00", several clauses separated by
# "；"). Anything else gives None and the page shows the text without a verdict: a wrong
# "open" sends a neighbour to a closed door.

_DAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_WORDS = {"每天": range(7), "每日": range(7), "全天": range(7), "工作日": range(5),
          "周末": range(5, 7)}
_TIME = r"([01]?\d|2[0-4])[:：]([0-5]\d)"
_RANGE = re.compile(rf"^{_TIME}\s*[-–—~～至到]\s*{_TIME}$")
_DAYS_SPAN = re.compile(r"^(?:周|星期)([一二三四五六日天七])\s*[至到\-–—~～]\s*(?:周|星期)?"
                        r"([一二三四五六日天七])$")
_DAYS_LIST = re.compile(r"^(?:周|星期)([一二三四五六日天七](?:[、，,/]?[一二三四五六日天七])*)$")
_CLAUSE = re.compile(r"^(\S*?)\s*(\d.*)$")


def _days(spec: str) -> set[int] | None:
    if not spec:
        return set(range(7))
    if spec in _WORDS:
        return set(_WORDS[spec])
    if m := _DAYS_SPAN.match(spec):
        a, b = _DAY[m.group(1)], _DAY[m.group(2)]
        return set(range(a, b + 1)) if a <= b else set(range(a, 7)) | set(range(0, b + 1))
    if m := _DAYS_LIST.match(spec):
        return {_DAY[c] for c in m.group(1) if c in _DAY}
    return None


def _minutes(h: str, m: str) -> int:
    return int(h) * 60 + int(m)


def opening_schedule(text: str) -> list[tuple[set[int], list[tuple[int, int]]]] | None:
    """The opening hours as (weekdays 0=Monday, [(from, to) in minutes]) clauses, or None
    if the text is not in one of the plain forms."""
    clauses = [c.strip() for c in re.split(r"[；;\n]", text or "") if c.strip()]
    if not clauses:
        return None
    schedule = []
    for clause in clauses:
        m = _CLAUSE.match(clause)
        if m is None:
            return None
        days = _days(m.group(1).rstrip("：:"))
        if not days:
            return None
        spans = []
        for part in re.split(r"\s*[,，、]\s*", m.group(2).strip()):
            r = _RANGE.match(part)
            if r is None:
                return None
            start, end = _minutes(r.group(1), r.group(2)), _minutes(r.group(3), r.group(4))
            if not start < end <= 24 * 60:
                return None  # past midnight or nonsense: do not guess
            spans.append((start, end))
        schedule.append((days, spans))
    return schedule


def is_open(opening_hours: str, local_now: dt.datetime) -> bool | None:
    """Open at `local_now` (a time in the point's zone)? None when the hours are not
    understood. Public holidays are not known here; the page says so."""
    schedule = opening_schedule(opening_hours)
    if schedule is None:
        return None
    minute = local_now.hour * 60 + local_now.minute
    return any(local_now.weekday() in days and any(a <= minute < b for a, b in spans)
               for days, spans in schedule)


def open_now(point: CharityPoint, now: dt.datetime | None = None) -> bool | None:
    """Is `point` open now, by its organisation's clock? None when unknown."""
    now = now or dt.datetime.now(dt.timezone.utc)
    zone = ZoneInfo(point.organization.timezone or "Asia/Shanghai")
    return is_open(point.opening_hours, now.astimezone(zone))


def open_now_map(points, now: dt.datetime | None = None) -> dict[int, bool | None]:
    return {p.id: open_now(p, now) for p in points}

