"""Correcting a posted document (intake, distribution): its stock movements are reversed
and it is marked reversed with the reason. Nothing is deleted; a replacement is a new
document."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.figures.services import keep_document
from charity.goods.models import DocStatus
from charity.goods.services.stock_ledger import reverse_document


def reverse_posted(actor, session: Session, document, document_type: str, reason: str,
                   today: dt.date | None = None,
                   undo: Callable[[str], None] | None = None):
    """Reverse `document` (a posted intake or distribution) for `reason`: its movements are
    posted the other way round, `undo(reason)` takes back what else it did (a receipt, the
    points), and the correction is logged."""
    require(actor, "goods.correct", document)
    if document.status != DocStatus.POSTED:
        raise ValidationFailed(_l("This document has already been corrected."))
    if not (reason or "").strip():
        raise ValidationFailed(_l("Say why the document is corrected."), field="reason")
    today = today or org_today(document.point.organization)
    reverse_document(session, document_type, document.id, actor, reason.strip(), today)
    if undo is not None:
        undo(reason.strip())
    keep_document(session, document_type, document, -1)
    document.status = DocStatus.REVERSED
    document.reversed_reason = reason.strip()
    record(session, actor, f"{document_type}.reverse", document, {"reason": reason})
    session.flush()
    return document
