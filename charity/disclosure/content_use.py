"""What a campaign's report says about the use of what it raised, beyond the period sums of
`content`: the goods by item name and what became of them (handed out, sold with the
proceeds, transferred, written off, unused), every spending entry of a final, and the facts
of leftover handling (Charity Law 2023 Art. 79: a final is 全面、详细; MCA Order 81: it
states how leftover property was handled).

Goods are followed first-in-first-out through the stock ledger by the donation trace's
tracer (one definition of "what became of these goods"); money facts are ledger rows.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.disclosure.amounts import ZERO, money, qty
from charity.funds.models import INFLOWS, Campaign, EntryKind, FundEntry, Project
from charity.goods.models import DocStatus, Intake, IntakeLine
from charity.portal.trace.goods import GoodsTracer, Outcome

# An outcome of the trace → the report's column.
_COLUMN = {"distributed": "handed_out", "sold": "sold", "in_transit": "transferred",
           "transferred": "transferred", "not_followed": "transferred",
           "written_off": "written_off", "lost": "written_off", "stocktake_loss": "written_off",
           "on_shelf": "unused", "expired_on_shelf": "unused"}
USE_COLUMNS = ("handed_out", "sold", "transferred", "written_off", "unused")
SPENDING_KINDS = (EntryKind.FUNDRAISING_COST, EntryKind.PROJECT_SPENDING,
                  EntryKind.OTHER_SPENDING, EntryKind.MANAGEMENT_COST)
KIND_NAMES = {EntryKind.FUNDRAISING_COST: "募捐成本", EntryKind.PROJECT_SPENDING: "项目支出",
              EntryKind.OTHER_SPENDING: "其他用途", EntryKind.MANAGEMENT_COST: "管理费用"}


def _add_outcome(row: dict, o: Outcome) -> None:
    """Add one traced outcome to an item's row: a transfer counts where its goods ended up;
    what of it is not accounted for further (still on the way) counts as transferred."""
    if o.children:
        followed = ZERO
        for child in o.children:
            _add_outcome(row, child)
            followed += Decimal(child.quantity)
        rest = Decimal(o.quantity) - followed
        if rest > 0:
            row["transferred"] += rest
        return
    column = _COLUMN.get(o.kind, "transferred")
    row[column] += Decimal(o.quantity)
    if o.kind == "sold" and o.proceeds is not None:
        row["proceeds"] += o.proceeds


def goods_use(session: Session, campaign_id: int, until: dt.date,
              today: dt.date | None = None) -> list[dict]:
    """The campaign's goods by item name (posted intakes received by `until`): received
    (quantity, fair value) and what became of them by `until`: handed out, sold (and the
    proceeds), transferred, written off (also lost or short at a stocktake), unused (still on
    a shelf, expired food included until it is written off). The five columns add up to the
    quantity received."""
    intakes = session.scalars(
        sa.select(Intake).where(Intake.campaign_id == campaign_id,
                                Intake.status == DocStatus.POSTED, Intake.received_on <= until)
        .options(selectinload(Intake.lines).selectinload(IntakeLine.item_type))
        .order_by(Intake.received_on, Intake.id)).all()
    tracer = GoodsTracer(session, today=today or until, until=until, places=False)
    rows: dict[tuple[str, str], dict] = {}
    for intake in intakes:
        values = {ln.id: ln.quantity * ln.unit_value for ln in intake.lines}
        for line, traced in zip(intake.lines, tracer.trace_intake(intake)):
            row = rows.setdefault((traced.item, traced.unit), {
                "item": traced.item, "unit": traced.unit, "received": ZERO, "value": ZERO,
                "proceeds": ZERO, **{c: ZERO for c in USE_COLUMNS}})
            row["received"] += Decimal(line.quantity)
            row["value"] += values[line.id]
            for outcome in traced.outcomes:
                _add_outcome(row, outcome)
    out = []
    for row in sorted(rows.values(), key=lambda r: (r["item"], r["unit"])):
        out.append({"item": row["item"], "unit": row["unit"], "received": qty(row["received"]),
                    "value": money(row["value"]),
                    **{c: qty(row[c]) for c in USE_COLUMNS},
                    "proceeds": money(row["proceeds"])})
    return out


def _net_rows(rows: list[FundEntry]) -> list[FundEntry]:
    """Entries of a range without the pairs that cancel out inside it (an entry and its
    reversal): what is left adds up to the range's ledger sum."""
    ids = {e.id for e in rows}
    cancelled = {e.reverses_id for e in rows if e.reverses_id in ids}
    return [e for e in rows if e.id not in cancelled and e.reverses_id not in cancelled]


