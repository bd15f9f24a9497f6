"""What became of donated goods, first-in-first-out (the goods half of the donation trace).

Goods of many intakes mix on a shelf: stock is kept per stream (point, item type, batch).
Each stream's movements, in posting order (movement id), are read once; a reversal is
netted into the movement it reverses (a reversed distribution never happened). Positive
movements are inflows, negative ones outflows; the first units in are the first units out:
an inflow covers [cumulative inflow before it, + its quantity), an outflow likewise, and
where the intervals overlap those units of this donation left with that outflow. Goods
transferred to another point are followed there (the first units sent are the first that
arrived) up to MAX_DEPTH transfers. Beneficiaries appear only as the community of the
household, never by name, id, phone or address. What is left on a shelf is "on the shelf"
only while it is within its expiry date: food past it is shown as expired, waiting to be
written off (it is never handed out).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.funds.models import Campaign, FundEntry
from charity.goods.expiry import is_expired
from charity.goods.models import (Distribution, Intake, ItemType, MovementKind, Sale, SaleLine,
                                  StockBalance, StockMovement, Transfer, TransferStatus)
from charity.orgs.models import CharityPoint
from charity.people.models import Beneficiary
from charity.portal.trace.fifo import ZERO, net_of_reversals

MAX_DEPTH = 5  # transfers followed from point to point


@dataclass
class Outcome:
    """One thing that became of part of a donated line. kind is one of: distributed, sold,
    transferred, in_transit, lost, written_off, stocktake_loss, on_shelf, expired_on_shelf
    (past its expiry date, to be written off), not_followed."""

    kind: str
    quantity: Decimal
    unit: str
    day: dt.date | None = None
    place: str = ""  # community (distributed) or point name (transfers, on the shelf)
    fund: str = ""  # where sale proceeds went
    proceeds: Decimal | None = None
    reason: str = ""  # write-off category: expired, damaged, unusable
    children: list[Outcome] = field(default_factory=list)


@dataclass
class GoodsLine:
    item: str
    unit: str
    quantity: Decimal
    point: str
    received_on: dt.date
    outcomes: list[Outcome]


@dataclass
class _Stream:
    starts: dict[int, Decimal]  # inflow movement id → cumulative inflow before it
    net: dict[int, Decimal]  # movement id → quantity after netting its reversal
    outflows: list[tuple[StockMovement, Decimal, Decimal]]  # (movement, start, end)


def qty(value: Decimal) -> Decimal:
    """3.000 → 3, 2.500 → 2.5: quantities shown as people write them."""
    value = Decimal(value).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


class GoodsTracer:
    """Follows intake lines through the stock ledger. One query per stream, documents
    looked up once each."""

    def __init__(self, session: Session, today: dt.date | None = None,
                 until: dt.date | None = None, places: bool = True):
        """`today` (the organisation's calendar day) tells apart what is still on the shelf
        from what is past its expiry date; without it, everything left counts as on it.
        `until` follows only the movements of that day or earlier (a report's cut-off);
        without `places`, hand-outs are not looked up for their community (a report sums
        them by kind: one query less per hand-out)."""
        self.session = session
        self.today = today
        self.until = until
        self.places = places
        self._streams: dict[tuple[int, int, str], _Stream] = {}
        self._points: dict[int, CharityPoint] = {}

    def point(self, point_id: int) -> CharityPoint:
        if point_id not in self._points:
            self._points[point_id] = self.session.get(CharityPoint, point_id)
        return self._points[point_id]

    def stream(self, key: tuple[int, int, str]) -> _Stream:
        if key not in self._streams:
            point_id, item_id, batch = key
            stmt = sa.select(StockMovement).where(
                StockMovement.point_id == point_id, StockMovement.item_type_id == item_id,
                StockMovement.batch == batch)
            if self.until is not None:
                stmt = stmt.where(StockMovement.movement_date <= self.until)
            rows = self.session.scalars(stmt.order_by(StockMovement.id)).all()
            net, originals = net_of_reversals(rows, "quantity")
            starts, outflows, cum_in, cum_out = {}, [], ZERO, ZERO
            for m in originals:
                q = net[m.id]
                if q > 0:
                    starts[m.id] = cum_in
                    cum_in += q
                elif q < 0:
                    outflows.append((m, cum_out, cum_out - q))
                    cum_out -= q
            self._streams[key] = _Stream(starts, net, outflows)
        return self._streams[key]

    def trace_intake(self, intake: Intake) -> list[GoodsLine]:
        """Every line of the intake with what became of it."""
        movements = self.session.scalars(sa.select(StockMovement).where(
            StockMovement.document_type == "intake", StockMovement.document_id == intake.id,
            StockMovement.kind == MovementKind.DONATION_IN).order_by(StockMovement.id)).all()
        pending = list(movements)
        point = self.point(intake.point_id)
        out = []
        for line in intake.lines:  # posted in the same order as their movements
            m = next((m for m in pending if m.item_type_id == line.item_type_id
                      and m.batch == line.batch and m.quantity == line.quantity), None)
            item: ItemType = line.item_type
            outcomes = []
            if m is not None:
                pending.remove(m)
                outcomes = self.follow((m.point_id, m.item_type_id, m.batch), m.id, ZERO,
                                       line.quantity, item.unit, 0)
            out.append(GoodsLine(item=item.name, unit=item.unit, quantity=qty(line.quantity),
                                 point=point.name, received_on=intake.received_on,
                                 outcomes=outcomes))
        return out

    def follow(self, key, inflow_id: int, lo: Decimal, hi: Decimal, unit: str,
               depth: int) -> list[Outcome]:
        """What became of the units [lo, hi) of inflow movement `inflow_id` in stream `key`."""
        s = self.stream(key)
        if inflow_id not in s.starts:  # the inflow itself was reversed
            return []
        start, end = s.starts[inflow_id] + lo, s.starts[inflow_id] + hi
        outcomes, allocated = [], ZERO
        for m, o_start, o_end in s.outflows:
            if o_end <= start:
                continue
            if o_start >= end:
                break
            a, b = max(start, o_start), min(end, o_end)
            allocated += b - a
            outcomes.extend(self._outflow(m, a - o_start, b - o_start, unit, depth))
        if hi - lo - allocated > 0:
            outcomes.append(Outcome(self._left_kind(key), qty(hi - lo - allocated), unit,
                                    place=self.point(key[0]).name))
        return _merge(outcomes)

    def _left_kind(self, key: tuple[int, int, str]) -> str:
        """What is left of a stream: on the shelf, or expired there (to be written off)."""
        if self.today is None:
            return "on_shelf"
        point_id, item_id, batch = key
        expiry = self.session.scalar(sa.select(StockBalance.expiry_date).where(
            StockBalance.point_id == point_id, StockBalance.item_type_id == item_id,
            StockBalance.batch == batch))
        return "expired_on_shelf" if is_expired(expiry, self.today) else "on_shelf"

    def _outflow(self, m: StockMovement, a: Decimal, b: Decimal, unit: str,
                 depth: int) -> list[Outcome]:
        """Units [a, b) of outflow movement m (offsets within it)."""
        part = b - a
        if m.kind == MovementKind.DISTRIBUTION and not self.places:
            return [Outcome("distributed", qty(part), unit, day=m.movement_date)]
        if m.kind == MovementKind.DISTRIBUTION:
            day, community, point_id = self.session.execute(
                sa.select(Distribution.distributed_on, Beneficiary.community,
                          Distribution.point_id)
                .join(Beneficiary, Beneficiary.id == Distribution.beneficiary_id)
                .where(Distribution.id == m.document_id)).one()
            place = (community or "").strip() or self.point(point_id).community or \
                self.point(point_id).district
            return [Outcome("distributed", qty(part), unit, day=day, place=place)]
        if m.kind == MovementKind.SALE:
            return [self._sale(m, part, unit)]
        if m.kind == MovementKind.TRANSFER_OUT:
            return self._transfer(m, a, b, unit, depth)
        if m.kind == MovementKind.WRITE_OFF:
            return [Outcome("written_off", qty(part), unit, day=m.movement_date,
                            reason=m.reason)]
        if m.kind == MovementKind.STOCKTAKE:
            return [Outcome("stocktake_loss", qty(part), unit, day=m.movement_date)]
        return [Outcome("not_followed", qty(part), unit, day=m.movement_date)]

    def _sale(self, m: StockMovement, part: Decimal, unit: str) -> Outcome:
        sale = self.session.get(Sale, m.document_id)
        price = self.session.scalar(sa.select(SaleLine.unit_price).where(
            SaleLine.sale_id == sale.id, SaleLine.item_type_id == m.item_type_id,
            SaleLine.batch == m.batch).order_by(SaleLine.id).limit(1))
        fund = ""
        if sale.fund_entry_id is not None:
            fund = self.session.scalar(
                sa.select(Campaign.name).join(FundEntry, FundEntry.campaign_id == Campaign.id)
                .where(FundEntry.id == sale.fund_entry_id)) or ""
        proceeds = (part * price).quantize(Decimal("0.01")) if price is not None else None
        return Outcome("sold", qty(part), unit, day=sale.sold_on, fund=fund, proceeds=proceeds)

    def _transfer(self, m: StockMovement, a: Decimal, b: Decimal, unit: str,
                  depth: int) -> list[Outcome]:
        transfer = self.session.get(Transfer, m.document_id)
        to_point = self.point(transfer.to_point_id)
        part = b - a
        # The k-th movement of this (item, batch) in the document was sent as the k-th line.
        lines = [ln for ln in transfer.lines
                 if ln.item_type_id == m.item_type_id and ln.batch == m.batch]
        siblings = self.session.scalars(sa.select(StockMovement.id).where(
            StockMovement.document_type == "transfer", StockMovement.document_id == transfer.id,
            StockMovement.kind == MovementKind.TRANSFER_OUT,
            StockMovement.item_type_id == m.item_type_id, StockMovement.batch == m.batch)
            .order_by(StockMovement.id)).all()
        index = siblings.index(m.id) if m.id in siblings else 0
        line = lines[min(index, len(lines) - 1)]
        sent = Outcome("transferred", qty(part), unit, day=transfer.sent_on, place=to_point.name)
        if transfer.status == TransferStatus.IN_TRANSIT:
            sent.kind = "in_transit"
            return [sent]
        received = line.quantity_received or ZERO
        arrived_hi = min(b, received)
        if arrived_hi > a:
            if depth + 1 >= MAX_DEPTH:
                sent.children.append(Outcome("not_followed", qty(arrived_hi - a), unit))
            else:
                arrivals = self.session.scalars(sa.select(StockMovement.id).where(
                    StockMovement.document_type == "transfer",
                    StockMovement.document_id == transfer.id,
                    StockMovement.kind == MovementKind.TRANSFER_IN,
                    StockMovement.point_id == transfer.to_point_id,
                    StockMovement.item_type_id == m.item_type_id,
                    StockMovement.batch == m.batch).order_by(StockMovement.id)).all()
                # Lines received with nothing arriving have no movement.
                received_before = sum(1 for ln in lines[:lines.index(line)]
                                      if (ln.quantity_received or ZERO) > 0)
                if received_before < len(arrivals):
                    sent.children.extend(self.follow(
                        (transfer.to_point_id, m.item_type_id, m.batch),
                        arrivals[received_before], a, arrived_hi, unit, depth + 1))
        if b > max(a, received):
            sent.children.append(Outcome("lost", qty(b - max(a, received)), unit,
                                         place=to_point.name))
        return [sent]


def _merge(outcomes: list[Outcome]) -> list[Outcome]:
    """Add up outcomes that read the same (e.g. two handouts in one community on one day)."""
    merged: list[Outcome] = []
    index: dict[tuple, Outcome] = {}
    for o in outcomes:
        if o.children:
            merged.append(o)
            continue
        key = (o.kind, o.day, o.place, o.fund, o.reason, o.unit)
        if key in index:
            first = index[key]
            first.quantity = qty(first.quantity + o.quantity)
            if o.proceeds is not None:
                first.proceeds = (first.proceeds or ZERO) + o.proceeds
        else:
            index[key] = o
            merged.append(o)
    return merged
