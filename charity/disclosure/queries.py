"""Read-side questions about disclosures: whose obligation it is, the staff dashboard's list
and counts, a narrative written in advance, and the goods figures a report and the public
pages share (one definition of each)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.auth.permissions import scope_organizations
from charity.core.extensions import db
from charity.disclosure.models import Narrative, Obligation, Publication
from charity.disclosure.rules import period_if_published_on
from charity.funds.models import Campaign, Project, ProjectPoint
from charity.goods.models import (Distribution, DistributionLine, DocStatus, Intake, IntakeLine,
                                  ItemCategory, ItemType)
from charity.orgs.models import Organization

# What a disclosure is about: subject_type → its model.
SUBJECT_MODELS = {"campaign": Campaign, "project": Project, "organization": Organization}
# Most urgent first on the staff dashboard.
_URGENCY = sa.case((Obligation.status == "overdue", 0), (Obligation.status == "due", 1),
                   (Obligation.status == "upcoming", 2), else_=3)


def subject_names(items, session: Session | None = None) -> dict[tuple[str, int], str]:
    """Names of the subjects of `items` (obligations, publications or rows with
    `subject_type` and `subject_id`), keyed (subject_type, subject_id); one query per kind
    of subject at most."""
    session = session or db.session
    ids: dict[str, set[int]] = defaultdict(set)
    for item in items:
        if item.subject_type in SUBJECT_MODELS:
            ids[item.subject_type].add(item.subject_id)
    names = {}
    for subject_type, wanted in ids.items():
        model = SUBJECT_MODELS[subject_type]
        for oid, name in session.execute(sa.select(model.id, model.name)
                                         .where(model.id.in_(wanted))):
            names[(subject_type, oid)] = name
    return names


FAILED = "failed"
"""The dashboard's filter for unpublished obligations whose last publication attempt failed."""


def _failed():
    return sa.and_(Obligation.publish_failed_at.is_not(None), Obligation.published_on.is_(None))


def dashboard_stmt(user, status: str | None):
    """The obligations `user` may see (of one status, or FAILED, if given), most urgent
    first."""
    stmt = scope_organizations(user, sa.select(Obligation), Obligation.organization_id)
    if status == FAILED:
        stmt = stmt.where(_failed())
    elif status:
        stmt = stmt.where(Obligation.status == status)
    return stmt.order_by(_URGENCY, Obligation.due, Obligation.id)


def status_counts(session: Session, user) -> dict[str, int]:
    """How many obligations `user` may see, per status, and how many failed (FAILED)."""
    counts = dict(session.execute(scope_organizations(
        user, sa.select(Obligation.status, sa.func.count()), Obligation.organization_id)
        .group_by(Obligation.status)).all())
    counts[FAILED] = session.scalar(scope_organizations(
        user, sa.select(sa.func.count(Obligation.id)), Obligation.organization_id)
        .where(_failed()))
    return counts


def subject_obligations(session: Session, subject_type: str, subject_id: int
                        ) -> list[Obligation]:
    """A campaign's or project's obligations, in deadline order."""
    return list(session.scalars(sa.select(Obligation).where(
        Obligation.subject_type == subject_type, Obligation.subject_id == subject_id)
        .order_by(Obligation.due, Obligation.kind.desc(), Obligation.seq)))


def narrative_of(session: Session, ob: Obligation) -> Narrative | None:
    """The progress text written in advance for `ob`'s report, if any."""
    return session.scalar(sa.select(Narrative).where(
        Narrative.subject_type == ob.subject_type, Narrative.subject_id == ob.subject_id,
        Narrative.kind == ob.kind, Narrative.seq == ob.seq))


def _written(subject_type, subject_id, kind, seq):
    """A non-empty progress narrative exists for that report."""
    return sa.exists().where(Narrative.subject_type == subject_type,
                             Narrative.subject_id == subject_id, Narrative.kind == kind,
                             Narrative.seq == seq, sa.func.length(sa.func.trim(Narrative.text)) > 0)


def without_narrative(session: Session, obligations) -> set[int]:
    """The ids of those of `obligations` — unpublished project reports — that have no
    progress narrative yet (the staff home reminds managers from 7 days before the
    deadline; published without one, the report says 本期未提供进展说明)."""
    ids = [o.id for o in obligations if o.subject_type == "project" and o.published_on is None
           and o.kind in ("periodic", "final")]
    if not ids:
        return set()
    return set(session.scalars(sa.select(Obligation.id).where(
        Obligation.id.in_(ids), ~_written(Obligation.subject_type, Obligation.subject_id,
                                          Obligation.kind, Obligation.seq))))


def narrative_gaps(session: Session, organization_id: int, start: dt.date | None = None,
                   end: dt.date | None = None) -> int:
    """How many project reports of the organisation (published from `start` to `end` when
    given; corrections not counted) went out without a progress narrative: a gap for the
    transparency score."""
    stmt = sa.select(sa.func.count(Publication.id)).where(
        Publication.organization_id == organization_id, Publication.subject_type == "project",
        Publication.kind.in_(("periodic", "final")),
        ~_written(Publication.subject_type, Publication.subject_id, Publication.kind,
                  Publication.seq))
    if start is not None:
        stmt = stmt.where(Publication.published_on >= start, Publication.published_on <= end)
    return int(session.scalar(stmt) or 0)


