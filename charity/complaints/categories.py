"""The complaint categories an organisation configures: the default set, add, rename,
(de)activate, and the one a public complaint is filed under."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.complaints.models import ComplaintCategory, ComplaintChannel
from charity.complaints.queries import categories_of
from charity.complaints import rules
from charity.complaints.rules import DEFAULT_CATEGORIES
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l


def ensure_default_categories(session: Session, org) -> list[ComplaintCategory]:
    """Give an organisation that has no categories at all the default set (idempotent)."""
    existing = categories_of(session, org.id)
    if existing:
        return existing
    made = [ComplaintCategory(organization_id=org.id, name=name, sort_order=i,
                              channel=ComplaintChannel.ONLINE)
            for i, name in enumerate(DEFAULT_CATEGORIES)]
    session.add_all(made)
    session.flush()
    return made


def public_category(session: Session, org, name: str) -> ComplaintCategory:
    """The active online category `name` of `org` (creating the defaults on first use)."""
    ensure_default_categories(session, org)
    category = session.scalar(sa.select(ComplaintCategory).where(
        ComplaintCategory.organization_id == org.id, ComplaintCategory.name == (name or ""),
        ComplaintCategory.active.is_(True),
        ComplaintCategory.channel == ComplaintChannel.ONLINE))
    if category is None:
        raise ValidationFailed(_l("Choose one of the categories of this organisation."),
                               field="category")
    return category


def _days(data: dict, key: str, default: int, high: int) -> int:
    """A time limit in working days (1…high); the default when the form did not send it."""
    value = data.get(key)
    if value in (None, ""):
        return default
    if not isinstance(value, int) or not 1 <= value <= high:
        raise ValidationFailed(_l("A whole number of working days from 1 to %(n)d.", n=high),
                               field=key)
    return value


def _clean(session: Session, org_id: int, data: dict, exclude_id: int | None = None,
           current=None) -> dict:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed(_l("Enter a name."), field="name")
    if len(name) > 50:
        raise ValidationFailed(_l("At most 50 characters."), field="name")
    try:
        channel = ComplaintChannel(data.get("channel") or ComplaintChannel.ONLINE)
    except ValueError:
        raise ValidationFailed(_l("Choose a channel."), field="channel") from None
    clash = session.scalar(sa.select(ComplaintCategory.id).where(
        ComplaintCategory.organization_id == org_id, ComplaintCategory.name == name,
        ComplaintCategory.id != (exclude_id or -1)))
    if clash is not None:
        raise ValidationFailed(_l("This organisation already has a category of that name."),
                               field="name")
    limits = {"accept_days": _days(data, "accept_days",
                                   getattr(current, "accept_days", rules.ACCEPT_DAYS), 5),
              "answer_days": _days(data, "answer_days",
                                   getattr(current, "answer_days", rules.ANSWER_DAYS), 60)}
    return {"name": name, "channel": channel, **limits}


def add_category(actor, session: Session, org, data: dict) -> ComplaintCategory:
    """Add a category to `org` (unique name per organisation)."""
    require(actor, "complaints.manage", org)
    ensure_default_categories(session, org)
    clean = _clean(session, org.id, data)
    order = session.scalar(sa.select(sa.func.max(ComplaintCategory.sort_order)).where(
        ComplaintCategory.organization_id == org.id)) or 0
    category = ComplaintCategory(organization_id=org.id, sort_order=order + 1, **clean)
    session.add(category)
    session.flush()
    record(session, actor, "complaint_category.add", category,
           {"name": category.name, "channel": category.channel.value,
            "accept_days": category.accept_days, "answer_days": category.answer_days})
    return category


def update_category(actor, session: Session, category: ComplaintCategory,
                    data: dict) -> ComplaintCategory:
    """Rename a category, change its channel or (de)activate it. Complaints filed under it
    keep it; a deactivated category is no longer offered."""
    require(actor, "complaints.manage", category)
    clean = _clean(session, category.organization_id, data, exclude_id=category.id,
                   current=category)
    changes = {}
    for key, value in (*clean.items(), ("active", bool(data.get("active")))):
        if getattr(category, key) != value:
            changes[key] = [str(getattr(category, key)), str(value)]
            setattr(category, key, value)
    if changes:
        record(session, actor, "complaint_category.update", category, changes)
    session.flush()
    return category
