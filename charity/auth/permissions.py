"""Who may do what: the one place where permissions are decided.

Two questions, always both:
1. does the user's role carry the permission (`has_permission`), and
2. is the object inside the user's scope (`in_scope`): their organisation, and for a
   volunteer their own charity points.
Views declare the permission they need with `charity.web.access`; services check objects
with `require`.
"""
from __future__ import annotations


from charity.core.roles import Role
from charity.core.errors import PermissionDenied
from charity.core.i18n import _l

ALL_STAFF = frozenset(Role)
READERS = frozenset({Role.ADMIN, Role.MANAGER, Role.AUDITOR})
MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})
# Day-to-day work that changes data: never auditors, who read and change nothing.
WORKERS = frozenset({Role.ADMIN, Role.MANAGER, Role.VOLUNTEER})

# Permission name → roles that carry it. A view or service naming a permission that is not
# here is a programming error (KeyError), never a silent allow.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "staff.home": ALL_STAFF,
    "account.self": ALL_STAFF,
    "account.2fa": MANAGERS,  # optional two-factor sign-in (charity.auth.totp)
    "orgs.view": READERS,
    "orgs.create": frozenset({Role.ADMIN}),
    "orgs.edit": MANAGERS,
    "orgs.toggle": frozenset({Role.ADMIN}),
    # Name, code, registering authority, type, public-fundraising qualification: only an
    # administrator changes them, with a reason and evidence (managers see them read-only).
    "orgs.registration": frozenset({Role.ADMIN}),
    "points.view": ALL_STAFF,
    "points.manage": MANAGERS,
    "users.view": READERS,
    "users.manage": MANAGERS,
    "users.2fa_reset": frozenset({Role.ADMIN}),
    "audit.view": READERS,
    "transparency.view": READERS,
    "campaigns.view": READERS,
    "campaigns.manage": MANAGERS,
    "projects.view": READERS,
    "projects.manage": MANAGERS,
    "funds.view": READERS,
    "funds.post": MANAGERS,
    "funds.export": READERS,
    # Volunteers register donors and issue receipts at the counter (goods intake).
    "donors.view": ALL_STAFF,
    "donors.create": WORKERS,
    "donors.edit": MANAGERS,
    "donors.private": READERS,  # full phone, address and ID code
    "receipts.view": ALL_STAFF,
    "receipts.issue": WORKERS,
    "receipts.void": MANAGERS,
    # A second person checks each receipt where the organisation requires it (复核人).
    "receipts.review": WORKERS,
    # The finance bureau's receipt allocations, the review setting, platform receipt numbers.
    "receipts.finance": MANAGERS,
    "noncash.view": READERS,
    "noncash.post": MANAGERS,
    # Goods: volunteers work at their own points (scope checked on the point).
    "goods.view": ALL_STAFF,
    "goods.intake": WORKERS,
    "goods.distribute": WORKERS,
    "goods.sell": WORKERS,
    "goods.transfer": WORKERS,
    "goods.stocktake": WORKERS,
    "goods.write_off": WORKERS,
    "boxes.pack": WORKERS,  # pack goods on hand into a labelled box (issue 20 §3)
    "goods.stocktake_approve": MANAGERS,
    "goods.correct": MANAGERS,
    "goods.export": READERS,
    "catalogue.add": WORKERS,  # a volunteer adds a missing item type during intake
    "catalogue.manage": MANAGERS,
    "imports.run": MANAGERS,  # spreadsheet import (charity.imports)
    "beneficiaries.view": ALL_STAFF,  # volunteers: name and masked values only
    "beneficiaries.private": READERS,  # ID number tail, phone, address
    "beneficiaries.manage": MANAGERS,
    "volunteers.view": READERS,
    "volunteers.manage": MANAGERS,
    "volunteers.shift": WORKERS,
    # The time bank (charity.points): rates and hours review; a volunteer's own page and gifts
    "timebank.manage": MANAGERS,
    "timebank.own": WORKERS,
    "timebank.give": WORKERS,
    "disclosure.view": READERS,
    "disclosure.narrative": MANAGERS,
    "disclosure.publish": MANAGERS,
    # Complaints: volunteers see and handle only those dispatched to them or their points
    # (charity.complaints.services.visible_to); contact details and attachments: readers.
    "complaints.view": ALL_STAFF,
    "complaints.handle": WORKERS,
    "complaints.private": READERS,
    "complaints.manage": MANAGERS,
    "complaints.calendar": frozenset({Role.ADMIN}),  # the installation's working days
    # Micro-wishes: volunteers post, fulfil, release and cancel at their own points (scope on
    # the wish's point); auditors read. Claimants' phones are seen by staff in scope only.
    "wishes.view": ALL_STAFF,
    "wishes.manage": WORKERS,
    # Home delivery: managers order and assign; volunteers at the point pack, deliver or
    # record a failure. The address: only the assignee and managers (delivery.services).
    "delivery.view": ALL_STAFF,
    "delivery.manage": MANAGERS,
    "delivery.work": WORKERS,
}


