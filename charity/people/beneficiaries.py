"""Beneficiary households (受助对象): registration, certification, privacy.

The ID number is checked, then kept only as a keyed hash and its last four characters:
`id_key` is the installation's key (views pass it; see charity.people.identity).
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.audit.edits import create_audited, member, picked, switch_active, update_audited
from charity.auth.permissions import require
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.people.identity import hash_id, is_valid_id, normalize_id
from charity.people.models import Beneficiary, BeneficiaryCategory

FIELDS = ("name", "categories", "members", "community", "phone", "address", "certified_until",
          "monthly_points", "consent_note", "consent_on")
# Fields whose values never go into the audit log.
PRIVATE = {"phone", "address", "id_number", "name"}


def _categories(values) -> list[str]:
    cats = [member(BeneficiaryCategory, c, _l("Unknown category."), "categories").value
            for c in values or []]
    if not cats:
        raise ValidationFailed(_l("Choose at least one category."), field="categories")
    return sorted(set(cats))


def _whole(value, fallback: int, low: int, high: int, message, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = fallback
    if not low <= number <= high:
        raise ValidationFailed(message, field=field)
    return number


def _id_number(session, org_id, raw: str, current: Beneficiary | None,
               id_key: bytes | None) -> dict:
    """The hash and last four of a typed ID number, refused when invalid or already
    registered for another household of the organisation."""
    number = normalize_id(raw)
    if not is_valid_id(number):
        raise ValidationFailed(_l("Not a valid resident ID number (18 characters with a "
                                  "matching check character)."), field="id_number")
    digest = hash_id(number, id_key)
    clash = session.scalar(sa.select(Beneficiary.id).where(
        Beneficiary.organization_id == org_id, Beneficiary.id_number_hash == digest))
    if clash is not None and (current is None or clash != current.id):
        raise ValidationFailed(_l("This household is already registered."), field="id_number")
    return {"id_number_hash": digest, "id_number_last4": number[-4:]}


def _clean(session, org_id, data: dict, current: Beneficiary | None,
           id_key: bytes | None) -> dict:
    clean = picked(data, FIELDS)
    if "name" in clean and not clean["name"]:
        raise ValidationFailed(_l("This field is required."), field="name")
    if "categories" in clean:
        clean["categories"] = _categories(clean["categories"])
    if "members" in clean:
        clean["members"] = _whole(clean["members"], 0, 1, 30,
                                  _l("Between 1 and 30 members."), "members")
    if "monthly_points" in clean:
        clean["monthly_points"] = _whole(clean["monthly_points"] or 0, -1, 0, 100000,
                                         _l("Enter a whole number of points."),
                                         "monthly_points")
    if data.get("id_number"):
        clean.update(_id_number(session, org_id, data["id_number"], current, id_key))
    return clean


def _audit(changes: dict) -> dict:
    return {k: ("(changed)" if k in PRIVATE else v) for k, v in changes.items()
            if k not in ("id_number_hash", "id_number_last4")}


def register(actor, session: Session, organization, data: dict, *,
             id_key: bytes | None = None) -> Beneficiary:
    """Register a household. The ID number is hashed; it is never stored or logged in clear."""
    require(actor, "beneficiaries.manage", organization)
    clean = _clean(session, organization.id, data, None, id_key)
    if "categories" not in clean:
        raise ValidationFailed(_l("Choose at least one category."), field="categories")
    return create_audited(session, actor, Beneficiary(organization_id=organization.id, **clean),
                          "beneficiary.create", lambda b: _audit({"categories": b.categories}))


def update(actor, session: Session, b: Beneficiary, data: dict, *,
           id_key: bytes | None = None) -> Beneficiary:
    """Change a household; the audit log names the changed fields, never their values."""
    require(actor, "beneficiaries.manage", b)
    if b.erased_at is not None:
        raise ValidationFailed(_l("This record was erased on request."))
    update_audited(session, actor, b, _clean(session, b.organization_id, data, b, id_key),
                   "beneficiary.update", summary=lambda changes: {"fields": sorted(changes)})
    return b


def set_active(actor, session: Session, b: Beneficiary, active: bool) -> None:
    """Deactivate or reactivate a household; an erased one stays inactive."""
    require(actor, "beneficiaries.manage", b)
    if active and b.erased_at is not None:
        raise ValidationFailed(_l("This record was erased on request."))
    switch_active(session, actor, b, active, "beneficiary")


def due_for_recertification(session: Session, organization_id: int, today: dt.date,
                            within_days: int = 30) -> list[Beneficiary]:
    """Active households whose certification ends within `within_days` (or has ended)."""
    return list(session.scalars(sa.select(Beneficiary).where(
        Beneficiary.organization_id == organization_id, Beneficiary.active.is_(True),
        Beneficiary.certified_until <= today + dt.timedelta(days=within_days))
        .order_by(Beneficiary.certified_until)))


def erase(actor, session: Session, b: Beneficiary) -> None:
    """Erase identity on request: distributions and aggregates stay, the person does not."""
    require(actor, "beneficiaries.manage", b)
    b.name = f"已删除 #{b.id}"
    b.phone = ""
    b.address = ""
    b.id_number_hash = None
    b.id_number_last4 = ""
    b.consent_note = ""
    b.active = False
    b.erased_at = utcnow()
    record(session, actor, "beneficiary.erase", b)
    session.flush()
