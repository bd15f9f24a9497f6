"""Drop-offs announced online (no sign-in): the donor gets a code to bring to the counter."""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.models import PreRegistration

PREREG_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def preregister(session: Session, point, data: dict, today: dt.date | None = None
                ) -> PreRegistration:
    """A donor announces a drop-off online (no sign-in) and gets a code for the counter."""
    if not point.active:
        raise ValidationFailed(_l("This charity point is closed."), field="point_id")
    items = (data.get("items") or "").strip()
    if not items:
        raise ValidationFailed(_l("Say what you will bring."), field="items")
    expected = data.get("expected_on")
    today = today or org_today(point.organization)
    if expected is not None and expected < today:
        raise ValidationFailed(_l("The date is in the past."), field="expected_on")
    for _ in range(10):
        code = "".join(secrets.choice(PREREG_ALPHABET) for _ in range(6))
        if session.scalar(sa.select(PreRegistration.id).where(PreRegistration.code == code)) is None:
            break
    prereg = PreRegistration(code=code, point_id=point.id,
                             donor_name=(data.get("donor_name") or "").strip()[:100],
                             donor_phone=(data.get("donor_phone") or "").strip()[:50],
                             items=items[:2000], expected_on=expected,
                             wants_receipt=bool(data.get("wants_receipt", True)))
    session.add(prereg)
    session.flush()
    return prereg
