"""Beneficiary households (受助对象): registration, certification, privacy."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
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


def _clean(session, org_id, data: dict, current: Beneficiary | None) -> dict:
    clean = {k: data[k] for k in FIELDS if k in data}
    for key, value in list(clean.items()):
        if isinstance(value, str):
            clean[key] = value.strip()
    if "name" in clean and not clean["name"]:
        raise ValidationFailed(_l("This field is required."), field="name")
    if "categories" in clean:
        cats = []
        for c in clean["categories"] or []:
            try:
                cats.append(BeneficiaryCategory(c).value)
            except ValueError:
                raise ValidationFailed(_l("Unknown category."), field="categories") from None
        if not cats:
            raise ValidationFailed(_l("Choose at least one category."), field="categories")
        clean["categories"] = sorted(set(cats))
    if "members" in clean:
        try:
            members = int(clean["members"])
        except (TypeError, ValueError):
            members = 0
        if not 1 <= members <= 30:
            raise ValidationFailed(_l("Between 1 and 30 members."), field="members")
        clean["members"] = members
    if "monthly_points" in clean:
        try:
            points = int(clean["monthly_points"] or 0)
        except (TypeError, ValueError):
            points = -1
        if not 0 <= points <= 100000:
            raise ValidationFailed(_l("Enter a whole number of points."), field="monthly_points")
        clean["monthly_points"] = points
    raw_id = data.get("id_number")
    if raw_id:
        number = normalize_id(raw_id)
        if not is_valid_id(number):
            raise ValidationFailed(_l("Not a valid resident ID number (18 characters with a "
                                      "matching check character)."), field="id_number")
        digest = hash_id(number)
        clash = session.scalar(sa.select(Beneficiary.id).where(
            Beneficiary.organization_id == org_id, Beneficiary.id_number_hash == digest))
        if clash is not None and (current is None or clash != current.id):
            raise ValidationFailed(_l("This household is already registered."),
                                   field="id_number")
        clean["id_number_hash"] = digest
        clean["id_number_last4"] = number[-4:]
    return clean


def _audit(changes: dict) -> dict:
    return {k: ("(changed)" if k in PRIVATE else v) for k, v in changes.items()
            if k not in ("id_number_hash", "id_number_last4")}


def register(actor, session: Session, organization, data: dict) -> Beneficiary:
    """Register a household. The ID number is hashed; it is never stored or logged in clear."""
    require(actor, "beneficiaries.manage", organization)
    clean = _clean(session, organization.id, data, None)
    if "categories" not in clean:
        raise ValidationFailed(_l("Choose at least one category."), field="categories")
    b = Beneficiary(organization_id=organization.id, **clean)
    session.add(b)
    session.flush()
    record(session, actor, "beneficiary.create", b, _audit({"categories": b.categories}))
    return b


def update(actor, session: Session, b: Beneficiary, data: dict) -> Beneficiary:
    require(actor, "beneficiaries.manage", b)
    if b.erased_at is not None:
        raise ValidationFailed(_l("This record was erased on request."))
    clean = _clean(session, b.organization_id, data, b)
    changed = [k for k, v in clean.items() if getattr(b, k) != v]
    for k, v in clean.items():
        setattr(b, k, v)
    if changed:
        record(session, actor, "beneficiary.update", b, {"fields": sorted(changed)})
    session.flush()
    return b


def set_active(actor, session: Session, b: Beneficiary, active: bool) -> None:
    require(actor, "beneficiaries.manage", b)
    if b.active != active:
        b.active = active
        record(session, actor, "beneficiary.activate" if active else "beneficiary.deactivate", b)
        session.flush()


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
