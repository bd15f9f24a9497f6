"""What the delivery blueprints share: loading a delivery and what its viewer may see."""
from __future__ import annotations

from flask_login import current_user

from charity.core.extensions import db
from charity.delivery.models import Delivery
from charity.delivery.queries import addresses
from charity.delivery.services import may_see_address
from charity.web.access import load


def load_delivery(delivery_id: int, permission: str = "delivery.view") -> Delivery:
    return load(Delivery, delivery_id, permission)


def private_view(deliveries: list[Delivery]) -> dict[int, dict]:
    """Delivery id → {address, phone} for the deliveries whose household's contact the
    current user may see (the assignee and managers); the others are left out."""
    shown = [d for d in deliveries if may_see_address(current_user, d)]
    found = addresses(db.session, shown)
    return {d.id: {"address": found[d.id], "phone": d.beneficiary.phone} for d in shown}
