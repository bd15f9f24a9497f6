"""What every create/edit service does around a change: take the fields it accepts, check
a choice, apply the cleaned values, audit what changed (or what was created).

Every service of organisations, points, donors, households, volunteers, accounts and wishes
did these steps by hand — compare, set, record. They live here once, beside the audit log's
`diff` and `record`: every service says "may they?" (`require`) and then "what was done".
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import diff, record
from charity.core.errors import ValidationFailed


def picked(data: dict, fields) -> dict:
    """The `fields` present in `data` (what a form or caller sent), strings stripped."""
    return {key: data[key].strip() if isinstance(data[key], str) else data[key]
            for key in fields if key in data}


def member(enum_cls, value, message, field: str):
    """`value` as a member of `enum_cls`; anything else is refused with `message` on `field`."""
    try:
        return enum_cls(value)
    except ValueError:
        raise ValidationFailed(message, field=field) from None


def apply_changes(obj, values: dict) -> dict:
    """Set `values` on `obj`; return {field: [old, new]} for the fields that differed."""
    changes = diff(obj, values)
    for key, value in values.items():
        setattr(obj, key, value)
    return changes


def update_audited(session: Session, actor, obj, values: dict, action: str, *,
                   summary: Callable[[dict], dict] | None = None, always: bool = False,
                   organization_id: int | None = None) -> dict:
    """Apply `values` to `obj` and record `action` with the changes (or `summary(changes)`,
    e.g. with private values blanked out). Nothing is recorded when nothing changed, unless
    `always`. Flushes; returns the changes."""
    changes = apply_changes(obj, values)
    if changes or always:
        record(session, actor, action, obj, summary(changes) if summary else changes,
               organization_id=organization_id)
    session.flush()
    return changes


def switch_active(session: Session, actor, obj, active: bool, kind: str) -> bool:
    """Turn `obj` on or off (nothing is deleted), recording `<kind>.activate` or
    `<kind>.deactivate`. Returns False, recording nothing, when it already was."""
    if obj.active == active:
        return False
    obj.active = active
    record(session, actor, f"{kind}.activate" if active else f"{kind}.deactivate", obj)
    session.flush()
    return True



@contextmanager
def refused_if_taken(session: Session, taken: Callable[[], bool], message, field: str):
    """Run the block (the writes of a unique value) in a savepoint and flush it. When two
    requests write the same unique value at the same instant, both pass the service's own
    "is it free?" check and the database refuses the second: if `taken()` then confirms the
    value is now someone else's, that is ValidationFailed(`message`, `field`) — an answer on
    the form, with the transaction still usable — instead of an IntegrityError (a 500)."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except sa.exc.IntegrityError:
        if not taken():
            raise
        raise ValidationFailed(message, field=field) from None


def create_audited(session: Session, actor, obj, action: str,
                   summary: Callable[[object], dict] | None = None,
                   organization_id: int | None = None, *,
                   unique: tuple[Callable[[], bool], object, str] | None = None):
    """Add the new `obj`, flush (it gets its id and defaults), then record `action` with
    `summary(obj)`. Returns `obj`. `unique`: (taken, message, field) for
    `refused_if_taken`, when `obj` holds a value that must be unique."""
    if unique is None:
        session.add(obj)
        session.flush()
    else:
        with refused_if_taken(session, *unique):
            session.add(obj)
    record(session, actor, action, obj, summary(obj) if summary else None,
           organization_id=organization_id)
    return obj
