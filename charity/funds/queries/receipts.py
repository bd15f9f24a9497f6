"""The money feature's read side for receipts and non-cash gifts: the lists and the gift
form's choices."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from charity.auth.permissions import scope_organizations
from charity.core.db import contains
from charity.core.extensions import db
from charity.funds.models import (Campaign, CampaignStatus, NonCashGift, Project,
                                  ProjectStatus, Receipt)
from charity.people.models import Donor

GIFT_DONOR_LIMIT = 300  # donors offered by the gift form

def receipt_list(user, q: str, status: str, year: int | None):
    """The receipt list's select (newest number first) and the years there are receipts of."""
    base = scope_organizations(user, sa.select(Receipt), Receipt.organization_id)
    stmt = base
    if q:
        stmt = stmt.where(sa.or_(contains(Receipt.number, q), contains(Receipt.payer_name, q)))
    if status:
        stmt = stmt.where(Receipt.status == status)
    if year:
        stmt = stmt.where(Receipt.year == year)
    years = db.session.scalars(
        base.with_only_columns(Receipt.year).distinct().order_by(Receipt.year.desc())).all()
    return stmt.order_by(Receipt.year.desc(), Receipt.seq.desc(), Receipt.id.desc()), years


def gift_list(user, q: str, kind: str):
    """The non-cash gift list's select, newest first (searched by description and donor)."""
    stmt = scope_organizations(user, sa.select(NonCashGift), NonCashGift.organization_id)
    if q:
        stmt = stmt.outerjoin(Donor, Donor.id == NonCashGift.donor_id).where(
            sa.or_(contains(NonCashGift.description, q), contains(Donor.name, q)))
    if kind:
        stmt = stmt.where(NonCashGift.property_type == kind)
    return stmt.options(selectinload(NonCashGift.donor),
                        selectinload(NonCashGift.receipt)).order_by(
        NonCashGift.received_on.desc(), NonCashGift.id.desc())


def gift_choices(orgs, donor_id: int | None):
    """Donors (the latest, plus the one asked for), running campaigns and open projects of
    these organisations, for the gift form."""
    org_ids = [o.id for o in orgs] or [-1]
    donors = list(db.session.scalars(
        sa.select(Donor).where(Donor.organization_id.in_(org_ids))
        .order_by(Donor.created_at.desc(), Donor.id.desc()).limit(GIFT_DONOR_LIMIT)))
    # Bounded: a larger posted id overflows SQLite and aborts PostgreSQL's transaction.
    if donor_id and 0 < donor_id < 2**31 and donor_id not in {d.id for d in donors}:
        extra = db.session.get(Donor, donor_id)
        if extra is not None and extra.organization_id in org_ids:
            donors.append(extra)
    donors.sort(key=lambda d: (d.name, d.id))
    campaigns = db.session.scalars(
        sa.select(Campaign).where(Campaign.organization_id.in_(org_ids),
                                  Campaign.status == CampaignStatus.ACTIVE)
        .order_by(Campaign.name)).all()
    projects = db.session.scalars(
        sa.select(Project).where(Project.organization_id.in_(org_ids),
                                 Project.status != ProjectStatus.CLOSED)
        .order_by(Project.name)).all()
    return donors, campaigns, projects
