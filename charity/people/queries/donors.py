"""Donors as the screens read them: the filtered list, the counter's picker, and a donor's
giving history (ledger entries and receipts)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.auth.permissions import can, scope_organizations
from charity.core.db import contains
from charity.funds.models import FundEntry, Receipt
from charity.people.models import Donor, DonorKind


def _matching(stmt, q: str, by_phone: bool):
    """Donors whose name — or, for those who may see phones, phone — contains `q`. Searching
    phone digits on masked values would give them back a digit at a time (issue 16)."""
    if not q:
        return stmt
    if by_phone:
        return stmt.where(sa.or_(contains(Donor.name, q), contains(Donor.phone, q)))
    return stmt.where(contains(Donor.name, q))


def donor_list(user, q: str, kind: str):
    """The donors of the user's organisations whose name (or phone, for users who may see
    it: donors.private) contains `q`, of `kind` ('' or an unknown kind: both), by name."""
    stmt = scope_organizations(user, sa.select(Donor), Donor.organization_id)
    stmt = _matching(stmt, q, can(user, "donors.private"))
    if kind in set(DonorKind):
        stmt = stmt.where(Donor.kind == kind)
    return stmt.order_by(Donor.name, Donor.id)


def find_donors(session: Session, organization_id: int, q: str, limit: int = 20, *,
                by_phone: bool = False) -> list[Donor]:
    """Donors whose name (and with `by_phone`, phone) contains `q` (pickers at the counter;
    `by_phone` only for users who may see phones: donors.private)."""
    q = (q or "").strip()[:50]
    stmt = _matching(sa.select(Donor).where(Donor.organization_id == organization_id), q,
                     by_phone)
    return list(session.scalars(stmt.order_by(Donor.name).limit(limit)))


def donor_entries(donor: Donor):
    """The donor's ledger entries, newest first, with campaign, project and receipt."""
    return (sa.select(FundEntry).where(FundEntry.donor_id == donor.id)
            .options(selectinload(FundEntry.campaign), selectinload(FundEntry.project),
                     selectinload(FundEntry.receipt))
            .order_by(FundEntry.entry_date.desc(), FundEntry.id.desc()))


def donor_receipts(donor: Donor):
    """The receipts issued to the donor, newest first."""
    return (sa.select(Receipt).where(Receipt.donor_id == donor.id)
            .order_by(Receipt.issued_on.desc(), Receipt.id.desc()))
