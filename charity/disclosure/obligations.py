"""Obligations in the database, recomputed from the data by `charity.disclosure.rules`.

`refresh_all` is idempotent: run it once or ten times, after a week of downtime or with two
schedulers at once, and the rows end up the same. Published obligations never change.
It works on plain rows (no ORM objects) and writes only what changed, so a tick over ten
thousand subjects with nothing due reads a few result sets and writes almost nothing.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.db import utcnow
from charity.disclosure import rules
from charity.disclosure.models import Obligation, Publication
from charity.funds.models import (Campaign, CampaignChange, CampaignStatus, FundEntry,
                                  Project, ProjectStatus)
from charity.goods.models import StockMovement
from charity.orgs.models import Organization

log = logging.getLogger("charity.scheduler")
# How far ahead the schedule of an open-ended project is kept in the table.
OPEN_ENDED_HORIZON_DAYS = 400
CHANGE_KINDS = ("extend", "end_early", "end")
_OB_COLS = (Obligation.subject_type, Obligation.subject_id, Obligation.kind, Obligation.seq,
            Obligation.id, Obligation.period_start, Obligation.period_end, Obligation.due,
            Obligation.status, Obligation.published_on)


class Stored(NamedTuple):
    """An obligation row as the refresh compares it (a plain tuple: reading a field of a
    SQLAlchemy row costs several times more, and a tick reads ten per obligation)."""

    id: int
    period_start: dt.date
    period_end: dt.date
    due: dt.date
    status: str
    published_on: dt.date | None


class Facts:
    """What the rules need, loaded for many subjects in a few queries (no query per subject)."""

    def __init__(self, session: Session, subject_type: str | None = None,
                 subject_id: int | None = None):
        def scoped(stmt, model):
            if subject_type is not None:
                stmt = stmt.where(model.subject_type == subject_type,
                                  model.subject_id == subject_id)
            return stmt

        self.obligations: dict[tuple[str, int], dict[tuple[str, int], Stored]] = defaultdict(dict)
        # Through the Core connection: the ORM's per-row layer doubled the cost of reading
        # every obligation (80,000 rows at 20,000 subjects) and gave nothing here. The Core
        # connection does not autoflush: flush first, so what the caller just added counts.
        session.flush()
        obligations = self.obligations
        for st, sid, kind, seq, *stored in session.connection().execute(
                scoped(sa.select(*_OB_COLS), Obligation)).all():
            obligations[(st, sid)][(kind, seq)] = Stored(*stored)
        self.periodic: dict[tuple[str, int], list[dt.date]] = {}
        # The last day each published periodic report covered: the next one starts after it.
        self.through: dict[tuple[str, int], list[dt.date]] = {}
        self.final: dict[tuple[str, int], dt.date] = {}
        rows = session.connection().execute(scoped(sa.select(
            Publication.subject_type, Publication.subject_id, Publication.kind,
            Publication.published_on, Publication.period_end).where(
                Publication.kind.in_(("periodic", "final"))),
            Publication).order_by(Publication.subject_type, Publication.subject_id,
                                  Publication.seq))
        for st, sid, kind, published_on, period_end in rows:
            if kind == "periodic":
                self.periodic.setdefault((st, sid), []).append(published_on)
                self.through.setdefault((st, sid), []).append(period_end)
            else:
                self.final[(st, sid)] = published_on
        stmt = sa.select(CampaignChange.campaign_id, sa.func.max(CampaignChange.changed_on)).where(
            CampaignChange.kind.in_(CHANGE_KINDS)).group_by(CampaignChange.campaign_id)
        if subject_type == "campaign":
            stmt = stmt.where(CampaignChange.campaign_id == subject_id)
        self.changed_on = dict(session.execute(stmt).all())


class Changes:
    """Inserts, updates and deletes collected over all subjects, written in bulk."""

    def __init__(self):
        self.inserts, self.updates, self.deletes = [], [], []

    def write(self, session: Session) -> None:
        now = utcnow()
        if self.inserts:
            for row in self.inserts:
                row["refreshed_at"] = now
            session.execute(sa.insert(Obligation), self.inserts)
        if self.updates:
            for row in self.updates:
                row["refreshed_at"] = now
            session.execute(sa.update(Obligation), self.updates)
        if self.deletes:
            session.execute(sa.delete(Obligation).where(Obligation.id.in_(self.deletes)))


def compute(subject, today: dt.date, facts: Facts, subject_type: str) -> list[rules.Obligation]:
    """The obligations of a campaign or project row as the rules define them today."""
    key = (subject_type, subject.id)
    existing = facts.obligations.get(key, {})
    changed_on = None
    if subject_type == "campaign":
        changed_on = facts.changed_on.get(subject.id)
        end = subject.actual_end or subject.planned_end
        until = None
        emergency = subject.emergency
    else:
        closed = subject.status == ProjectStatus.CLOSED
        end = subject.actual_end if closed else subject.planned_end
        until = None if end is not None else today + dt.timedelta(days=OPEN_ENDED_HORIZON_DAYS)
        emergency = False
        if closed:
            changed_on = subject.closed_on
    previous = {k: o.due for k, o in existing.items()} if changed_on else None
    return rules.obligations_for(subject.planned_start, end, subject_kind=subject_type,
                                 emergency=emergency, published=facts.periodic.get(key, ()),
                                 published_through=facts.through.get(key, ()), until=until, changed_on=changed_on,
                                 previous_deadlines=previous,
                                 final_published=facts.final.get(key))


def _sync(changes: Changes, organization_id: int, subject_type: str, subject_id: int,
          wanted: list[rules.Obligation], existing: dict, today: dt.date) -> None:
    keep = set()
    for ob in wanted:
        keep.add(ob.key)
        row = existing.get(ob.key)
        if row is None:
            changes.inserts.append({
                "organization_id": organization_id, "subject_type": subject_type,
                "subject_id": subject_id, "kind": ob.kind, "seq": ob.seq,
                "period_start": ob.period_start, "period_end": ob.period_end, "due": ob.due,
                "status": rules.status_by_due(ob.due, today, None)})
            continue
        start, end, due = row.period_start, row.period_end, row.due
        if row.published_on is None:
            start, end, due = ob.period_start, ob.period_end, ob.due
        status = rules.status_by_due(due, today, row.published_on)
        if (start, end, due, status) != (row.period_start, row.period_end, row.due, row.status):
            changes.updates.append({"id": row.id, "period_start": start, "period_end": end,
                                    "due": due, "status": status})
    for key, row in existing.items():
        # An early end drops later periodic deadlines: unpublished rows that the rules no
        # longer ask for go (nothing refers to them); published ones always stay.
        if key not in keep and row.published_on is None:
            changes.deletes.append(row.id)


def _refresh_subject(changes, subject, subject_type, today, facts) -> None:
    try:
        wanted = compute(subject, today, facts, subject_type)
    except ValueError:
        # One subject with inconsistent data must not stop the others' deadlines.
        log.exception("obligations of %s %s could not be computed", subject_type, subject.id)
        return
    _sync(changes, subject.organization_id, subject_type, subject.id, wanted,
          facts.obligations.get((subject_type, subject.id), {}), today)


def first_entries(session: Session, org_id: int | None = None) -> dict[int, dt.date]:
    """Each organisation's first ledger day: its earliest money entry or stock movement."""
    # One row per organisation with two correlated minimums: each is a seek on the
    # (organization_id, date) index, where a GROUP BY read all million movements every tick.
    ledgers = ((FundEntry, FundEntry.entry_date), (StockMovement, StockMovement.movement_date))
    firsts = [sa.select(sa.func.min(column)).where(model.organization_id == Organization.id)
              .scalar_subquery() for model, column in ledgers]
    stmt = sa.select(Organization.id, *firsts)
    if org_id is not None:
        stmt = stmt.where(Organization.id == org_id)
    out: dict[int, dt.date] = {}
    for oid, *days in session.execute(stmt):
        days = [day for day in days if day is not None]
        if days:
            out[oid] = min(days)
    return out


