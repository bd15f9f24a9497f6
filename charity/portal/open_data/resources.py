"""What the open data API publishes: one `Resource` per collection says which rows are
public, which filters apply, how a row is loaded by id and turned into JSON
(`charity.portal.open_data.serialise`), and which figures a page of rows needs; plus the
year's statistics and when a collection last changed.

Plain functions over the session (no Flask). Only public facts leave here — never a draft
(a campaign or project still "planned"), never personal data.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.db import where_given
from charity.disclosure.models import Obligation, Publication
from charity.funds.models import (Campaign, CampaignChange, CampaignStatus, FundBalance,
                                  FundEntry, Project, ProjectStatus, project_campaign)
from charity.orgs.models import CharityPoint, Organization
from charity.portal.open_data import serialise
from charity.portal.queries.figures import empty_totals, year_totals_by_org

SUBJECTS = ("campaign", "project", "organization")
OBLIGATION_KINDS = ("periodic", "final", "annual")
PUBLICATION_KINDS = ("periodic", "final", "annual", "correction")
OBLIGATION_STATUSES = ("upcoming", "due", "overdue", "published_on_time", "published_late")
CAMPAIGN_STATUSES = (CampaignStatus.ACTIVE.value, CampaignStatus.ENDED.value)
PROJECT_STATUSES = (ProjectStatus.ACTIVE.value, ProjectStatus.CLOSED.value)
POINT_KINDS = ("supermarket", "station")


@dataclass(frozen=True)
class Filters:
    """The filters a request asked for (already validated); None means "any"."""

    organization: int | None = None
    status: str | None = None
    year: int | None = None
    subject: str | None = None
    subject_id: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Resource:
    """One public collection: its rows, filters, serialiser and CSV columns."""

    name: str
    select: Callable[[Filters], sa.Select]
    serialise: Callable[..., dict]
    load: Callable[[Session, int], object | None]
    filters: dict[str, tuple] = field(default_factory=dict)  # name → allowed values or ()
    extras: Callable[[Session, list], dict] | None = None  # figures loaded for a whole page


def _year_overlap(stmt, start_col, end_col, year: int | None):
    """Rows running at some time during `year` (an open end runs on)."""
    if year is None:
        return stmt
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return stmt.where(start_col <= last, sa.or_(end_col.is_(None), end_col >= first))


def _in_year(stmt, col, year: int | None):
    if year is None:
        return stmt
    return stmt.where(col >= dt.date(year, 1, 1), col <= dt.date(year, 12, 31))


def _balances(session: Session, scope: str, ids: list[int]) -> dict[int, FundBalance]:
    if not ids:
        return {}
    return {b.scope_id: b for b in session.scalars(sa.select(FundBalance).where(
        FundBalance.scope == scope, FundBalance.scope_id.in_(ids)))}


def _get(model):
    return lambda session, item_id: session.get(model, item_id)


# --- organisations and points ----------------------------------------------------------------

def _organizations(f: Filters):
    return where_given(sa.select(Organization),
                        (Organization.id, f.organization)).order_by(Organization.id)


def _points(f: Filters):
    # Closed points are gone from the directory: nobody should walk to them.
    stmt = sa.select(CharityPoint).join(CharityPoint.organization).where(
        CharityPoint.active.is_(True), Organization.active.is_(True))
    return where_given(stmt, (CharityPoint.organization_id, f.organization),
                        (CharityPoint.kind, f.kind)).order_by(CharityPoint.id)


def _load_point(session: Session, item_id: int):
    point = session.get(CharityPoint, item_id)
    return point if point is not None and point.active else None


# --- campaigns and projects ------------------------------------------------------------------

def _fund_subjects(model, planned):
    """The rows of campaigns (or projects) that are not drafts, newest first."""
    def select(f: Filters):
        stmt = where_given(sa.select(model).where(model.status != planned),
                            (model.organization_id, f.organization), (model.status, f.status))
        stmt = _year_overlap(stmt, model.planned_start,
                             sa.func.coalesce(model.actual_end, model.planned_end), f.year)
        return stmt.order_by(model.planned_start.desc(), model.id.desc())

    return select


def _public_subject(model, planned):
    """Load one campaign (or project) by id, unless it is a draft."""
    def load(session: Session, item_id: int):
        row = session.get(model, item_id)
        return row if row is not None and row.status != planned else None

    return load


def _campaign_extras(session: Session, rows: list) -> dict:
    return {"balances": _balances(session, "campaign", [c.id for c in rows])}


def _project_extras(session: Session, rows: list) -> dict:
    ids = [p.id for p in rows]
    links: dict[int, list[int]] = {}
    if ids:
        for project_id, campaign_id in session.execute(sa.select(
                project_campaign.c.project_id, project_campaign.c.campaign_id).join(
                Campaign, Campaign.id == project_campaign.c.campaign_id).where(
                project_campaign.c.project_id.in_(ids),
                Campaign.status != CampaignStatus.PLANNED)):
            links.setdefault(project_id, []).append(campaign_id)
    return {"balances": _balances(session, "project", ids), "campaigns": links}


# --- obligations and publications ------------------------------------------------------------

def _of_subject(model, f: Filters):
    return where_given(sa.select(model), (model.subject_type, f.subject),
                        (model.subject_id, f.subject_id),
                        (model.organization_id, f.organization), (model.kind, f.kind))


def _obligations(f: Filters):
    stmt = where_given(_of_subject(Obligation, f), (Obligation.status, f.status))
    stmt = _in_year(stmt, Obligation.due, f.year)
    return stmt.order_by(Obligation.due.desc(), Obligation.id.desc())


def _obligation_extras(session: Session, rows: list) -> dict:
    ids = [o.id for o in rows]
    found = {}
    if ids:
        found = dict(session.execute(sa.select(Publication.obligation_id, Publication.id).where(
            Publication.obligation_id.in_(ids))).all())
    return {"publications": found}


def _publications(f: Filters):
    stmt = _in_year(_of_subject(Publication, f), Publication.published_on, f.year)
    return stmt.order_by(Publication.published_on.desc(), Publication.chain_seq.desc())


SUBJECT_FILTERS = {"organization": (), "subject": SUBJECTS, "subject_id": (), "year": ()}
RESOURCES: dict[str, Resource] = {r.name: r for r in (
    Resource("organizations", _organizations, serialise.organization_data, _get(Organization),
             {"organization": ()}),
    Resource("points", _points, serialise.point_data, _load_point,
             {"organization": (), "kind": POINT_KINDS}),
    Resource("campaigns", _fund_subjects(Campaign, CampaignStatus.PLANNED),
             serialise.campaign_data, _public_subject(Campaign, CampaignStatus.PLANNED),
             {"organization": (), "status": CAMPAIGN_STATUSES, "year": ()}, _campaign_extras),
    Resource("projects", _fund_subjects(Project, ProjectStatus.PLANNED),
             serialise.project_data, _public_subject(Project, ProjectStatus.PLANNED),
             {"organization": (), "status": PROJECT_STATUSES, "year": ()}, _project_extras),
    Resource("obligations", _obligations, serialise.obligation_data, _get(Obligation),
             {**SUBJECT_FILTERS, "kind": OBLIGATION_KINDS, "status": OBLIGATION_STATUSES},
             _obligation_extras),
    Resource("publications", _publications, serialise.publication_data, _get(Publication),
             {**SUBJECT_FILTERS, "kind": PUBLICATION_KINDS}),
)}


def collection_page(session: Session, resource: Resource, filters: Filters, page: int,
                    per_page: int) -> tuple[list, int]:
    """One page of a collection's rows and how many rows match in all."""
    stmt = resource.select(filters)
    total = session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    return session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all(), total


