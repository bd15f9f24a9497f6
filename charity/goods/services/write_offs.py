"""Write-offs: expired, damaged or unusable goods taken off the shelf, with the reason."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.models import MovementKind, WriteOff, WriteOffReason
from charity.goods.services.checks import check_quantity, item_of, not_future
from charity.goods.services.stock_ledger import move


def post_write_off(actor, session: Session, point, data: dict,
                   today: dt.date | None = None) -> WriteOff:
    """Take expired, damaged or unusable goods off the shelf, with the reason."""
    require(actor, "goods.write_off", point)
    org = point.organization
    today = today or org_today(org)
    day = not_future(data.get("written_off_on") or today, today, "written_off_on")
    try:
        reason = WriteOffReason(data.get("reason"))
    except ValueError:
        raise ValidationFailed(_l("Choose the reason."), field="reason") from None
    item = item_of(session, org.id, data.get("item_type_id"), "item_type_id")
    qty = check_quantity(data.get("quantity"), item, "quantity", data.get("unit_id"))
    batch = (data.get("batch") or "").strip()
    wo = WriteOff(organization_id=org.id, point_id=point.id, item_type_id=item.id, batch=batch,
                  quantity=qty, reason=reason, note=(data.get("note") or "").strip()[:300],
                  written_off_on=day, posted_by_id=getattr(actor, "id", None))
    session.add(wo)
    session.flush()
    move(session, organization_id=org.id, point_id=point.id, item_type=item, quantity=-qty,
         kind=MovementKind.WRITE_OFF, movement_date=day, document_type="write_off",
         document_id=wo.id, actor=actor, batch=batch, reason=reason.value, field="quantity")
    record(session, actor, "write_off.post", wo, {"item": item.id, "quantity": str(qty),
                                                  "reason": reason.value})
    session.flush()
    return wo