def annual_first_year(org, first_entry: dt.date | None, today: dt.date) -> int:
    """The first year an annual report is owed for: the year of the registration date or of
    the first ledger entry, whichever is earlier (DOMAIN: annual report); an organisation
    with neither on file owes from the year it was entered here."""
    days = [d for d in (org.registered_on, first_entry) if d is not None]
    if days:
        return min(days).year
    return org.created_at.year if org.created_at else today.year


def _refresh_annual(changes, org, today, facts, first_entry=None) -> None:
    """Annual reports for every full year since the organisation's first year
    (`annual_first_year`; seq holds the year: one annual obligation per year)."""
    existing = facts.obligations.get(("organization", org.id), {})
    first_year = annual_first_year(org, first_entry, today)
    for year in range(first_year, today.year):
        ob = rules.annual_report_obligation(year)
        row = existing.get(("annual", year))
        if row is None:
            changes.inserts.append({
                "organization_id": org.id, "subject_type": "organization",
                "subject_id": org.id, "kind": "annual", "seq": year,
                "period_start": ob.period_start, "period_end": ob.period_end, "due": ob.due,
                "status": rules.status_by_due(ob.due, today, None)})
        else:
            status = rules.status_of(ob, today, row.published_on)
            if status != row.status:
                changes.updates.append({"id": row.id, "period_start": row.period_start,
                                        "period_end": row.period_end, "due": row.due,
                                        "status": status})