def collection_chunks(session: Session, resource: Resource, filters: Filters,
                      size: int) -> Iterator[list]:
    """Every matching row of a collection, `size` at a time (streamed, for the CSV)."""
    result = session.execute(resource.select(filters).execution_options(yield_per=size))
    yield from result.scalars().partitions()


def newest_publications(session: Session, limit: int) -> list[Publication]:
    """The newest publications with their organisation (the Atom feed's entries)."""
    return list(session.scalars(_publications(Filters()).options(
        sa.orm.joinedload(Publication.organization)).limit(limit)))


def newest_change(session: Session, name: str) -> dt.datetime | None:
    """When the answers of a collection last changed, where the data tell it cheaply and
    surely; None where edits leave no timestamp (organisations, points, projects, stats)."""
    def last(col, order):
        return session.scalar(sa.select(col).order_by(order.desc()).limit(1))

    published = last(Publication.published_at, Publication.chain_seq)
    if name == "publications":
        return published
    if name == "obligations":
        refreshed = session.scalar(sa.select(sa.func.max(Obligation.refreshed_at)))
        return max((t for t in (published, refreshed) if t is not None), default=None)
    if name == "campaigns":
        # Ids grow with time in these append-only tables: the last row is the newest.
        times = (session.scalar(sa.select(sa.func.max(Campaign.created_at))),
                 last(CampaignChange.changed_at, CampaignChange.id),
                 last(FundEntry.posted_at, FundEntry.id))
        return max((t for t in times if t is not None), default=None)
    return None


# --- statistics ------------------------------------------------------------------------------

def stats_payload(session: Session, year: int, organization_id: int | None = None
                  ) -> dict | None:
    """The year's totals for the installation and per organisation (all active ones, or the
    one asked for); None if that organisation does not exist."""
    stmt = sa.select(Organization.id, Organization.name).order_by(Organization.id)
    if organization_id is not None:
        stmt = stmt.where(Organization.id == organization_id)
    else:
        stmt = stmt.where(Organization.active.is_(True))
    orgs = session.execute(stmt).all()
    if organization_id is not None and not orgs:
        return None
    totals = year_totals_by_org(session, year)  # grouped queries, not one set per organisation
    per_org = [{"name": name,
                **serialise.totals_data(totals.get(oid) or empty_totals(year, oid))}
               for oid, name in orgs]
    return {"data": {"year": year, "installation": serialise.totals_data(totals[None]),
                     "organizations": per_org},
            "meta": {"year": year, "organization": organization_id}}