def publishable_period(ob: Obligation, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The period `ob` would cover if published today ("publish now"), or None when it
    cannot be published today (already published, nothing to report yet, not ended)."""
    if ob.published_on is not None:
        return None
    return period_if_published_on(ob.kind, ob.period_start, ob.period_end, today)


def first_publishable_day(ob: Obligation) -> dt.date:
    """The first day `ob` can be published: a periodic disclosure once a day of its period
    has passed, a final or annual one once its whole period is over."""
    if ob.kind == "periodic":
        return ob.period_start + dt.timedelta(days=1)
    return ob.period_end + dt.timedelta(days=1)


def publication_of(session: Session, ob: Obligation) -> Publication | None:
    return session.scalar(sa.select(Publication).where(Publication.obligation_id == ob.id))


# --- goods figures: category, unit, quantity and value -----------------------------------------

def _by_category(session: Session, line, document, where: list, day, start: dt.date | None,
                 end: dt.date | None) -> list[tuple[str, str, Decimal, Decimal]]:
    """Posted `document` lines (intake or distribution) per category and unit, on the
    document's `day` from `start` to `end` when given."""
    stmt = (sa.select(ItemCategory.name, ItemType.unit, sa.func.sum(line.quantity),
                      sa.func.sum(line.quantity * line.unit_value))
            .join(document).join(line.item_type).join(ItemType.category).where(*where))
    if start is not None:
        stmt = stmt.where(day >= start, day <= end)
    rows = session.execute(stmt.group_by(ItemCategory.name, ItemCategory.sort, ItemType.unit)
                           .order_by(ItemCategory.sort, ItemType.unit))
    return [(c, u, Decimal(q or 0), Decimal(v or 0)) for c, u, q, v in rows]


def goods_received(session: Session, campaign_id: int, start: dt.date | None = None,
                   end: dt.date | None = None) -> list[tuple[str, str, Decimal, Decimal]]:
    """Goods given to a campaign (posted intakes, received from `start` to `end` when
    given) per category and unit: (category, unit, quantity, value)."""
    return _by_category(session, IntakeLine, IntakeLine.intake,
                        [Intake.campaign_id == campaign_id, Intake.status == DocStatus.POSTED],
                        Intake.received_on, start, end)


def at_project_point(project_id: int, point_col, day_col):
    """True where a document of `point_col` on `day_col` was made at a point attached to
    the project that day (ProjectPoint)."""
    return sa.exists().where(
        ProjectPoint.project_id == project_id, ProjectPoint.point_id == point_col,
        ProjectPoint.start_on <= day_col,
        sa.or_(ProjectPoint.end_on.is_(None), ProjectPoint.end_on >= day_col))


def of_project(project_id: int):
    """The distributions a project's reports count: those that name the project, and those
    that name none made at a point attached to it that day.

    As `distribution.id IN (named ∪ at an attached point)`: each part walks its own index
    (the project's, the attached points'), where an OR over the two made every page and
    report of a project scan the whole distribution table (at province scale ~30 ms a
    query, three queries a project page)."""
    d = sa.orm.aliased(Distribution)  # not correlated with the outer query's distributions
    named = sa.select(d.id).where(d.project_id == project_id)
    at_point = (sa.select(d.id).join(ProjectPoint, sa.and_(
        ProjectPoint.project_id == project_id, ProjectPoint.point_id == d.point_id,
        ProjectPoint.start_on <= d.distributed_on,
        sa.or_(ProjectPoint.end_on.is_(None), ProjectPoint.end_on >= d.distributed_on)))
        .where(d.project_id.is_(None)))
    return Distribution.id.in_(sa.union_all(named, at_point))


def goods_distributed(session: Session, project_id: int, start: dt.date | None = None,
                      end: dt.date | None = None) -> list[tuple[str, str, Decimal, Decimal]]:
    """Goods handed out under a project (posted distributions `of_project`, from `start`
    to `end` when given) per category and unit: (category, unit, quantity, value)."""
    return _by_category(session, DistributionLine, DistributionLine.distribution,
                        [of_project(project_id), Distribution.status == DocStatus.POSTED],
                        Distribution.distributed_on, start, end)


def org_goods(session: Session, organization_id: int, received: bool, start: dt.date,
              end: dt.date) -> list[tuple[str, str, Decimal, Decimal]]:
    """All goods the organisation received (posted intakes) or handed out (posted
    distributions) from `start` to `end`, per category and unit (the annual report)."""
    if received:
        return _by_category(session, IntakeLine, IntakeLine.intake,
                            [Intake.organization_id == organization_id,
                             Intake.status == DocStatus.POSTED], Intake.received_on, start, end)
    return _by_category(session, DistributionLine, DistributionLine.distribution,
                        [Distribution.organization_id == organization_id,
                         Distribution.status == DocStatus.POSTED], Distribution.distributed_on,
                        start, end)
