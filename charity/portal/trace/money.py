"""What became of donated money, first-in-first-out within its fund (the money half of the
donation trace).

The donations into a restricted campaign, in posting order, form a cumulative inflow, its
spending and transfers out a cumulative outflow (each correction netted into the entry it
reverses); where this donation's interval of the inflow overlaps an outflow, that outflow
spent this money. The general fund is followed the same way; a gift directed to one project
outside any campaign within that project's general-fund money.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.funds.models import Campaign, EntryKind, FundEntry, Project
from charity.funds.services.ledger import INFLOWS, OUTFLOWS
from charity.portal.trace.fifo import ZERO, net_of_reversals

MAX_USES = 200  # outflow rows shown per donation; the rest are summed


@dataclass
class Use:
    """Part of a donation that left its fund. kind: project_spending, other_spending,
    fundraising_cost, transfer_out, more (the sum of rows beyond MAX_USES)."""

    kind: str
    amount: Decimal
    day: dt.date | None = None
    project: str = ""
    purpose: str = ""
    to_fund: str = ""


@dataclass
class MoneyPart:
    amount: Decimal
    day: dt.date
    campaign: str = ""  # empty: the general fund
    project: str = ""  # a gift directed to one project outside any campaign
    uses: list[Use] = field(default_factory=list)
    unspent: Decimal = ZERO



def _fund_filter(entry: FundEntry):
    if entry.campaign_id is not None:
        return FundEntry.campaign_id == entry.campaign_id
    general = sa.and_(FundEntry.organization_id == entry.organization_id,
                      FundEntry.campaign_id.is_(None))
    if entry.project_id is not None:
        # A gift directed to one project: followed within that project's general-fund money.
        return sa.and_(general, FundEntry.project_id == entry.project_id)
    return general


def money_part(session: Session, entry: FundEntry) -> MoneyPart:
    """Where this donation's money went, first-in-first-out within its fund.

    One query reads the fund's entries in posting order (O(entries of the fund)); two more
    name the projects and the funds money was moved to.
    """
    part = MoneyPart(amount=entry.amount, day=entry.entry_date)
    if entry.campaign_id is not None:
        part.campaign = session.get(Campaign, entry.campaign_id).name
    elif entry.project_id is not None:
        part.project = session.get(Project, entry.project_id).name
    rows = session.execute(sa.select(
        FundEntry.id, FundEntry.kind, FundEntry.amount, FundEntry.entry_date,
        FundEntry.project_id, FundEntry.purpose, FundEntry.reverses_id,
        FundEntry.transfer_group).where(_fund_filter(entry)).order_by(FundEntry.id)).all()
    net, originals = net_of_reversals(rows, "amount")
    start = sum((net[r.id] for r in originals
                 if EntryKind(r.kind) in INFLOWS and r.id < entry.id), ZERO)
    end = start + net.get(entry.id, ZERO)
    used, cum = [], ZERO
    for row in originals:
        if EntryKind(row.kind) not in OUTFLOWS or net[row.id] <= 0:
            continue
        lo, hi = cum, cum + net[row.id]
        cum = hi
        if hi <= start:
            continue
        if lo >= end:
            break
        used.append((row, min(hi, end) - max(lo, start)))
    part.uses = _describe(session, used)
    part.unspent = max(ZERO, (end - start) - sum((amount for _, amount in used), ZERO))
    return part


def _describe(session: Session, used) -> list[Use]:
    project_ids = {row.project_id for row, _ in used if row.project_id}
    projects = dict(session.execute(sa.select(Project.id, Project.name).where(
        Project.id.in_(project_ids))).tuples().all()) if project_ids else {}
    groups = {row.transfer_group for row, _ in used
              if EntryKind(row.kind) == EntryKind.TRANSFER_OUT and row.transfer_group}
    destinations = {}
    if groups:
        for group, campaign in session.execute(
                sa.select(FundEntry.transfer_group, Campaign.name)
                .outerjoin(Campaign, Campaign.id == FundEntry.campaign_id)
                .where(FundEntry.transfer_group.in_(groups),
                       FundEntry.kind == EntryKind.TRANSFER_IN,
                       FundEntry.reverses_id.is_(None))):
            destinations[group] = campaign or ""
    uses = [Use(kind=EntryKind(row.kind).value, amount=amount, day=row.entry_date,
                project=projects.get(row.project_id, ""), purpose=row.purpose,
                to_fund=destinations.get(row.transfer_group, ""))
            for row, amount in used[:MAX_USES]]
    if len(used) > MAX_USES:
        uses.append(Use(kind="more", amount=sum((a for _, a in used[MAX_USES:]), ZERO)))
    return uses
