"""Distribution to beneficiary households (发放), with 爱心积分 and monthly limits."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import month_key, org_today
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.figures.services import keep_document
from charity.funds.models import Project, ProjectStatus
from charity.goods.models import Distribution, DistributionLine, DocStatus, MovementKind
from charity.goods.services.checks import (
    filled_lines,
    item_and_quantity,
    not_future,
    require_point_active,
    running_of,
)
from charity.goods.services.corrections import reverse_posted
from charity.goods.services.stock_ledger import take
from charity.people.models import Beneficiary, PointsEntry
from charity.points.services.households import gift_balance, return_gifts, spend_gifts


def points_balance(session: Session, beneficiary: Beneficiary, day: dt.date,
                   lock: bool = False) -> int:
    """Points left this month. The month's allowance is credited on first use (a unique
    index makes that happen once even when two postings race)."""
    month = month_key(day)
    if beneficiary.monthly_points:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(insert(PointsEntry).values(
            beneficiary_id=beneficiary.id, month=month, amount=beneficiary.monthly_points,
            kind="allowance").on_conflict_do_nothing(
            index_elements=["beneficiary_id", "month"],
            index_where=sa.text("kind = 'allowance'")))
    if lock:
        # Serialise postings for one household (PostgreSQL; SQLite writers are serial).
        session.execute(sa.select(Beneficiary.id).where(Beneficiary.id == beneficiary.id)
                        .with_for_update())
    return int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PointsEntry.amount), 0))
                              .where(PointsEntry.beneficiary_id == beneficiary.id,
                                     PointsEntry.month == month)))


def received_this_month(session: Session, beneficiary_id: int, item_type_id: int,
                        day: dt.date) -> Decimal:
    first = day.replace(day=1)
    return Decimal(session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(DistributionLine.quantity), 0))
        .join(Distribution, Distribution.id == DistributionLine.distribution_id)
        .where(Distribution.beneficiary_id == beneficiary_id,
               Distribution.status == DocStatus.POSTED,
               DistributionLine.item_type_id == item_type_id,
               Distribution.distributed_on >= first, Distribution.distributed_on <= day)))


def certified_household(session: Session, org_id: int, raw_id, day: dt.date) -> Beneficiary:
    try:
        beneficiary = session.get(Beneficiary, int(raw_id))
    except (TypeError, ValueError):
        beneficiary = None
    if beneficiary is None or beneficiary.organization_id != org_id:
        raise ValidationFailed(_l("Choose a registered household."), field="beneficiary_id")
    if not beneficiary.is_certified(day):
        raise ValidationFailed(_l("This household's certification has expired or it is "
                                  "inactive: renew it before handing out goods."),
                               field="beneficiary_id")
    return beneficiary


def check_monthly_limits(session: Session, beneficiary_id: int, lines: list, day: dt.date
                          ) -> None:
    """No household receives more of an item in a month than its monthly limit."""
    per_item: dict[int, Decimal] = {}
    for i, item, qty, _ in lines:
        per_item[item.id] = per_item.get(item.id, Decimal("0")) + qty
        if item.monthly_limit is not None:
            had = received_this_month(session, beneficiary_id, item.id, day)
            if had + per_item[item.id] > item.monthly_limit:
                raise ValidationFailed(
                    _l("Monthly limit for %(item)s: %(limit)s per household; %(had)s already "
                       "received.", item=item.name, limit=item.monthly_limit.normalize(),
                       had=had.normalize()), field=f"lines-{i}-quantity")


def post_distribution(actor, session: Session, point, data: dict,
                      today: dt.date | None = None) -> Distribution:
    """Hand goods to a certified household: stock out, points deducted, monthly limits kept."""
    require(actor, "goods.distribute", point)
    require_point_active(point)
    org = point.organization
    today = today or org_today(org)
    day = not_future(data.get("distributed_on") or today, today, "distributed_on")
    beneficiary = certified_household(session, org.id, data.get("beneficiary_id"), day)
    project = running_of(session, Project, data.get("project_id"), org.id, "project_id",
                         active=ProjectStatus.ACTIVE, unknown=_l("Unknown project."),
                         not_running=_l("The project is not running."))
    lines = [(i, *item_and_quantity(session, org.id, raw, i), raw.get("batch") or None)
             for i, raw in enumerate(filled_lines(data))]
    points_needed = sum(int(item.point_price * qty) for _, item, qty, _ in lines)
    available = points_balance(session, beneficiary, day, lock=True)
    gifts = gift_balance(session, beneficiary.id)  # points volunteers gave (time bank)
    if points_needed > available + gifts:
        raise ValidationFailed(_l("Not enough points: %(need)d needed, %(left)d left this month.",
                                  need=points_needed, left=available + gifts), field="lines")
    check_monthly_limits(session, beneficiary.id, lines, day)
    dist = Distribution(organization_id=org.id, point_id=point.id, beneficiary_id=beneficiary.id,
                        project_id=project.id if project else None, distributed_on=day,
                        points_total=points_needed, posted_by_id=getattr(actor, "id", None))
    session.add(dist)
    session.flush()
    for i, item, qty, batch in sorted(lines, key=lambda ln: (ln[1].id, ln[3] or "")):
        for m in take(session, organization_id=org.id, point_id=point.id, item_type=item,
                      quantity=qty, batch=batch, kind=MovementKind.DISTRIBUTION,
                      movement_date=day, document_type="distribution", document_id=dist.id,
                      actor=actor, field=f"lines-{i}-quantity"):
            session.add(DistributionLine(distribution_id=dist.id, item_type_id=item.id,
                                         batch=m.batch, quantity=-m.quantity,
                                         unit_value=m.unit_value,
                                         points=int(item.point_price * -m.quantity)))
    # The month's allowance first, then gifted points (docs/decisions/0026-points-ledger.md).
    from_allowance = min(points_needed, available)
    if from_allowance:
        session.add(PointsEntry(beneficiary_id=beneficiary.id, month=month_key(day),
                                amount=-from_allowance, kind="distribution",
                                distribution_id=dist.id))
    spend_gifts(session, beneficiary, points_needed - from_allowance, actor=actor, day=day,
                distribution_id=dist.id)
    keep_document(session, "distribution", dist, 1)
    # The log names the household by id only: no personal data in log lines.
    record(session, actor, "distribution.post", dist,
           {"point_id": point.id, "beneficiary_id": beneficiary.id, "lines": len(lines),
            "points": points_needed})
    session.flush()
    return dist


def reverse_distribution(actor, session: Session, dist: Distribution, reason: str,
                         today: dt.date | None = None) -> Distribution:
    """Correct a posted distribution: the goods back on the shelf, the points returned."""
    def return_points(reason: str) -> None:
        gifted = return_gifts(session, dist, actor=actor, reason=reason,
                              day=today or org_today(dist.point.organization))
        if dist.points_total - gifted:
            session.add(PointsEntry(beneficiary_id=dist.beneficiary_id,
                                    month=month_key(dist.distributed_on),
                                    amount=dist.points_total - gifted, kind="reversal",
                                    distribution_id=dist.id))

    return reverse_posted(actor, session, dist, "distribution", reason, today,
                          undo=return_points)
