"""What the staff complaint page shows of the follow-up: the events (extensions, call-backs,
reopening) and the extension and call-back forms, where the user may use them."""
from __future__ import annotations

from flask_login import current_user

from charity.auth.permissions import can
from charity.complaints.followup import EVENT_LABELS, OPEN_STEPS, RATING_LABELS, can_rate
from charity.complaints.forms import CallbackForm, ExtendForm


def followup_context(complaint, extend_form=None, callback_form=None) -> dict:
    manager = can(current_user, "complaints.manage", complaint)
    may_extend = manager and complaint.status in OPEN_STEPS
    may_call_back = manager and can_rate(complaint)
    return {"events": complaint.events, "event_labels": EVENT_LABELS,
            "rating_labels": RATING_LABELS,
            "extend_form": (extend_form or ExtendForm()) if may_extend else None,
            "callback_form": (callback_form or CallbackForm()) if may_call_back else None}