_CAMPAIGN_COLS = (Campaign.id, Campaign.organization_id, Campaign.planned_start,
                  Campaign.planned_end, Campaign.actual_end, Campaign.emergency)
_PROJECT_COLS = (Project.id, Project.organization_id, Project.planned_start,
                 Project.planned_end, Project.actual_end, Project.status, Project.closed_on)


def refresh_subject(session: Session, subject, today: dt.date) -> None:
    """Recompute one campaign's or project's obligations (e.g. right after a change)."""
    subject_type = "campaign" if isinstance(subject, Campaign) else "project"
    facts = Facts(session, subject_type, subject.id)
    changes = Changes()
    _refresh_subject(changes, subject, subject_type, today, facts)
    changes.write(session)
    session.flush()


def refresh_all(session: Session, today: dt.date) -> int:
    """Recompute every subject's obligations; returns how many subjects were looked at."""
    from charity.disclosure.publishing import lock_chain

    # Two schedulers refreshing at once would both insert the same new rows: serialise them
    # (before reading, so the second one reads what the first committed).
    lock_chain(session)
    session.flush()
    facts = Facts(session)
    changes = Changes()
    count = 0
    rows = session.connection().execute  # Core rows: see Facts
    for row in rows(sa.select(*_CAMPAIGN_COLS).where(
            Campaign.status.in_((CampaignStatus.ACTIVE, CampaignStatus.ENDED)))).all():
        _refresh_subject(changes, row, "campaign", today, facts)
        count += 1
    for row in rows(sa.select(*_PROJECT_COLS).where(
            Project.status.in_((ProjectStatus.ACTIVE, ProjectStatus.CLOSED)))).all():
        _refresh_subject(changes, row, "project", today, facts)
        count += 1
    firsts = first_entries(session)
    for org in session.execute(sa.select(
            Organization.id, Organization.created_at, Organization.registered_on).where(
            Organization.active.is_(True))):
        _refresh_annual(changes, org, today, facts, firsts.get(org.id))
        count += 1
    changes.write(session)
    # ORM objects loaded earlier in this session must not hide what was just written.
    session.expire_all()
    return count
