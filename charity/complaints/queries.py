"""Read-side questions about complaints: who sees which, the work-order list and its filters,
the overdue count, a complaint by its tracking number, the categories on offer and the people
and points a complaint can be dispatched to. (The public monthly figures are in `stats`.)"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.auth.models import User
from charity.auth.permissions import scope_organizations
from charity.complaints import rules
from charity.complaints.models import Complaint, ComplaintCategory, ComplaintChannel
from charity.core.db import contains, where_given
from charity.core.roles import Role
from charity.orgs.models import CharityPoint, Organization

MAX_PUBLIC_ORGANISATIONS = 500


# --- who sees what ---------------------------------------------------------------------------

def visible_to(user, complaint: Complaint) -> bool:
    """Admins: all; managers and auditors: their organisation's; volunteers: only those
    dispatched to them or to one of their points."""
    if user.role == Role.ADMIN:
        return True
    if complaint.organization_id != user.organization_id:
        return False
    if user.role == Role.VOLUNTEER:
        return (complaint.assignee_id == user.id
                or (complaint.point_id is not None and complaint.point_id in user.point_ids))
    return True


def scope_complaints(user, stmt):
    """Restrict a select() over Complaint to what `user` may see (see `visible_to`)."""
    if user.role == Role.ADMIN:
        return stmt
    stmt = stmt.where(Complaint.organization_id == user.organization_id)
    if user.role == Role.VOLUNTEER:
        stmt = stmt.where(sa.or_(Complaint.assignee_id == user.id,
                                 Complaint.point_id.in_(sorted(user.point_ids) or [-1])))
    return stmt


# --- the work-order list ---------------------------------------------------------------------

def overdue_clause(today: dt.date):
    """SQL: the step the complaint waits for is past its deadline."""
    return sa.or_(*[sa.and_(Complaint.status == state,
                            getattr(Complaint, rules.DUE_COLUMN[step]) < today)
                    for state, step in rules.NEXT.items() if step is not None])


def overdue_count(session: Session, user, today: dt.date) -> int:
    """How many of the complaints `user` sees wait for a step past its deadline."""
    return session.scalar(scope_complaints(user, sa.select(sa.func.count(Complaint.id)))
                          .where(overdue_clause(today)))


def complaint_list(user, today: dt.date, *, status: str | None = None,
                   category_id: int | None = None, overdue: bool = False, q: str = ""):
    """The complaints `user` sees, filtered, newest first (a statement, for paging); `q`
    finds a subject containing it or the tracking number it spells."""
    stmt = where_given(scope_complaints(user, sa.select(Complaint)),
                       (Complaint.status, status), (Complaint.category_id, category_id))
    if overdue:
        stmt = stmt.where(overdue_clause(today))
    if q:
        stmt = stmt.where(sa.or_(contains(Complaint.subject, q),
                                 Complaint.tracking_no == rules.normalize_tracking_no(q)))
    return (stmt.options(selectinload(Complaint.category), selectinload(Complaint.point),
                         selectinload(Complaint.assignee))
            .order_by(Complaint.submitted_at.desc(), Complaint.id.desc()))


def find_by_tracking_no(session: Session, text: str | None) -> Complaint | None:
    number = rules.normalize_tracking_no(text)
    if len(number) != rules.TRACKING_LENGTH:
        return None
    return session.scalar(sa.select(Complaint).where(Complaint.tracking_no == number))


def dispatch_targets(session: Session, complaint: Complaint
                     ) -> tuple[list[CharityPoint], list[User]]:
    """The active points and staff (not auditors) of the complaint's organisation."""
    points = session.scalars(sa.select(CharityPoint).where(
        CharityPoint.organization_id == complaint.organization_id,
        CharityPoint.active.is_(True)).order_by(CharityPoint.name))
    users = session.scalars(sa.select(User).where(
        User.organization_id == complaint.organization_id, User.active.is_(True),
        User.role != Role.AUDITOR).order_by(User.display_name))
    return list(points), list(users)


