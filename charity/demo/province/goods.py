"""The goods ledger of the province: intakes, distributions, sales (with their sale-income
fund entries), transfers between points and write-offs, simulated day by day per
organisation so that no balance ever goes below zero, then written in bulk.

The simulation keeps the services' rules: food comes in with its expiry date, in a batch
named after it (as `post_intake` names a batch without a production date); what goes out
is taken first-expired-first-out among the batches still within their expiry date that day
(Food Safety Law Arts. 53–54: expired food is never handed out, sold or transferred); and a
weekly check at every point writes off what has expired.

Each organisation is simulated on its own (stock moves only between its own points), and
its rows are written before the next organisation starts, so memory stays bounded.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from charity.funds.models import FundEntry
from charity.goods.models import (Distribution, DistributionLine, Intake, IntakeLine, Sale,
                                  SaleLine, StockMovement, Transfer, TransferLine, WriteOff)
from charity.demo.province.bulk import insert
from charity.demo.province.world import HISTORY_DAYS, Item, Org, World

CONDITIONS = ("new", "good", "usable")
PAYMENTS = ("cash", "wechat", "alipay")
TWO = Decimal("0.01")
CHECK_EVERY_DAYS = 7  # the weekly expiry check at each point
ORDER = (Intake, IntakeLine, Distribution, DistributionLine, FundEntry, Sale, SaleLine, Transfer,
         TransferLine, WriteOff, StockMovement)


class _Rows:
    """The rows of one organisation, per table, written together."""

    def __init__(self):
        self.tables: dict = {}

    def add(self, table, row: dict) -> None:
        self.tables.setdefault(table, []).append(row)

    def write(self, world: World) -> None:
        for table in ORDER:  # parents before the rows that refer to them
            if table in self.tables:
                insert(world.session, table.__table__, self.tables[table])
        self.tables.clear()


def generate_goods(world: World) -> None:
    intakes_per_org = max(4, world.scaled("intakes") // len(world.orgs))
    for org in world.orgs:
        rows = _Rows()
        _simulate(world, org, intakes_per_org, rows)
        for table, table_rows in rows.tables.items():
            # Sale income counts with the money entries the money part adds to it.
            world.add("fund_entries" if table is FundEntry else table.__tablename__,
                      len(table_rows))
        rows.write(world)


def _simulate(world: World, org: Org, n_intakes: int, rows: _Rows) -> None:
    rng = world.rng
    # Events: (day, order, kind, point). Intakes first on a day, then what goes out, then
    # the expiry check.
    events = []
    for _ in range(n_intakes):
        events.append((world.day(), 0, "intake", rng.choice(org.points)))
    # Outflows roughly balance what comes in: ~0.33 distributions, ~0.17 sales, a few
    # transfers and write-offs per intake.
    for _ in range(n_intakes // 3):
        events.append((world.day(), 1, "distribution", rng.choice(org.points)))
    for _ in range(n_intakes // 6):
        if org.supermarkets:
            events.append((world.day(), 1, "sale", rng.choice(org.supermarkets)))
    for _ in range(max(1, n_intakes // 60)):
        events.append((world.day(), 1, "transfer", rng.choice(org.points)))
    for _ in range(max(1, n_intakes // 100)):
        events.append((world.day(), 1, "write_off", rng.choice(org.points)))
    first = world.today - dt.timedelta(days=HISTORY_DAYS)
    for n, point in enumerate(org.points):
        day = first + dt.timedelta(days=n % CHECK_EVERY_DAYS)
        while day < world.today:
            events.append((day, 2, "expiry_check", point))
            day += dt.timedelta(days=CHECK_EVERY_DAYS)
    events.sort(key=lambda e: (e[0], e[1]))
    shelf = _Shelf({p: {} for p in org.points}, {})
    arriving: list[tuple] = []  # transfers in transit
    items = {it.id: it for it in org.items}
    for day, _order, kind, point in events:
        while arriving and arriving[0][0] <= day:
            _receive(world, org, rows, shelf, items, arriving.pop(0))
        if kind == "intake":
            _intake(world, org, rows, shelf, day, point)
        elif kind == "distribution":
            _distribution(world, org, rows, shelf, items, day, point)
        elif kind == "sale":
            _sale(world, org, rows, shelf, items, day, point)
        elif kind == "transfer":
            _transfer(world, org, rows, shelf, items, day, point, arriving)
        elif kind == "write_off":
            _write_off(world, org, rows, shelf, items, day, point)
        else:
            _expiry_check(world, org, rows, shelf, items, day, point)
    for arrival in arriving:  # sent near the end of the window, received since
        _receive(world, org, rows, shelf, items, arrival)


class _Shelf:
    """Stock per point and (item, batch), and each food batch's expiry date (a batch is named
    after its expiry date, so one batch has one date at every point)."""

    def __init__(self, stock: dict[int, dict[tuple[int, str], Decimal]],
                 expiry: dict[tuple[int, str], dt.date]):
        self.stock, self.expiry = stock, expiry

    def add(self, point: int, item_id: int, batch: str, qty: Decimal) -> None:
        key = (item_id, batch)
        left = self.stock[point].get(key, Decimal("0")) + qty
        if left:
            self.stock[point][key] = left
        else:  # an empty batch is gone from the shelf (keeps every scan short)
            self.stock[point].pop(key, None)

    def usable(self, point: int, day: dt.date) -> dict[int, list[tuple[str, Decimal]]]:
        """Item → its batches within their expiry date on `day`, first-expired-first-out."""
        out: dict[int, list[tuple[str, Decimal]]] = {}
        for (item_id, batch), qty in self.stock[point].items():
            expiry = self.expiry.get((item_id, batch))
            if qty > 0 and (expiry is None or expiry >= day):
                out.setdefault(item_id, []).append((batch, qty))
        for batches in out.values():
            batches.sort(key=lambda b: (b[0] == "", b[0]))  # ISO dates sort as dates
        return out

    def expired(self, point: int, day: dt.date) -> list[tuple[int, str, Decimal]]:
        return sorted((item_id, batch, qty) for (item_id, batch), qty in self.stock[point].items()
                      if qty > 0 and self.expiry.get((item_id, batch), day) < day)


def _movement(world: World, org: Org, point: int, item: Item, qty: Decimal, kind: str,
              day: dt.date, doc_type: str, doc_id: int, posted_at: dt.datetime,
              batch: str = "", reason: str = "") -> dict:
    return {"id": world.ids.one(StockMovement.__table__), "organization_id": org.id,
            "point_id": point, "item_type_id": item.id, "batch": batch, "kind": kind,
            "quantity": qty, "unit_value": item.unit_value, "movement_date": day,
            "document_type": doc_type, "document_id": doc_id, "reverses_id": None,
            "reason": reason, "posted_by_id": org.manager_id, "posted_at": posted_at}


def _campaign_on(world: World, org: Org, day: dt.date):
    running = [c for c in org.campaigns if c.start <= day <= c.end]
    return world.rng.choice(running).id if running else None


def _intake(world, org, rows, shelf, day, point) -> None:
    rng = world.rng
    intake_id = world.ids.one(Intake.__table__)
    at = world.moment(day)
    lines = rng.sample(org.items, rng.choice((1, 1, 2, 2, 2, 3, 4)))
    total = Decimal("0")
    for item in sorted(lines, key=lambda it: it.id):
        qty = Decimal(rng.choice((1, 1, 2, 3, 5, 10, 20)))
        total += qty * item.unit_value
        # Food within its expiry date, inspected; its batch is named after the date.
        expiry = day + dt.timedelta(days=rng.randint(20, 300)) if item.perishable else None
        batch = expiry.isoformat() if expiry else ""
        rows.add(IntakeLine, {
            "id": world.ids.one(IntakeLine.__table__), "intake_id": intake_id,
            "item_type_id": item.id, "quantity": qty, "condition": rng.choice(CONDITIONS),
            "unit_value": item.unit_value, "valuation_basis": "参照同类物品市场价",
            "batch": batch, "production_date": None, "expiry_date": expiry, "inspected": True})
        rows.add(StockMovement, _movement(world, org, point, item, qty, "donation_in", day,
                                          "intake", intake_id, at, batch=batch))
        if expiry:
            shelf.expiry[(item.id, batch)] = expiry
        shelf.add(point, item.id, batch, qty)
    donor = rng.choice(org.donors) if rng.random() < 0.7 else None
    campaign = _campaign_on(world, org, day) if rng.random() < 0.3 else None
    rows.add(Intake, {"id": intake_id, "organization_id": org.id, "point_id": point,
                      "donor_id": donor, "campaign_id": campaign, "received_on": day,
                      "receipt_id": None, "preregistration_id": None,
                      "total_value": total.quantize(TWO), "status": "posted", "note": "",
                      "reversed_reason": "", "replaces_id": None,
                      "posted_by_id": org.manager_id, "posted_at": at})


def _take(world, shelf, point, day, items, n_lines, want=(1, 1, 2, 3), sellable=False):
    """Up to `n_lines` items the shelf can give on `day`, as (item, batch, quantity) parts
    taken first-expired-first-out from the batches within their expiry date."""
    usable = shelf.usable(point, day)
    on_hand = sorted(i for i in usable if not sellable or items[i].sale_price is not None)
    if not on_hand:
        return []
    chosen = world.rng.sample(on_hand, min(n_lines, len(on_hand)))
    out = []
    for item_id in sorted(chosen):
        left = min(sum(q for _b, q in usable[item_id]), Decimal(world.rng.choice(want)))
        for batch, qty in usable[item_id]:
            if left <= 0:
                break
            part = min(left, qty)
            shelf.add(point, item_id, batch, -part)
            out.append((items[item_id], batch, part))
            left -= part
    return out


def _distribution(world, org, rows, shelf, items, day, point) -> None:
    rng = world.rng
    taken = _take(world, shelf, point, day, items, rng.choice((1, 2, 2, 3, 3, 4)))
    if not taken:
        return
    dist_id = world.ids.one(Distribution.__table__)
    at = world.moment(day)
    running = [p for p in org.projects if p.start <= day <= p.end]
    project = rng.choice(running).id if running and rng.random() < 0.5 else None
    rows.add(Distribution, {"id": dist_id, "organization_id": org.id, "point_id": point,
                            "beneficiary_id": rng.choice(org.beneficiaries),
                            "project_id": project, "distributed_on": day, "points_total": 0,
                            "status": "posted", "reversed_reason": "",
                            "posted_by_id": org.manager_id, "posted_at": at})
    for item, batch, qty in taken:
        rows.add(DistributionLine, {"id": world.ids.one(DistributionLine.__table__),
                                    "distribution_id": dist_id, "item_type_id": item.id,
                                    "batch": batch, "quantity": qty,
                                    "unit_value": item.unit_value, "points": 0})
        rows.add(StockMovement, _movement(world, org, point, item, -qty, "distribution", day,
                                          "distribution", dist_id, at, batch=batch))


def _sale(world, org, rows, shelf, items, day, point) -> None:
    taken = _take(world, shelf, point, day, items, world.rng.choice((1, 1, 2, 3)),
                  sellable=True)
    if not taken:
        return
    sale_id = world.ids.one(Sale.__table__)
    entry_id = world.ids.one(FundEntry.__table__)
    at = world.moment(day)
    total = sum((qty * item.sale_price for item, _b, qty in taken), Decimal("0")).quantize(TWO)
    rows.add(Sale, {"id": sale_id, "organization_id": org.id, "point_id": point,
                    "sold_on": day, "payment_method": world.rng.choice(PAYMENTS),
                    "total": total, "campaign_id": None, "fund_entry_id": entry_id,
                    "status": "posted", "posted_by_id": org.manager_id, "posted_at": at})
    for item, batch, qty in taken:
        rows.add(SaleLine, {"id": world.ids.one(SaleLine.__table__), "sale_id": sale_id,
                            "item_type_id": item.id, "batch": batch, "quantity": qty,
                            "unit_price": item.sale_price,
                            "amount": (qty * item.sale_price).quantize(TWO)})
        rows.add(StockMovement, _movement(world, org, point, item, -qty, "sale", day, "sale",
                                          sale_id, at, batch=batch))
    rows.add(FundEntry, {
        "id": entry_id, "organization_id": org.id, "kind": "sale_income", "entry_date": day,
        "amount": total, "campaign_id": None, "project_id": None, "donor_id": None,
        "counterparty": "慈善超市", "channel": None, "activity": None,
        "purpose": "慈善超市义卖收入", "voucher_no": "", "reference": f"sale:{sale_id}",
        "restricted": False, "note": "", "transfer_group": None, "reverses_id": None,
        "replaces_id": None, "correction_reason": "", "receipt_id": None,
        "source_type": "sale", "source_id": sale_id, "posted_by_id": None, "posted_at": at})


def _transfer(world, org, rows, shelf, items, day, point, arriving) -> None:
    targets = [p for p in (org.supermarkets or org.points) if p != point]
    if not targets:
        return
    taken = _take(world, shelf, point, day, items, world.rng.choice((1, 2, 3)),
                  want=(2, 5, 10))
    if not taken:
        return
    to_point = world.rng.choice(targets)
    transfer_id = world.ids.one(Transfer.__table__)
    at = world.moment(day)
    arrives = day + dt.timedelta(days=world.rng.randint(0, 3))
    received = arrives < world.today
    rows.add(Transfer, {"id": transfer_id, "organization_id": org.id, "from_point_id": point,
                        "to_point_id": to_point,
                        "status": "received" if received else "in_transit",
                        "note": "网点间调拨", "sent_on": day, "sent_at": at,
                        "sent_by_id": org.manager_id,
                        "received_at": world.moment(arrives) if received else None,
                        "received_by_id": org.manager_id if received else None})
    for item, batch, qty in taken:
        rows.add(TransferLine, {"id": world.ids.one(TransferLine.__table__),
                                "transfer_id": transfer_id, "item_type_id": item.id,
                                "batch": batch,
                                "expiry_date": shelf.expiry.get((item.id, batch)),
                                "unit_value": item.unit_value, "quantity_sent": qty,
                                "quantity_received": qty if received else None,
                                "loss_reason": ""})
        rows.add(StockMovement, _movement(world, org, point, item, -qty, "transfer_out", day,
                                          "transfer", transfer_id, at, batch=batch))
        if received:
            arriving.append((arrives, to_point, item.id, batch, qty, transfer_id))
    arriving.sort(key=lambda a: a[0])


def _receive(world, org, rows, shelf, items, arrival) -> None:
    day, point, item_id, batch, qty, transfer_id = arrival
    rows.add(StockMovement, _movement(world, org, point, items[item_id], qty, "transfer_in",
                                      day, "transfer", transfer_id, world.moment(day),
                                      batch=batch))
    shelf.add(point, item_id, batch, qty)


def _write_off(world, org, rows, shelf, items, day, point) -> None:
    """Goods found damaged (food past its date is the weekly check's)."""
    for item, batch, qty in _take(world, shelf, point, day, items, 1):
        _post_write_off(world, org, rows, point, item, batch, qty, day, "damaged", "盘点时发现")


def _expiry_check(world, org, rows, shelf, items, day, point) -> None:
    """The weekly check: every batch past its expiry date is written off, whole."""
    for item_id, batch, qty in shelf.expired(point, day):
        shelf.add(point, item_id, batch, -qty)
        _post_write_off(world, org, rows, point, items[item_id], batch, qty, day, "expired",
                        "过期检查")


def _post_write_off(world, org, rows, point, item, batch, qty, day, reason, note) -> None:
    wo_id = world.ids.one(WriteOff.__table__)
    at = world.moment(day)
    rows.add(WriteOff, {"id": wo_id, "organization_id": org.id, "point_id": point,
                        "item_type_id": item.id, "batch": batch, "quantity": qty,
                        "reason": reason, "note": note, "written_off_on": day,
                        "posted_by_id": org.manager_id, "posted_at": at})
    rows.add(StockMovement, _movement(world, org, point, item, -qty, "write_off", day,
                                      "write_off", wo_id, at, batch=batch, reason=reason))
