"""Donors: creating and changing them, with field-by-field publication consent.

The read side (lists, the counter's picker, giving history) is charity.people.queries.donors.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from charity.audit.edits import create_audited, member, picked, update_audited
from charity.auth.permissions import require
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.orgs import uscc
from charity.people.models import Donor, DonorKind
# The counter's donor picker (a read): charity.goods.intake_views imports it from here.
from charity.people.queries.donors import find_donors  # noqa: F401

DONOR_FIELDS = ("kind", "name", "phone", "address", "id_code", "publish_name", "publish_address",
                "publish_contact", "related_party", "note")
# Never written to the audit log in clear: the log is read by more people than donors agreed to.
_PRIVATE = {"phone", "address", "id_code"}


def _clean(data: dict) -> dict:
    clean = picked(data, DONOR_FIELDS)
    if "kind" in clean:
        clean["kind"] = member(DonorKind, clean["kind"], _l("Choose person or organisation."),
                               "kind")
    if "name" in clean and not clean["name"]:
        raise ValidationFailed(_l("This field is required."), field="name")
    if "id_code" in clean:
        clean["id_code"] = clean["id_code"].upper().replace(" ", "")
        if clean["id_code"] and not clean["id_code"].isalnum():
            raise ValidationFailed(_l("Only letters and digits."), field="id_code")
    if clean.get("kind") == DonorKind.ORGANIZATION and clean.get("id_code"):
        # A company's code is printed on its receipts (财综〔2024〕1号 Art. 6): GB 32100-2015.
        clean["id_code"] = uscc.normalize(clean["id_code"])
        if not uscc.is_valid(clean["id_code"]):
            raise ValidationFailed(
                _l("Not a valid unified social credit code (18 characters with a matching "
                   "check character)."), field="id_code")
    return clean


def _audit_view(changes: dict) -> dict:
    return {k: ("(changed)" if k in _PRIVATE else v) for k, v in changes.items()}


def create_donor(actor, session: Session, organization, data: dict) -> Donor:
    """Register a donor of `organization`; nothing is published without consent."""
    require(actor, "donors.create", organization)
    return create_audited(session, actor, Donor(organization_id=organization.id, **_clean(data)),
                          "donor.create", lambda donor: {"name": donor.name, "kind": donor.kind})


def update_donor(actor, session: Session, donor: Donor, data: dict) -> Donor:
    require(actor, "donors.edit", donor)
    update_audited(session, actor, donor, _clean(data), "donor.update", summary=_audit_view)
    return donor
