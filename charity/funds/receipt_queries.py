"""What the receipt-settings screen reads: finance-bureau allocations and review settings
(the rest of the money feature's reads are in charity.funds.queries)."""
from __future__ import annotations

import sqlalchemy as sa

from charity.auth.permissions import scope_organizations
from charity.core.extensions import db
from charity.funds.models import ReceiptAllocation, ReceiptPolicy
from charity.orgs.models import Organization


def receipt_allocations(user) -> list:
    """The finance-bureau receipt allocations of the organisations `user` works in, newest
    first, with their organisation."""
    stmt = scope_organizations(user, sa.select(ReceiptAllocation, Organization.name).join(
        Organization, Organization.id == ReceiptAllocation.organization_id),
        ReceiptAllocation.organization_id)
    return list(db.session.execute(stmt.order_by(ReceiptAllocation.valid_from.desc(),
                                                 ReceiptAllocation.id.desc())))


def review_settings(organisations) -> dict[int, bool]:
    """Organisation id → whether its receipts need a second person's review."""
    ids = [o.id for o in organisations]
    found = dict(db.session.execute(sa.select(ReceiptPolicy.organization_id,
                                              ReceiptPolicy.review_required)
                                    .where(ReceiptPolicy.organization_id.in_(ids))).all())
    return {i: bool(found.get(i)) for i in ids}
