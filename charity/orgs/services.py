"""Creating and changing organisations and charity points.

An organisation's registration facts (charity.orgs.models.REGISTRATION_FIELDS: name, code,
registering authority, type, public-fundraising qualification and certificate) are set when
an administrator creates it and afterwards changed only through `change_registration`: by an
administrator, with a reason and an evidence file, kept in the organisation's history. Its
managers keep the other details up to date (`update_organization`), which refuses any
registration fact.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.edits import (create_audited, member, picked, refused_if_taken,
                                 switch_active, update_audited)
from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.errors import PermissionDenied, ValidationFailed
from charity.core.i18n import _l
from charity.funds.uploads import FileStore, Upload, check_upload
from charity.orgs import uscc
from charity.orgs.models import (REGISTRATION_FIELDS, CharityPoint, Organization, OrgType,
                                 PointKind, RegistrationChange)

# What a manager keeps up to date: contact details and the point-of-work settings.
CONTACT_FIELDS = ("contact_person", "phone", "email", "address", "website", "timezone",
                  "expiry_warning_days")
ORG_FIELDS = REGISTRATION_FIELDS + CONTACT_FIELDS
POINT_FIELDS = ("kind", "name", "address", "district", "community", "opening_hours", "phone")
MAX_REASON = 2000


def _registration_data(session: Session, data: dict, current: Organization | None) -> dict:
    """The registration facts in `data`, checked: a valid code no other organisation has, a
    name, a known type, a certificate number for a qualified organisation."""
    clean = picked(data, REGISTRATION_FIELDS)
    if "uscc" in clean:
        clean["uscc"] = uscc.normalize(clean["uscc"])
        if not uscc.is_valid(clean["uscc"]):
            raise ValidationFailed(
                _l("Not a valid unified social credit code (18 characters with a matching "
                   "check character)."), field="uscc")
        taken, message, field = _code_free(session, clean["uscc"], current)
        if taken():
            raise ValidationFailed(message, field=field)
    if not clean.get("name", current.name if current else ""):
        raise ValidationFailed(_l("This field is required."), field="name")
    if "org_type" in clean:
        clean["org_type"] = member(OrgType, clean["org_type"], _l("Choose the type of "
                                   "organisation."), "org_type") if clean["org_type"] else None
    for name in ("fundraising_cert_valid_until", "registered_on"):
        if clean.get(name) is not None and not isinstance(clean[name], dt.date):
            raise ValidationFailed(_l("Not a valid date."), field=name)
    _check_settings(clean)
    fundraising = clean.get("can_fundraise_publicly",
                            current.can_fundraise_publicly if current else False)
    cert = clean.get("fundraising_cert_no", current.fundraising_cert_no if current else "")
    if fundraising and not cert:
        raise ValidationFailed(
            _l("An organisation with public-fundraising qualification needs its certificate "
               "number."), field="fundraising_cert_no")
    return clean


def _check_settings(clean: dict) -> None:
    """The time zone and the expiry-warning window, where `clean` has them."""
    if "timezone" in clean:
        try:
            ZoneInfo(clean["timezone"] or "")
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed(_l("Unknown time zone."), field="timezone") from None
    if "expiry_warning_days" in clean:
        days = clean["expiry_warning_days"]
        if days is None or days == "":
            del clean["expiry_warning_days"]  # left empty: unchanged (new: the default, 7)
        elif isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 90:
            raise ValidationFailed(_l("Enter a number of days from 0 to 90."),
                                   field="expiry_warning_days")


def _contact_data(data: dict) -> dict:
    clean = picked(data, CONTACT_FIELDS)
    _check_settings(clean)
    return clean


def _code_free(session: Session, code: str | None, current: Organization | None = None):
    """(taken, message, field) for an organisation's code: `taken()` says whether another
    organisation holds it (the `unique` of create_audited / refused_if_taken)."""
    def taken() -> bool:
        clash = session.scalar(sa.select(Organization.id).where(Organization.uscc == code))
        return clash is not None and (current is None or clash != current.id)

    return taken, _l("Another organisation already has this code."), "uscc"


def create_organization(actor, session: Session, data: dict) -> Organization:
    """Create an organisation with its registration facts and details; the code must be
    valid and unique (also when two administrators enter it at the same instant)."""
    require(actor, "orgs.create")
    clean = {**_registration_data(session, data, None), **_contact_data(data)}
    return create_audited(session, actor, Organization(**clean), "org.create",
                          lambda org: {k: getattr(org, k) for k in ORG_FIELDS},
                          unique=_code_free(session, clean.get("uscc")))


def update_organization(actor, session: Session, org: Organization, data: dict) -> Organization:
    """Change an organisation's details (contact, address, website, time zone); audited
    field by field. A registration fact that differs from the stored one is refused: those
    change through `change_registration` only."""
    require(actor, "orgs.edit", org)
    for field in REGISTRATION_FIELDS:
        if field in data and data[field] != getattr(org, field):
            raise PermissionDenied(
                _l("Registration facts are changed only by an administrator, with a reason "
                   "and evidence."), field=field)
    update_audited(session, actor, org, _contact_data(data), "org.update")
    return org


def _as_json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, OrgType):
        return value.value
    return value


def change_registration(actor, session: Session, org: Organization, data: dict, reason: str,
                        evidence: Upload | None, *, store: FileStore,
                        max_bytes: int) -> RegistrationChange:
    """Change registration facts of `org` (administrators only): what changed, with the
    reason and the evidence file, goes into the organisation's history (RegistrationChange)
    and the audit log (`org.registration_change`). The file is staged in `store`: the caller
    publishes it after the commit, or discards it."""
    require(actor, "orgs.registration", org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Say why the registration facts change."), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_l("At most %(n)s characters.", n=MAX_REASON), field="reason")
    clean = _registration_data(session, data, org)
    changes = {key: [_as_json(getattr(org, key)), _as_json(value)]
               for key, value in clean.items() if getattr(org, key) != value}
    if not changes:
        raise ValidationFailed(_l("Nothing to change: every registration fact is as stored."))
    if evidence is None or not evidence.data:
        raise ValidationFailed(_l("Attach the evidence: a PDF, JPEG or PNG file (the "
                                  "certificate, the authority's decision)."), field="evidence")
    checked = check_upload(evidence, max_bytes, field="evidence")
    with refused_if_taken(session, *_code_free(session, clean.get("uscc"), org)):
        for key, value in clean.items():
            setattr(org, key, value)
    name = FileStore.new_name()
    store.stage(name, checked.data)
    change = RegistrationChange(
        organization_id=org.id, changed_by_id=getattr(actor, "id", None), reason=reason,
        changes=changes, evidence_stored_name=name, evidence_name=checked.original_name,
        evidence_mime=checked.mime, evidence_size=checked.size,
        evidence_sha256=checked.sha256)
    session.add(change)
    session.flush()
    record(session, actor, "org.registration_change", org,
           {**changes, "reason": reason, "evidence_sha256": checked.sha256,
            "change_id": change.id})
    return change


def set_organization_active(actor, session: Session, org: Organization, active: bool) -> None:
    """Deactivate or reactivate an organisation. Nothing is deleted."""
    require(actor, "orgs.toggle", org)
    switch_active(session, actor, org, active, "org")


def _point_data(session: Session, data: dict, org_id: int, current: CharityPoint | None) -> dict:
    clean = picked(data, POINT_FIELDS)
    if "kind" in clean:
        clean["kind"] = member(PointKind, clean["kind"], _l("Choose a kind of charity point."),
                               "kind")
    name = clean.get("name", current.name if current else "")
    if not name:
        raise ValidationFailed(_l("This field is required."), field="name")
    clash = session.scalar(sa.select(CharityPoint.id).where(
        CharityPoint.organization_id == org_id, CharityPoint.name == name))
    if clash is not None and (current is None or clash != current.id):
        raise ValidationFailed(_l("This organisation already has a point with this name."),
                               field="name")
    return clean


def create_point(actor, session: Session, organization: Organization, data: dict) -> CharityPoint:
    """Open a charity supermarket or donation station for `organization`."""
    require(actor, "points.manage", organization)
    if not organization.active:
        raise ValidationFailed(_l("The organisation is deactivated."), field="organization_id")
    point = CharityPoint(organization_id=organization.id,
                         **_point_data(session, data, organization.id, None))
    return create_audited(session, actor, point, "point.create",
                          lambda point: {k: getattr(point, k) for k in POINT_FIELDS})


def update_point(actor, session: Session, point: CharityPoint, data: dict) -> CharityPoint:
    require(actor, "points.manage", point)
    update_audited(session, actor, point,
                   _point_data(session, data, point.organization_id, point), "point.update")
    return point


def set_point_active(actor, session: Session, point: CharityPoint, active: bool) -> None:
    require(actor, "points.manage", point)
    switch_active(session, actor, point, active, "point")