# --- organisations and categories ------------------------------------------------------------

def public_organisations(session: Session) -> list[Organization]:
    """The organisations the public form offers: the active ones, by name."""
    return list(session.scalars(sa.select(Organization).where(
        Organization.active.is_(True)).order_by(Organization.name)
        .limit(MAX_PUBLIC_ORGANISATIONS)))


def managed_organisations(session: Session, user) -> list[Organization]:
    """The active organisations `user` may manage complaints of, by name."""
    stmt = scope_organizations(user, sa.select(Organization), Organization.id)
    return list(session.scalars(stmt.where(Organization.active.is_(True))
                                .order_by(Organization.name)))


def categories_of(session: Session, org_id: int, *, active_only: bool = False,
                  channel: ComplaintChannel | None = None) -> list[ComplaintCategory]:
    stmt = sa.select(ComplaintCategory).where(ComplaintCategory.organization_id == org_id)
    if active_only:
        stmt = stmt.where(ComplaintCategory.active.is_(True))
    if channel is not None:
        stmt = stmt.where(ComplaintCategory.channel == channel)
    return list(session.scalars(stmt.order_by(ComplaintCategory.channel,
                                              ComplaintCategory.sort_order,
                                              ComplaintCategory.id)))


def category_groups(session: Session, user) -> list[tuple[Organization, list]]:
    """Each organisation `user` manages with its categories (as `categories_of` orders
    them): two statements however many organisations (an administrator sees 50)."""
    orgs = managed_organisations(session, user)
    by_org: dict[int, list[ComplaintCategory]] = {org.id: [] for org in orgs}
    for category in session.scalars(
            sa.select(ComplaintCategory)
            .where(ComplaintCategory.organization_id.in_(list(by_org) or [-1]))
            .order_by(ComplaintCategory.channel, ComplaintCategory.sort_order,
                      ComplaintCategory.id)):
        by_org[category.organization_id].append(category)
    return [(org, by_org[org.id]) for org in orgs]


def staff_categories(session: Session, user) -> list[ComplaintCategory]:
    """The categories of the organisations `user` sees (the list's filter)."""
    return list(session.scalars(scope_organizations(
        user, sa.select(ComplaintCategory), ComplaintCategory.organization_id)
        .order_by(ComplaintCategory.channel, ComplaintCategory.sort_order).limit(300)))


def recording_categories(session: Session, org_ids: list[int]) -> list[ComplaintCategory]:
    """The active categories of these organisations, in every channel (staff record
    hotline calls and work orders too)."""
    return list(session.scalars(sa.select(ComplaintCategory).where(
        ComplaintCategory.organization_id.in_(org_ids), ComplaintCategory.active.is_(True))
        .order_by(ComplaintCategory.organization_id, ComplaintCategory.channel,
                  ComplaintCategory.sort_order, ComplaintCategory.name)))


def public_category_names(session: Session, org_ids: list[int]) -> dict[int, list[str]]:
    """Per organisation, the category names the public form offers: its active online
    categories, or the default set while it has configured none."""
    rows = session.execute(
        sa.select(ComplaintCategory.organization_id, ComplaintCategory.name,
                  ComplaintCategory.active, ComplaintCategory.channel)
        .where(ComplaintCategory.organization_id.in_(org_ids or [-1]))
        .order_by(ComplaintCategory.sort_order, ComplaintCategory.id)).all()
    names: dict[int, list[str]] = {org_id: [] for org_id in org_ids}
    configured = set()
    for org_id, name, active, channel in rows:
        configured.add(org_id)
        if active and channel == ComplaintChannel.ONLINE:
            names[org_id].append(name)
    for org_id in org_ids:
        if org_id not in configured:
            names[org_id] = list(rules.DEFAULT_CATEGORIES)
    return names
