"""Links from the goods screens to other screens, offered only when the app serves them
(and, for another feature's screen, only to users who may read it)."""
from __future__ import annotations

from flask import current_app, url_for
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.i18n import _l
from charity.goods.forms.stock import WRITE_OFF_LABELS

# Where a stock movement's document is shown (endpoint, URL argument).
DOCUMENT_VIEWS = {"intake": ("intake.intake_view", "intake_id"),
                  "distribution": ("distributions.distribution_view", "distribution_id"),
                  "sale": ("sales.sale_view", "sale_id"),
                  "transfer": ("transfers.transfer_view", "transfer_id"),
                  "stocktake": ("stocktakes.stocktake_view", "stocktake_id")}
# How a stock movement names its document (as the document's own page is titled).
DOCUMENT_LABELS = {"intake": _l("Donation received %(id)s"),
                   "distribution": _l("Handover slip %(id)s"),
                   "sale": _l("Sale %(id)s"), "transfer": _l("Transfer %(id)s"),
                   "stocktake": _l("Stocktake %(id)s"), "write_off": _l("Write-off %(id)s")}


def served_url(endpoint: str, **values) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def document_url(movement) -> str | None:
    """The screen of the document a stock movement belongs to."""
    view = DOCUMENT_VIEWS.get(movement.document_type)
    return served_url(view[0], **{view[1]: movement.document_id}) if view else None


def document_label(movement) -> str:
    """"Sale 214", in the reader's language ("义卖单 214")."""
    label = DOCUMENT_LABELS.get(movement.document_type)
    if label is None:
        return f"{movement.document_type} {movement.document_id}"
    return str(label) % {"id": movement.document_id}


def reason_label(movement) -> str:
    """The movement's reason: a write-off's reason code translated, typed text as typed."""
    if movement.reason is None:
        return "—"
    if movement.document_type == "write_off":
        return str(WRITE_OFF_LABELS.get(movement.reason, movement.reason))
    return movement.reason


def other_feature_url(object_id, endpoint: str, permission: str, document, **values):
    """The other feature's record `object_id` names (a receipt, a ledger entry), if any and
    the user may read it."""
    if object_id is None or not can(current_user, permission, document):
        return None
    return served_url(endpoint, **values)
