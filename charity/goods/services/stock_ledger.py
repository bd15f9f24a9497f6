"""The stock ledger: every change of stock is a movement, and the balance of
(point, item type, batch) is updated in the same transaction, locked, never below zero.

Every movement passes `move`, so the food-safety rule is kept here once for every document:
a batch past its expiry date is never distributed, sold or transferred (Food Safety Law
Arts. 53–54) — it can only be written off. Reversals, write-offs, stocktake differences and
goods coming in stay allowed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.expiry import expired, is_expired, not_expired
from charity.goods.models import ItemType, MovementKind, StockBalance, StockMovement
from charity.goods.quantities import quantity_text

ZERO = Decimal("0")
# The movements that hand goods to a person or send them on: never of an expired batch.
OUTGOING = frozenset({MovementKind.DISTRIBUTION, MovementKind.SALE, MovementKind.TRANSFER_OUT})


class InsufficientStock(ValidationFailed):
    """Not enough on hand: another volunteer may just have handed out the last one."""


class ExpiredStock(ValidationFailed):
    """The batch is past its expiry date: it may only be written off."""


def expired_refusal(item_type: ItemType, batch: str, expiry: dt.date, field: str
                    ) -> ExpiredStock:
    """The refusal of an outgoing movement of an expired batch, naming item, batch and date."""
    if batch:
        message = _l("%(item)s, batch %(batch)s, expired on %(day)s: expired food cannot be "
                     "handed out, sold or transferred. Write it off instead.",
                     item=item_type.name, batch=batch, day=expiry.isoformat())
    else:
        message = _l("%(item)s expired on %(day)s: expired food cannot be handed out, sold or "
                     "transferred. Write it off instead.", item=item_type.name,
                     day=expiry.isoformat())
    return ExpiredStock(message, field=field)


def balance_row(session: Session, point_id: int, item_type_id: int, batch: str = "",
                lock: bool = True, expiry: dt.date | None = None) -> StockBalance:
    """The balance row, created at zero if missing, locked FOR UPDATE (PostgreSQL) — on SQLite
    the writer already holds the database's write lock (BEGIN IMMEDIATE).

    Read first: most movements touch a row that exists (every hand-out, sale and transfer),
    so they cost one statement; only a new (point, item, batch) inserts and reads again. The
    insert does nothing on a conflict, so two first movements of the same batch at once both
    end on the one row, the second waiting for the first's lock."""
    stmt = sa.select(StockBalance).where(StockBalance.point_id == point_id,
                                         StockBalance.item_type_id == item_type_id,
                                         StockBalance.batch == batch)
    if lock:
        stmt = stmt.with_for_update()
    stmt = stmt.execution_options(populate_existing=True)
    row = session.scalars(stmt).one_or_none()
    if row is not None:
        return row
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(StockBalance).values(
        point_id=point_id, item_type_id=item_type_id, batch=batch, expiry_date=expiry,
        quantity=ZERO, value=ZERO).on_conflict_do_nothing())
    return session.scalars(stmt).one()


def move(session: Session, *, organization_id: int, point_id: int, item_type: ItemType,
         quantity: Decimal, kind: MovementKind, movement_date: dt.date, document_type: str,
         document_id: int, actor=None, batch: str = "", unit_value: Decimal | None = None,
         expiry: dt.date | None = None, reason: str = "", reverses_id: int | None = None,
         field: str = "lines") -> StockMovement:
    """Post one movement (+ in, − out) and update its balance; refuse going below zero, and
    refuse handing out, selling or transferring a batch past its expiry date on
    `movement_date` (the document's day in the organisation's calendar)."""
    if quantity == 0:
        raise ValidationFailed(_l("The quantity must not be zero."), field=field)
    row = balance_row(session, point_id, item_type.id, batch, expiry=expiry)
    if kind in OUTGOING and quantity < 0 and is_expired(row.expiry_date, movement_date):
        raise expired_refusal(item_type, batch, row.expiry_date, field)
    if row.quantity + quantity < 0:
        raise InsufficientStock(
            _l("Not enough %(item)s on hand: %(have)s %(unit)s left.", item=item_type.name,
               have=quantity_text(row.quantity), unit=item_type.unit), field=field)
    if kind in OUTGOING and quantity < 0 and row.quantity - row.reserved + quantity < 0:
        # What open home deliveries hold is on the shelf but promised (charity.delivery).
        raise InsufficientStock(
            _l("Not enough %(item)s free: %(have)s %(unit)s left, %(reserved)s %(unit)s more "
               "are reserved for home deliveries.", item=item_type.name,
               have=quantity_text(row.quantity - row.reserved), unit=item_type.unit,
               reserved=quantity_text(row.reserved)), field=field)
    if unit_value is None:
        # Goods leave at their average value on hand.
        unit_value = (row.value / row.quantity).quantize(Decimal("0.01")) if row.quantity else ZERO
    movement = StockMovement(
        organization_id=organization_id, point_id=point_id, item_type_id=item_type.id,
        batch=batch, kind=kind, quantity=quantity, unit_value=unit_value,
        movement_date=movement_date, document_type=document_type, document_id=document_id,
        reverses_id=reverses_id, reason=reason, posted_by_id=getattr(actor, "id", None))
    session.add(movement)
    row.quantity = row.quantity + quantity
    row.value = max(ZERO, (row.value + quantity * unit_value).quantize(Decimal("0.01"))) \
        if row.quantity else ZERO
    if expiry is not None and (row.expiry_date is None or expiry < row.expiry_date):
        # Two donations may share a batch name (the same production day) with different
        # expiry dates: the batch counts as expiring on the earliest, so no unit of it is
        # ever handed out past its date.
        row.expiry_date = expiry
    session.flush()
    return movement


