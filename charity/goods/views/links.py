"""Links from the goods screens to other screens, offered only when the app serves them
(and, for another feature's screen, only to users who may read it)."""
from __future__ import annotations

from flask import current_app, url_for
from flask_login import current_user

from charity.auth.permissions import can

# Where a stock movement's document is shown (endpoint, URL argument).
DOCUMENT_VIEWS = {"intake": ("intake.intake_view", "intake_id"),
                  "distribution": ("distributions.distribution_view", "distribution_id"),
                  "sale": ("sales.sale_view", "sale_id"),
                  "transfer": ("transfers.transfer_view", "transfer_id"),
                  "stocktake": ("stocktakes.stocktake_view", "stocktake_id")}


def served_url(endpoint: str, **values) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def document_url(movement) -> str | None:
    """The screen of the document a stock movement belongs to."""
    view = DOCUMENT_VIEWS.get(movement.document_type)
    return served_url(view[0], **{view[1]: movement.document_id}) if view else None


def other_feature_url(object_id, endpoint: str, permission: str, document, **values):
    """The other feature's record `object_id` names (a receipt, a ledger entry), if any and
    the user may read it."""
    if object_id is None or not can(current_user, permission, document):
        return None
    return served_url(endpoint, **values)
