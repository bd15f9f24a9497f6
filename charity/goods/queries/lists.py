"""The goods documents as the screens list them (intake, distributions, sales, transfers,
stocktakes, with their filters), one document's lines, the people named on a document, and
which count-sheet lines somebody counted."""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.audit.models import AuditLog
from charity.auth.models import User
from charity.auth.permissions import scope_organizations, scope_points
from charity.core.db import contains
from charity.core.roles import Role
from charity.funds.models import Project
from charity.goods.models import (Distribution, DistributionLine, Intake, IntakeLine, Sale,
                                  SaleLine, Stocktake, StocktakeLine, Transfer, TransferLine)
from charity.orgs.models import CharityPoint, Organization
from charity.people.models import Donor

# The audit action that says who entered which counts on a count sheet.
COUNT_ACTION = "stocktake.count"


class PointChoice(NamedTuple):
    """A point as a list's filter offers it: an administrator's filter lists every point of
    the province (1,000 and more), so it is read as plain rows, labelled once here."""
    id: int
    organization_id: int
    label: str


def filter_points(session: Session, user) -> list[PointChoice]:
    """The points the lists may be filtered by: all in the user's scope, open or closed; an
    administrator's labelled with the organisation (charity.web.points.point_label)."""
    stmt = scope_points(user, sa.select(CharityPoint.id, CharityPoint.organization_id,
                                        CharityPoint.name, Organization.name)
                        .join(Organization, Organization.id == CharityPoint.organization_id),
                        CharityPoint.id, CharityPoint.organization_id)
    admin = user.role == Role.ADMIN
    return [PointChoice(pid, org_id, f"{org} · {name}" if admin else name)
            for pid, org_id, name, org in session.execute(
                stmt.order_by(CharityPoint.organization_id, CharityPoint.name))]


def where_given(stmt, *filters):
    """`stmt` with `condition(value)` for each (value, condition) whose value is given."""
    for value, condition in filters:
        if value:
            stmt = stmt.where(condition(value))
    return stmt


def _point_and_dates(stmt, model, day, args: dict):
    """The filters every document list has: a point, a first and a last date."""
    return where_given(stmt, (args.get("point"), lambda v: model.point_id == v),
                       (args.get("from"), lambda v: day >= v),
                       (args.get("to"), lambda v: day <= v))


def intake_list(user, args: dict):
    """Intakes in the user's scope, newest first; `args`: point, from, to, donor (name)."""
    stmt = scope_points(user, sa.select(Intake), Intake.point_id, Intake.organization_id)
    stmt = _point_and_dates(stmt, Intake, Intake.received_on, args)
    if args.get("donor"):
        stmt = stmt.join(Donor, Donor.id == Intake.donor_id).where(
            contains(Donor.name, args["donor"]))
    stmt = stmt.options(selectinload(Intake.point), selectinload(Intake.donor),
                        selectinload(Intake.receipt),
                        selectinload(Intake.lines).selectinload(IntakeLine.item_type))
    return stmt.order_by(Intake.received_on.desc(), Intake.id.desc())


def distribution_list(user, args: dict):
    """Distributions in the user's scope, newest first; `args`: point, project, from, to."""
    stmt = scope_points(user, sa.select(Distribution), Distribution.point_id,
                        Distribution.organization_id)
    stmt = _point_and_dates(stmt, Distribution, Distribution.distributed_on, args)
    if args.get("project"):
        stmt = stmt.where(Distribution.project_id == args["project"])
    stmt = stmt.options(selectinload(Distribution.beneficiary), selectinload(Distribution.point),
                        selectinload(Distribution.project),
                        selectinload(Distribution.lines).selectinload(DistributionLine.item_type))
    return stmt.order_by(Distribution.distributed_on.desc(), Distribution.id.desc())


