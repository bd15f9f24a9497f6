"""Donors: creating and changing them, with field-by-field publication consent."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import diff, record
from charity.auth.permissions import require
from charity.core.db import contains
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.people.models import Donor, DonorKind

DONOR_FIELDS = ("kind", "name", "phone", "address", "id_code", "publish_name", "publish_address",
                "publish_contact", "related_party", "note")
# Never written to the audit log in clear: the log is read by more people than donors agreed to.
_PRIVATE = {"phone", "address", "id_code"}


def _clean(data: dict) -> dict:
    clean = {k: data[k] for k in DONOR_FIELDS if k in data}
    for key, value in clean.items():
        if isinstance(value, str):
            clean[key] = value.strip()
    if "kind" in clean:
        try:
            clean["kind"] = DonorKind(clean["kind"])
        except ValueError:
            raise ValidationFailed(_l("Choose person or organisation."), field="kind") from None
    if "name" in clean and not clean["name"]:
        raise ValidationFailed(_l("This field is required."), field="name")
    if "id_code" in clean:
        clean["id_code"] = clean["id_code"].upper().replace(" ", "")
        if clean["id_code"] and not clean["id_code"].isalnum():
            raise ValidationFailed(_l("Only letters and digits."), field="id_code")
    return clean


def _audit_view(changes: dict) -> dict:
    return {k: ("(changed)" if k in _PRIVATE else v) for k, v in changes.items()}


def create_donor(actor, session: Session, organization, data: dict) -> Donor:
    """Register a donor of `organization`; nothing is published without consent."""
    require(actor, "donors.create", organization)
    donor = Donor(organization_id=organization.id, **_clean(data))
    session.add(donor)
    session.flush()
    record(session, actor, "donor.create", donor, {"name": donor.name, "kind": donor.kind})
    return donor


def update_donor(actor, session: Session, donor: Donor, data: dict) -> Donor:
    require(actor, "donors.edit", donor)
    clean = _clean(data)
    changes = diff(donor, clean)
    for key, value in clean.items():
        setattr(donor, key, value)
    if changes:
        record(session, actor, "donor.update", donor, _audit_view(changes))
    session.flush()
    return donor


def find_donors(session: Session, organization_id: int, q: str, limit: int = 20) -> list[Donor]:
    """Donors whose name or phone contains `q` (for pickers at the counter)."""
    q = (q or "").strip()[:50]
    stmt = sa.select(Donor).where(Donor.organization_id == organization_id)
    if q:
        stmt = stmt.where(sa.or_(contains(Donor.name, q), contains(Donor.phone, q)))
    return list(session.scalars(stmt.order_by(Donor.name).limit(limit)))
