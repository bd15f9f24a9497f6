"""Obligations in the database, recomputed from the data by `charity.disclosure.rules`.

`refresh_all` is idempotent: run it once or ten times, after a week of downtime or with two
schedulers at once, and the rows end up the same. Published obligations never change.
"""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.db import utcnow
from charity.disclosure import rules
from charity.disclosure.models import Obligation, Publication
from charity.funds.models import Campaign, CampaignChange, CampaignStatus, Project, ProjectStatus
from charity.orgs.models import Organization

log = logging.getLogger("charity.scheduler")
# How far ahead the schedule of an open-ended project is kept in the table.
OPEN_ENDED_HORIZON_DAYS = 400
CHANGE_KINDS = ("extend", "end_early", "end")


class Facts:
    """What the rules need, loaded for many subjects in a few queries (no query per subject)."""

    def __init__(self, session: Session, subject_type: str | None = None,
                 subject_id: int | None = None):
        def scoped(stmt, model):
            if subject_type is not None:
                stmt = stmt.where(model.subject_type == subject_type,
                                  model.subject_id == subject_id)
            return stmt

        self.obligations: dict[tuple[str, int], dict[tuple[str, int], Obligation]] = {}
        for o in session.scalars(scoped(sa.select(Obligation), Obligation)):
            self.obligations.setdefault((o.subject_type, o.subject_id), {})[(o.kind, o.seq)] = o
        self.periodic: dict[tuple[str, int], list[dt.date]] = {}
        self.final: dict[tuple[str, int], dt.date] = {}
        rows = session.execute(scoped(sa.select(
            Publication.subject_type, Publication.subject_id, Publication.kind, Publication.seq,
            Publication.published_on).where(Publication.kind.in_(("periodic", "final"))),
            Publication).order_by(Publication.subject_type, Publication.subject_id,
                                  Publication.seq))
        for st, sid, kind, _seq, published_on in rows:
            if kind == "periodic":
                self.periodic.setdefault((st, sid), []).append(published_on)
            else:
                self.final[(st, sid)] = published_on
        stmt = sa.select(CampaignChange.campaign_id, sa.func.max(CampaignChange.changed_on)).where(
            CampaignChange.kind.in_(CHANGE_KINDS)).group_by(CampaignChange.campaign_id)
        if subject_type == "campaign":
            stmt = stmt.where(CampaignChange.campaign_id == subject_id)
        self.changed_on = dict(session.execute(stmt).all())


def compute(subject, today: dt.date, facts: Facts) -> list[rules.Obligation]:
    """The obligations of a campaign or project as the rules define them today."""
    subject_type = "campaign" if isinstance(subject, Campaign) else "project"
    key = (subject_type, subject.id)
    existing = facts.obligations.get(key, {})
    changed_on = None
    if isinstance(subject, Campaign):
        changed_on = facts.changed_on.get(subject.id)
        end = subject.actual_end or subject.planned_end
        until = None
        emergency = subject.emergency
    else:
        end = subject.actual_end if subject.status == ProjectStatus.CLOSED else subject.planned_end
        until = None if end is not None else today + dt.timedelta(days=OPEN_ENDED_HORIZON_DAYS)
        emergency = False
        if subject.status == ProjectStatus.CLOSED:
            changed_on = subject.closed_on
    previous = {k: o.due for k, o in existing.items()} if changed_on else None
    return rules.obligations_for(subject.planned_start, end, subject_kind=subject_type,
                                 emergency=emergency, published=facts.periodic.get(key, ()),
                                 until=until, changed_on=changed_on,
                                 previous_deadlines=previous,
                                 final_published=facts.final.get(key))


def _sync(session: Session, organization_id: int, subject_type: str, subject_id: int,
          wanted: list[rules.Obligation], existing: dict[tuple[str, int], Obligation],
          today: dt.date) -> None:
    now = utcnow()
    keep = set()
    for ob in wanted:
        keep.add(ob.key)
        row = existing.get(ob.key)
        if row is None:
            row = Obligation(organization_id=organization_id, subject_type=subject_type,
                             subject_id=subject_id, kind=ob.kind, seq=ob.seq,
                             period_start=ob.period_start, period_end=ob.period_end,
                             due=ob.due, status="upcoming")
            session.add(row)
        elif row.published_on is None:
            row.period_start, row.period_end, row.due = ob.period_start, ob.period_end, ob.due
        status = rules.status_of(
            rules.Obligation(row.kind, row.seq, row.period_start, row.period_end, row.due),
            today, row.published_on)
        if row.status != status:
            row.status = status
        row.refreshed_at = now
    for key, row in existing.items():
        # An early end drops later periodic deadlines: unpublished rows that the rules no
        # longer ask for go (nothing refers to them); published ones always stay.
        if key not in keep and row.published_on is None:
            session.delete(row)


def refresh_subject(session: Session, subject, today: dt.date,
                    facts: Facts | None = None) -> None:
    subject_type = "campaign" if isinstance(subject, Campaign) else "project"
    facts = facts or Facts(session, subject_type, subject.id)
    existing = facts.obligations.get((subject_type, subject.id), {})
    wanted = compute(subject, today, facts)
    _sync(session, subject.organization_id, subject_type, subject.id, wanted, existing, today)


def refresh_annual(session: Session, org: Organization, today: dt.date,
                   facts: Facts | None = None) -> None:
    """Annual reports for every full year since the organisation was registered here
    (seq holds the year: one annual obligation per year)."""
    facts = facts or Facts(session, "organization", org.id)
    existing = facts.obligations.get(("organization", org.id), {})
    first_year = org.created_at.year if org.created_at else today.year
    for year in range(first_year, today.year):
        ob = rules.annual_report_obligation(year)
        seq = year
        row = existing.get(("annual", seq))
        if row is None:
            row = Obligation(organization_id=org.id, subject_type="organization",
                             subject_id=org.id, kind="annual", seq=seq,
                             period_start=ob.period_start, period_end=ob.period_end, due=ob.due,
                             status="upcoming")
            session.add(row)
        row.status = rules.status_of(ob, today, row.published_on)


def _guarded(fn, session, subject, today, facts) -> None:
    """One subject with inconsistent data must not stop the others' deadlines."""
    try:
        fn(session, subject, today, facts)
    except ValueError:
        log.exception("obligations of %s %s could not be computed", type(subject).__name__,
                      subject.id)


def refresh_all(session: Session, today: dt.date) -> int:
    """Recompute every subject's obligations; returns how many subjects were looked at."""
    from charity.disclosure.publishing import lock_chain

    # Two schedulers refreshing at once would both insert the same new rows: serialise them
    # (before reading, so the second one reads what the first committed).
    lock_chain(session)
    count = 0
    facts = Facts(session)
    campaigns = session.scalars(sa.select(Campaign).where(
        Campaign.status.in_((CampaignStatus.ACTIVE, CampaignStatus.ENDED))))
    for campaign in campaigns:
        _guarded(refresh_subject, session, campaign, today, facts)
        count += 1
    projects = session.scalars(sa.select(Project).where(
        Project.status.in_((ProjectStatus.ACTIVE, ProjectStatus.CLOSED))))
    for project in projects:
        _guarded(refresh_subject, session, project, today, facts)
        count += 1
    for org in session.scalars(sa.select(Organization).where(Organization.active.is_(True))):
        refresh_annual(session, org, today, facts)
        count += 1
    session.flush()
    return count