def projects_in_scope(session: Session, user) -> list:
    """Every project of the user's organisations (the distribution list's filter): id and
    name rows (an administrator's filter lists the province's)."""
    return list(session.execute(scope_organizations(
        user, sa.select(Project.id, Project.name), Project.organization_id)
        .order_by(Project.name)))


def sale_list(session: Session, user, args: dict, payments) -> tuple[object, Decimal]:
    """Sales in the user's scope, newest first, and their total; `args`: point, from, to,
    payment (one of `payments`, else cleared)."""
    stmt = scope_points(user, sa.select(Sale), Sale.point_id, Sale.organization_id)
    stmt = _point_and_dates(stmt, Sale, Sale.sold_on, args)
    if args.get("payment") in payments:
        stmt = stmt.where(Sale.payment_method == args["payment"])
    else:
        args["payment"] = ""
    total = session.scalar(stmt.with_only_columns(sa.func.coalesce(sa.func.sum(Sale.total), 0)))
    stmt = stmt.options(selectinload(Sale.point),
                        selectinload(Sale.lines).selectinload(SaleLine.item_type))
    return stmt.order_by(Sale.sold_on.desc(), Sale.id.desc()), Decimal(total)


def transfer_list(user, status: str | None, point_id: int | None):
    """Transfers in the user's scope (a volunteer: to or from their points), newest first."""
    stmt = scope_organizations(user, sa.select(Transfer), Transfer.organization_id)
    if user.role == Role.VOLUNTEER:
        mine = sorted(user.point_ids) or [-1]
        stmt = stmt.where(sa.or_(Transfer.from_point_id.in_(mine),
                                 Transfer.to_point_id.in_(mine)))
    if status:
        stmt = stmt.where(Transfer.status == status)
    if point_id is not None:
        stmt = stmt.where(sa.or_(Transfer.from_point_id == point_id,
                                 Transfer.to_point_id == point_id))
    stmt = stmt.options(selectinload(Transfer.lines), selectinload(Transfer.from_point),
                        selectinload(Transfer.to_point))
    return stmt.order_by(Transfer.sent_on.desc(), Transfer.id.desc())


def stocktake_list(user, status: str | None, point_id: int | None):
    """Count sheets in the user's scope, newest first."""
    stmt = scope_points(user, sa.select(Stocktake), Stocktake.point_id,
                        Stocktake.organization_id)
    if status:
        stmt = stmt.where(Stocktake.status == status)
    if point_id is not None:
        stmt = stmt.where(Stocktake.point_id == point_id)
    return stmt.options(selectinload(Stocktake.point)).order_by(Stocktake.created_at.desc(),
                                                                Stocktake.id.desc())


# --- one document ----------------------------------------------------------------------------

_LINES = {Intake: (IntakeLine, IntakeLine.intake_id),
          Distribution: (DistributionLine, DistributionLine.distribution_id),
          Sale: (SaleLine, SaleLine.sale_id), Transfer: (TransferLine, TransferLine.transfer_id),
          Stocktake: (StocktakeLine, StocktakeLine.stocktake_id)}


def lines_of(session: Session, document) -> list:
    """The document's lines with their items, in one query, in the order they were entered."""
    line, parent = _LINES[type(document)]
    return list(session.scalars(sa.select(line).where(parent == document.id)
                                .options(selectinload(line.item_type)).order_by(line.id)))


def users_by_id(session: Session, *ids) -> dict[int, User]:
    """The users a document names (who sent, received, counted, approved)."""
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(wanted)))}


def counted_line_ids(session: Session, st: Stocktake) -> set[int]:
    """Lines somebody entered a count for (the sheet starts with the system's quantities,
    which a blind count must not take for counted)."""
    done: set[int] = set()
    for summary in session.scalars(sa.select(AuditLog.summary).where(
            AuditLog.object_type == "Stocktake", AuditLog.object_id == str(st.id),
            AuditLog.action == COUNT_ACTION)):
        done.update(int(k) for k in (summary or {}).get("lines", {}) if str(k).isdigit())
    return done