def has_permission(user, permission: str) -> bool:
    roles = PERMISSIONS[permission]
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return user.role in roles


def organization_of(obj) -> int | None:
    from charity.orgs.models import Organization

    if isinstance(obj, Organization):
        return obj.id
    return getattr(obj, "organization_id", None)


def point_of(obj) -> int | None:
    from charity.orgs.models import CharityPoint

    if isinstance(obj, CharityPoint):
        return obj.id
    return getattr(obj, "point_id", None)


def in_scope(user, obj) -> bool:
    """Is `obj` inside what `user` may see at all?"""
    if user.role == Role.ADMIN:
        return True
    org_id = organization_of(obj)
    if org_id is None or org_id != user.organization_id:
        return False
    if user.role == Role.VOLUNTEER:
        point_id = point_of(obj)
        if point_id is not None and point_id not in user.point_ids:
            return False
    return True


def can(user, permission: str, obj=None) -> bool:
    return has_permission(user, permission) and (obj is None or in_scope(user, obj))


def require(user, permission: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` may exercise `permission` on `obj`."""
    if not can(user, permission, obj):
        raise PermissionDenied(_l("You are not allowed to do this."))


def scope_organizations(user, stmt, org_column):
    """Restrict a select() to the organisations `user` may see."""
    if user.role == Role.ADMIN:
        return stmt
    return stmt.where(org_column == user.organization_id)


def scope_points(user, stmt, point_column, org_column=None):
    """Restrict a select() over point-scoped rows: a volunteer sees only their points."""
    if user.role == Role.ADMIN:
        return stmt
    if user.role == Role.VOLUNTEER:
        ids = sorted(user.point_ids) or [-1]
        stmt = stmt.where(point_column.in_(ids))
    if org_column is not None:
        stmt = stmt.where(org_column == user.organization_id)
    return stmt


def assignable_roles(user) -> list[Role]:
    """Roles `user` may give to others. A manager gives neither administrator nor auditor:
    the auditor supervises the managers, so only an administrator creates, changes and
    resets auditor accounts (issue 16)."""
    if user.role == Role.ADMIN:
        return list(Role)
    if user.role == Role.MANAGER:
        return [Role.MANAGER, Role.VOLUNTEER]
    return []


# Accounts only an administrator may change (edit, switch off, reset the password): other
# administrators, and the auditors who supervise the managers.
ADMIN_ONLY_ACCOUNTS = frozenset({Role.ADMIN, Role.AUDITOR})


def may_manage_account(user, account) -> bool:
    """May `user` change `account` (details, role, activation, password)?"""
    if not can(user, "users.manage", account):
        return False
    return user.role == Role.ADMIN or account.role not in ADMIN_ONLY_ACCOUNTS


__all__ = ["PERMISSIONS", "has_permission", "in_scope", "can", "require", "scope_organizations",
           "scope_points", "assignable_roles", "may_manage_account", "ADMIN_ONLY_ACCOUNTS"]
