"""Creating and changing organisations and charity points."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.edits import create_audited, member, picked, switch_active, update_audited
from charity.auth.permissions import require
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.orgs import uscc
from charity.orgs.models import CharityPoint, Organization, PointKind

ORG_FIELDS = ("name", "uscc", "registering_authority", "can_fundraise_publicly",
              "fundraising_cert_no", "contact_person", "phone", "email", "address", "website",
              "timezone", "expiry_warning_days")
POINT_FIELDS = ("kind", "name", "address", "district", "community", "opening_hours", "phone")


def _org_data(session: Session, data: dict, current: Organization | None) -> dict:
    clean = picked(data, ORG_FIELDS)
    if "uscc" in clean:
        clean["uscc"] = uscc.normalize(clean["uscc"])
        if not uscc.is_valid(clean["uscc"]):
            raise ValidationFailed(
                _l("Not a valid unified social credit code (18 characters with a matching "
                   "check character)."), field="uscc")
        clash = session.scalar(sa.select(Organization.id).where(
            Organization.uscc == clean["uscc"]))
        if clash is not None and (current is None or clash != current.id):
            raise ValidationFailed(_l("Another organisation already has this code."),
                                   field="uscc")
    if not clean.get("name", current.name if current else ""):
        raise ValidationFailed(_l("This field is required."), field="name")
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
    fundraising = clean.get("can_fundraise_publicly",
                            current.can_fundraise_publicly if current else False)
    cert = clean.get("fundraising_cert_no", current.fundraising_cert_no if current else "")
    if fundraising and not cert:
        raise ValidationFailed(
            _l("An organisation with public-fundraising qualification needs its certificate "
               "number."), field="fundraising_cert_no")
    return clean


def create_organization(actor, session: Session, data: dict) -> Organization:
    """Create an organisation; the code must be valid and unique."""
    require(actor, "orgs.create")
    return create_audited(session, actor, Organization(**_org_data(session, data, None)),
                          "org.create", lambda org: {k: getattr(org, k) for k in ORG_FIELDS})


def update_organization(actor, session: Session, org: Organization, data: dict) -> Organization:
    """Change an organisation's details; the change is audited field by field."""
    require(actor, "orgs.edit", org)
    update_audited(session, actor, org, _org_data(session, data, org), "org.update")
    return org


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