def reverse_document(session: Session, document_type: str, document_id: int, actor, reason: str,
                     on: dt.date) -> list[StockMovement]:
    """Post the opposite of every movement of a document (a correction; nothing is deleted)."""
    movements = list(session.scalars(sa.select(StockMovement).where(
        StockMovement.document_type == document_type, StockMovement.document_id == document_id,
        StockMovement.reverses_id.is_(None)).order_by(StockMovement.id)))
    out = []
    # Put goods back before taking them out again, so a transfer-like document never dips.
    for m in sorted(movements, key=lambda m: m.quantity < 0, reverse=True):
        out.append(move(session, organization_id=m.organization_id, point_id=m.point_id,
                        item_type=m.item_type, quantity=-m.quantity, kind=MovementKind.REVERSAL,
                        movement_date=on, document_type=document_type, document_id=document_id,
                        actor=actor, batch=m.batch, unit_value=m.unit_value, reason=reason,
                        reverses_id=m.id))
    return out


def available_batches(session: Session, point_id: int, item_type_id: int,
                      on: dt.date | None = None) -> list[StockBalance]:
    """Batches with stock not reserved for a home delivery, earliest expiry first
    (first-expired, first-out); with `on`, only those within their expiry date that day."""
    stmt = sa.select(StockBalance).where(
        StockBalance.point_id == point_id, StockBalance.item_type_id == item_type_id,
        StockBalance.quantity > StockBalance.reserved)
    if on is not None:
        stmt = stmt.where(not_expired(on))
    return list(session.scalars(stmt.order_by(StockBalance.expiry_date.is_(None),
                                              StockBalance.expiry_date, StockBalance.batch)))


def _expired_quantity(session: Session, point_id: int, item_type_id: int, on: dt.date
                      ) -> Decimal:
    return Decimal(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(
        StockBalance.quantity), 0)).where(
        StockBalance.point_id == point_id, StockBalance.item_type_id == item_type_id,
        StockBalance.quantity > 0, expired(on))) or 0)


def take(session: Session, *, organization_id: int, point_id: int, item_type: ItemType,
         quantity: Decimal, batch: str | None, **kwargs) -> list[StockMovement]:
    """Take `quantity` out: from the named batch, or first-expired-first-out across the
    batches still within their expiry date on the movement's day (expired ones are skipped:
    they are written off, never handed out)."""
    if batch is not None:
        return [move(session, organization_id=organization_id, point_id=point_id,
                     item_type=item_type, quantity=-quantity, batch=batch, **kwargs)]
    on = kwargs.get("movement_date")
    rows = available_batches(session, point_id, item_type.id, on=on)
    have = sum((r.quantity - r.reserved for r in rows), ZERO)
    if have < quantity:
        field = kwargs.get("field", "lines")
        expired = _expired_quantity(session, point_id, item_type.id, on) if on else ZERO
        if expired:
            raise InsufficientStock(
                _l("Not enough %(item)s within its expiry date: %(have)s %(unit)s left "
                   "(%(expired)s %(unit)s more are expired and must be written off).",
                   item=item_type.name, have=quantity_text(have), unit=item_type.unit,
                   expired=quantity_text(expired)), field=field)
        raise InsufficientStock(
            _l("Not enough %(item)s on hand: %(have)s %(unit)s left.", item=item_type.name,
               have=quantity_text(have), unit=item_type.unit), field=field)
    out, left = [], quantity
    for row in rows:
        if left <= 0:
            break
        part = min(left, row.quantity - row.reserved)
        out.append(move(session, organization_id=organization_id, point_id=point_id,
                        item_type=item_type, quantity=-part, batch=row.batch, **kwargs))
        left -= part
    return out


def verify_stock(session: Session) -> list[str]:
    """Balances that differ from the sum of their movements (for `charity verify`)."""
    sums = sa.select(StockMovement.point_id, StockMovement.item_type_id, StockMovement.batch,
                     sa.func.sum(StockMovement.quantity).label("q")).group_by(
        StockMovement.point_id, StockMovement.item_type_id, StockMovement.batch).subquery()
    rows = session.execute(
        sa.select(StockBalance.point_id, StockBalance.item_type_id, StockBalance.batch,
                  StockBalance.quantity, sums.c.q)
        .outerjoin(sums, sa.and_(sums.c.point_id == StockBalance.point_id,
                                 sums.c.item_type_id == StockBalance.item_type_id,
                                 sums.c.batch == StockBalance.batch)))
    problems = []
    for point_id, item_id, batch, stored, ledger in rows:
        ledger = Decimal(ledger or 0)
        if Decimal(stored) != ledger:
            problems.append(f"stock point {point_id} item {item_id} batch {batch!r}: "
                            f"stored {stored}, ledger {ledger}")
        if Decimal(stored) < 0:
            problems.append(f"stock point {point_id} item {item_id} batch {batch!r}: negative")
    orphans = session.execute(
        sa.select(sums.c.point_id, sums.c.item_type_id, sums.c.batch, sums.c.q)
        .outerjoin(StockBalance, sa.and_(sums.c.point_id == StockBalance.point_id,
                                         sums.c.item_type_id == StockBalance.item_type_id,
                                         sums.c.batch == StockBalance.batch))
        .where(StockBalance.id.is_(None)))
    for point_id, item_id, batch, q in orphans:
        problems.append(f"stock point {point_id} item {item_id} batch {batch!r}: "
                        f"no balance row, ledger {q}")
    return problems
