"""Finding the objects a posting names by id: only the organisation's own are found."""
from __future__ import annotations

from charity.core.errors import ValidationFailed

MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


def load_for_org(session, model, object_id, organization_id, field, message):
    """The `model` row `object_id` of the organisation, None when no id was given; an unknown,
    foreign or impossible id is refused with `message` on `field`."""
    if object_id in (None, "", 0):
        return None
    try:
        obj_id = int(object_id)
        # Bounded: a larger id overflows SQLite and aborts PostgreSQL's transaction.
        obj = session.get(model, obj_id) if 0 < obj_id <= MAX_ID else None
    except (TypeError, ValueError):
        obj = None
    if obj is None or obj.organization_id != organization_id:
        raise ValidationFailed(message, field=field)
    return obj