def spending_items(session: Session, campaign_id: int, start: dt.date,
                   end: dt.date) -> list[dict]:
    """Every spending entry of the campaign from `start` to `end` (fundraising costs, project
    spending, other uses): date, kind, purpose, project, amount — a reversal left in the range
    appears as a negative line, a corrected pair not at all."""
    rows = session.scalars(
        sa.select(FundEntry).where(FundEntry.campaign_id == campaign_id,
                                   FundEntry.kind.in_(SPENDING_KINDS),
                                   FundEntry.entry_date >= start, FundEntry.entry_date <= end)
        .options(selectinload(FundEntry.project))
        .order_by(FundEntry.entry_date, FundEntry.id)).all()
    return [{"date": e.entry_date.isoformat(), "kind": KIND_NAMES[e.kind],
             "purpose": e.purpose or e.counterparty or "未注明",
             "project": e.project.name if e.project else "—", "amount": money(e.amount)}
            for e in _net_rows(rows)]


def _balance(session: Session, campaign_id: int, until: dt.date) -> Decimal:
    """What the campaign's fund holds at the end of day `until`, summed from the ledger."""
    signed = sa.case((FundEntry.kind.in_(sorted(INFLOWS)), FundEntry.amount),
                     else_=-FundEntry.amount)
    return Decimal(session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(signed), 0))
        .where(FundEntry.campaign_id == campaign_id, FundEntry.entry_date <= until)) or 0)


def _destination(session: Session, entry: FundEntry) -> str:
    """Where a transfer out went: the other campaign's name, or the general fund."""
    other = session.scalar(sa.select(FundEntry).where(
        FundEntry.transfer_group == entry.transfer_group, FundEntry.id != entry.id,
        FundEntry.kind == EntryKind.TRANSFER_IN))
    if other is None or other.campaign_id is None:
        return "机构非定向资金"
    return session.get(Campaign, other.campaign_id).name


def leftover_facts(session: Session, campaign: Campaign, end: dt.date,
                   as_of: dt.date) -> dict:
    """The money left at the campaign's end and what was done with it by `as_of`: each
    posted transfer out or spending after the end (date, what, where to, amount) and what
    the fund still holds (unhandled, when above zero)."""
    rows = session.scalars(
        sa.select(FundEntry).where(
            FundEntry.campaign_id == campaign.id, FundEntry.entry_date > end,
            FundEntry.entry_date <= as_of,
            FundEntry.kind.in_((EntryKind.TRANSFER_OUT, *SPENDING_KINDS)))
        .order_by(FundEntry.entry_date, FundEntry.id)).all()
    handled = []
    for e in _net_rows(rows):
        if e.kind == EntryKind.TRANSFER_OUT:
            where = f"转入{_destination(session, e)}"
        else:
            where = (f"用于项目“{session.get(Project, e.project_id).name}”"
                     if e.project_id else KIND_NAMES[e.kind])
        handled.append({"date": e.entry_date.isoformat(), "purpose": e.purpose or "—",
                        "to": where, "amount": money(e.amount)})
    return {"at_end": money(_balance(session, campaign.id, end)), "handled": handled,
            "unhandled": money(_balance(session, campaign.id, as_of)),
            "as_of": as_of.isoformat(), "plan": campaign.leftover_plan}


def campaign_use(session: Session, campaign: Campaign, kind: str, start: dt.date,
                 period_end: dt.date, as_of: dt.date | None) -> dict:
    """The use parts of a campaign's snapshot. A periodic report states the goods' use at
    its cut-off; a final (published on `as_of`) states it on its publication day, itemises
    every spending entry and sets the leftover plan against the posted facts."""
    as_of = max(as_of or period_end, period_end)
    if kind != "final":
        return {"goods_use": {"as_of": period_end.isoformat(),
                              "items": goods_use(session, campaign.id, period_end)}}
    return {"goods_use": {"as_of": as_of.isoformat(),
                          "items": goods_use(session, campaign.id, as_of)},
            "spending_items": spending_items(session, campaign.id, start, period_end),
            "leftover": leftover_facts(session, campaign, period_end, as_of)}
