"""Which organisation a money form posts to: a manager's own; the one an administrator picks
on the form (the picker lists the organisations in the administrator's scope)."""
from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.extensions import db
from charity.core.roles import Role
from charity.funds import queries
from charity.orgs.models import Organization
from charity.web.access import load, parse_id
from charity.web.forms import choices


def is_admin() -> bool:
    return current_user.role == Role.ADMIN


def own_organization(permission: str) -> Organization:
    """The organisation a manager works for (admins choose one on the form)."""
    org = current_user.organization
    if org is None or not can(current_user, permission, org):
        abort(403)
    return org


def plan_organisation(form, permission: str) -> Organization | None:
    """Before the form is read: a manager's own organisation (the picker is removed); None
    for an administrator, whose picker is filled. See `chosen_organisation`."""
    if not is_admin():
        del form.organization_id
        return own_organization(permission)
    form.organization_id.choices = choices((o.id, o.name)
                                           for o in queries.organisations(current_user))
    return None


def chosen_organisation(form, org: Organization | None, permission: str) -> Organization:
    """Once the form is valid: the organisation it posts to."""
    return org if org is not None else load(Organization, form.organization_id.data,
                                            permission)


def posting_organisation(form, permission: str = "funds.post") -> Organization | None:
    """The organisation a ledger posting goes to: a manager's own; the one an administrator
    picked (on the form, or ?org= before it is sent); None while none is (validly) picked.
    The picker's choices are filled in."""
    org = _picked(form, permission)
    form.organization_id.choices = choices(
        [("", _("— choose —"))] + [(str(o.id), o.name)
                                   for o in queries.organisations(current_user)])
    if org is not None:
        form.organization_id.data = str(org.id)
    return org


def _picked(form, permission: str) -> Organization | None:
    if not is_admin():
        return db.session.get(Organization, current_user.organization_id)
    raw = form.organization_id.data if request.method == "POST" else request.args.get("org")
    org_id = parse_id(raw)
    org = db.session.get(Organization, org_id) if org_id is not None else None
    if org is None or not org.active or not can(current_user, permission, org):
        return None
    return org
