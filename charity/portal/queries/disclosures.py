"""The public disclosure pages' questions: the list of publications (filtered) with the
notes that tie a corrected publication to its corrections, the latest ones, the compliance
table (per organisation, obligations published on time, late and overdue now) and the list
of overdue obligations.

Plain functions over a session (no Flask). Counts are derived from the obligations' dates
against `today`, not from the stored `status`: the stored status is only as fresh as the
last scheduler tick, and a table about accountability must not look better because the
scheduler stopped.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.db import contains
from charity.disclosure.models import Obligation, Publication, report_no
from charity.disclosure.queries import subject_names
from charity.disclosure.rules import DUE_SOON_DAYS
from charity.orgs.models import Organization

# The subject select of the disclosure list: beyond this many, filter by organisation first.
MAX_SUBJECT_OPTIONS = 500


@dataclass(frozen=True)
class OrgCompliance:
    organization_id: int
    name: str
    on_time: int
    late: int
    overdue: int
    due_soon: int

    @property
    def published(self) -> int:
        return self.on_time + self.late


@dataclass(frozen=True)
class OverdueRow:
    obligation: Obligation
    organization_name: str
    subject_name: str
    days_overdue: int


def _unpublished():
    return Obligation.published_on.is_(None)


def compliance_table(session: Session, today: dt.date) -> list[OrgCompliance]:
    """Per organisation with any obligation: how many were published on time (on or before
    the deadline), published late, are overdue on `today` (unpublished, deadline passed) and
    are due within DUE_SOON_DAYS. One grouped query; worst (most overdue) first."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)

    def count(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    overdue = count(sa.and_(_unpublished(), Obligation.due < today))
    stmt = (sa.select(
        Organization.id, Organization.name,
        count(Obligation.published_on <= Obligation.due),
        count(Obligation.published_on > Obligation.due),
        overdue,
        count(sa.and_(_unpublished(), Obligation.due >= today, Obligation.due <= soon)))
        .join(Organization, Organization.id == Obligation.organization_id)
        .group_by(Organization.id, Organization.name)
        .order_by(overdue.desc(), Organization.name, Organization.id))
    return [OrgCompliance(oid, name, int(a), int(b), int(c), int(d))
            for oid, name, a, b, c, d in session.execute(stmt)]


def overdue_stmt(today: dt.date, organization_id: int | None = None):
    """Unpublished obligations whose deadline has passed on `today`, longest overdue first
    (a statement, for paging)."""
    stmt = sa.select(Obligation).where(_unpublished(), Obligation.due < today)
    if organization_id is not None:
        stmt = stmt.where(Obligation.organization_id == organization_id)
    return stmt.order_by(Obligation.due, Obligation.organization_id, Obligation.id)


def overdue_rows(session: Session, obligations, today: dt.date) -> list[OverdueRow]:
    """A page of overdue obligations with their organisation's and subject's names."""
    obligations = list(obligations)
    names = subject_names(obligations, session)
    org_ids = {o.organization_id for o in obligations}
    orgs = dict(session.execute(sa.select(Organization.id, Organization.name)
                                .where(Organization.id.in_(org_ids))).all()) if org_ids else {}
    return [OverdueRow(o, orgs.get(o.organization_id, ""),
                       names.get((o.subject_type, o.subject_id), ""), (today - o.due).days)
            for o in obligations]


def organization_name(session: Session, organization_id: int) -> str | None:
    return session.scalar(sa.select(Organization.name)
                          .where(Organization.id == organization_id))


# --- the disclosure list ---------------------------------------------------------------------

@dataclass(frozen=True)
class DisclosureRow:
    """A publication as the home, campaign and project pages list it (plain data: cached)."""

    id: int
    title: str
    organization: str
    kind: str
    published_on: dt.date
    late: bool


def latest_disclosures(session: Session, limit: int = 5, organization_id: int | None = None,
                       **subject) -> tuple[DisclosureRow, ...]:
    stmt = (sa.select(Publication.id, Publication.title, Organization.name, Publication.kind,
                      Publication.published_on, Publication.late)
            .join(Organization, Organization.id == Publication.organization_id))
    if organization_id is not None:
        stmt = stmt.where(Publication.organization_id == organization_id)
    if subject:
        stmt = stmt.where(Publication.subject_type == subject["subject_type"],
                          Publication.subject_id == subject["subject_id"])
    rows = session.execute(stmt.order_by(Publication.published_on.desc(),
                                         Publication.chain_seq.desc()).limit(limit))
    return tuple(DisclosureRow(*row) for row in rows)



def publication_list(*, organization_id: int | None = None, subject_type: str | None = None,
                     subject_id: int | None = None, year: int | None = None,
                     kind: str | None = None, q: str = ""):
    """Publications with their organisation, newest first (a statement, for paging),
    filtered by organisation, subject, year published, kind and words of the title."""
    stmt = sa.select(Publication).join(Publication.organization)
    if organization_id:
        stmt = stmt.where(Publication.organization_id == organization_id)
    if subject_type:
        stmt = stmt.where(Publication.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(Publication.subject_id == subject_id)
    if year:
        stmt = stmt.where(Publication.published_on >= dt.date(year, 1, 1),
                          Publication.published_on <= dt.date(year, 12, 31))
    if kind:
        stmt = stmt.where(Publication.kind == kind)
    if q:
        stmt = stmt.where(contains(Publication.title, q))
    return (stmt.options(sa.orm.contains_eager(Publication.organization))
            .order_by(Publication.published_on.desc(), Publication.chain_seq.desc()))


def corrections_of(session: Session, pub: Publication) -> list[Publication]:
    """The correction notes published for `pub`, oldest first."""
    return list(session.scalars(sa.select(Publication).where(
        Publication.corrects_id == pub.id).order_by(Publication.chain_seq)))


def organisation_choices(session: Session) -> list:
    """Every organisation (id, name) by name: the organisation filter of the public lists."""
    return session.execute(sa.select(Organization.id, Organization.name)
                           .order_by(Organization.name)).all()


@dataclass(frozen=True)
class CorrectionNote:
    """One side of a correction: the other publication's id and report number, and why."""

    publication_id: int
    report_no: str
    reason: str


def correction_notes(session: Session, publications) -> tuple[dict[int, list[CorrectionNote]],
                                                              dict[int, CorrectionNote]]:
    """For a page of publications: the corrections published for each one (id → notes), and
    for each correction the publication it corrects (id → note with the correction's own
    reason). Two queries however long the page."""
    publications = list(publications)
    ids = [p.id for p in publications]
    corrected_by: dict[int, list[CorrectionNote]] = defaultdict(list)
    if ids:
        for pid, seq, corrects_id, reason in session.execute(
                sa.select(Publication.id, Publication.chain_seq, Publication.corrects_id,
                          Publication.correction_reason)
                .where(Publication.corrects_id.in_(ids)).order_by(Publication.chain_seq)):
            corrected_by[corrects_id].append(CorrectionNote(pid, report_no(seq), reason))
    fixes = [p for p in publications if p.corrects_id]
    corrects: dict[int, CorrectionNote] = {}
    if fixes:
        seqs = dict(session.execute(sa.select(Publication.id, Publication.chain_seq).where(
            Publication.id.in_({p.corrects_id for p in fixes}))).all())
        for p in fixes:
            corrects[p.id] = CorrectionNote(p.corrects_id, report_no(seqs[p.corrects_id]),
                                            p.correction_reason)
    return dict(corrected_by), corrects


def publication_subjects(session: Session, organization_id: int | None = None
                         ) -> list[tuple[str, int, str]]:
    """Campaigns and projects that have publications (type, id, name), by name — the
    choices of the subject filter."""
    stmt = sa.select(Publication.subject_type, Publication.subject_id).where(
        Publication.subject_type.in_(("campaign", "project"))).distinct()
    if organization_id is not None:
        stmt = stmt.where(Publication.organization_id == organization_id)
    pairs = session.execute(stmt.limit(MAX_SUBJECT_OPTIONS)).all()
    names = subject_names(pairs, session)
    return sorted(((t, i, names.get((t, i), "")) for t, i in pairs),
                  key=lambda s: (s[0], s[2], s[1]))
