"""Open data: what the public API, its CSV downloads and the Atom feed publish.

Plain functions over the session (no Flask): one `Resource` per collection says which rows
are public, which filters apply and how a row is turned into JSON-ready values. Only public
facts leave here — never a draft (a campaign or project still "planned"), never personal
data: no donors, beneficiaries, volunteers, complaint contacts or users, and not the names
or phone numbers of an organisation's or a campaign's responsible people.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.disclosure.models import Obligation, Publication
from charity.funds.models import (Campaign, CampaignChange, CampaignStatus, FundBalance,
                                  FundEntry, Project, ProjectStatus, project_campaign)
from charity.orgs.models import CharityPoint, Organization

CENT = Decimal("0.01")
SUBJECTS = ("campaign", "project", "organization")
OBLIGATION_KINDS = ("periodic", "final", "annual")
PUBLICATION_KINDS = ("periodic", "final", "annual", "correction")
OBLIGATION_STATUSES = ("upcoming", "due", "overdue", "published_on_time", "published_late")
CAMPAIGN_STATUSES = (CampaignStatus.ACTIVE.value, CampaignStatus.ENDED.value)
PROJECT_STATUSES = (ProjectStatus.ACTIVE.value, ProjectStatus.CLOSED.value)
POINT_KINDS = ("supermarket", "station")


def money(value: Decimal | None) -> str | None:
    """Money as exact text with two decimals ("1234.50"): JSON numbers would be floats."""
    return None if value is None else format(value.quantize(CENT), "f")


def day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def instant(value: dt.datetime | None) -> str | None:
    """An aware datetime as RFC 3339 in UTC ("2026-04-01T02:03:04Z")."""
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def report_no(pub: Publication) -> str:
    return f"GK-{pub.chain_seq:06d}"


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


def _figures(balance: FundBalance | None) -> dict:
    if balance is None:
        return {"income": "0.00", "used": "0.00", "remaining": "0.00"}
    return {"income": money(balance.income), "used": money(balance.used),
            "remaining": money(balance.remaining)}


# --- organisations and points ----------------------------------------------------------------

def _organizations(f: Filters):
    stmt = sa.select(Organization)
    if f.organization:
        stmt = stmt.where(Organization.id == f.organization)
    return stmt.order_by(Organization.id)


def organization_data(o: Organization, extra=None) -> dict:
    return {"id": o.id, "name": o.name, "uscc": o.uscc,
            "registering_authority": o.registering_authority,
            "can_fundraise_publicly": o.can_fundraise_publicly,
            "fundraising_cert_no": o.fundraising_cert_no, "address": o.address,
            "website": o.website, "timezone": o.timezone, "active": o.active}


def _points(f: Filters):
    # Closed points are gone from the directory: nobody should walk to them.
    stmt = sa.select(CharityPoint).join(CharityPoint.organization).where(
        CharityPoint.active.is_(True), Organization.active.is_(True))
    if f.organization:
        stmt = stmt.where(CharityPoint.organization_id == f.organization)
    if f.kind:
        stmt = stmt.where(CharityPoint.kind == f.kind)
    return stmt.order_by(CharityPoint.id)


def point_data(p: CharityPoint, extra=None) -> dict:
    return {"id": p.id, "organization_id": p.organization_id, "kind": p.kind.value,
            "name": p.name, "address": p.address, "district": p.district,
            "community": p.community, "opening_hours": p.opening_hours, "phone": p.phone}


def _load_point(session: Session, item_id: int):
    point = session.get(CharityPoint, item_id)
    return point if point is not None and point.active else None


# --- campaigns and projects ------------------------------------------------------------------

def _campaigns(f: Filters):
    stmt = sa.select(Campaign).where(Campaign.status != CampaignStatus.PLANNED)
    if f.organization:
        stmt = stmt.where(Campaign.organization_id == f.organization)
    if f.status:
        stmt = stmt.where(Campaign.status == f.status)
    stmt = _year_overlap(stmt, Campaign.planned_start,
                         sa.func.coalesce(Campaign.actual_end, Campaign.planned_end), f.year)
    return stmt.order_by(Campaign.planned_start.desc(), Campaign.id.desc())


def campaign_data(c: Campaign, extra: dict | None = None) -> dict:
    extra = extra or {}
    return {"id": c.id, "organization_id": c.organization_id, "name": c.name,
            "status": c.status.value, "purpose": c.purpose, "region": c.region,
            "donation_methods": c.donation_methods, "bank_account": c.bank_account,
            "beneficiaries": c.beneficiaries, "intended_use": c.intended_use,
            "leftover_plan": c.leftover_plan, "goods_wanted": c.goods_wanted,
            "filing_no": c.filing_no, "filing_date": day(c.filing_date),
            "planned_start": day(c.planned_start), "planned_end": day(c.planned_end),
            "actual_end": day(c.actual_end), "emergency": c.emergency,
            "target_amount": money(c.target_amount), "cost_budget": money(c.cost_budget),
            **_figures(extra.get("balances", {}).get(c.id))}


def _campaign_extras(session: Session, rows: list) -> dict:
    return {"balances": _balances(session, "campaign", [c.id for c in rows])}


def _load_campaign(session: Session, item_id: int):
    campaign = session.get(Campaign, item_id)
    return campaign if campaign is not None and campaign.status != CampaignStatus.PLANNED else None


def _projects(f: Filters):
    stmt = sa.select(Project).where(Project.status != ProjectStatus.PLANNED)
    if f.organization:
        stmt = stmt.where(Project.organization_id == f.organization)
    if f.status:
        stmt = stmt.where(Project.status == f.status)
    stmt = _year_overlap(stmt, Project.planned_start,
                         sa.func.coalesce(Project.actual_end, Project.planned_end), f.year)
    return stmt.order_by(Project.planned_start.desc(), Project.id.desc())


def project_data(p: Project, extra: dict | None = None) -> dict:
    extra = extra or {}
    return {"id": p.id, "organization_id": p.organization_id, "name": p.name,
            "status": p.status.value, "content": p.content, "area": p.area,
            "beneficiary_groups": p.beneficiary_groups,
            "planned_start": day(p.planned_start), "planned_end": day(p.planned_end),
            "actual_end": day(p.actual_end), "budget": money(p.budget),
            "leftover_property": p.leftover_property, "leftover_handling": p.leftover_handling,
            "campaign_ids": sorted(extra.get("campaigns", {}).get(p.id, [])),
            **_figures(extra.get("balances", {}).get(p.id))}


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


def _load_project(session: Session, item_id: int):
    project = session.get(Project, item_id)
    return project if project is not None and project.status != ProjectStatus.PLANNED else None


# --- obligations and publications ------------------------------------------------------------

def _subject(stmt, model, f: Filters):
    if f.subject:
        stmt = stmt.where(model.subject_type == f.subject)
    if f.subject_id:
        stmt = stmt.where(model.subject_id == f.subject_id)
    if f.organization:
        stmt = stmt.where(model.organization_id == f.organization)
    if f.kind:
        stmt = stmt.where(model.kind == f.kind)
    return stmt


def _obligations(f: Filters):
    stmt = _subject(sa.select(Obligation), Obligation, f)
    if f.status:
        stmt = stmt.where(Obligation.status == f.status)
    stmt = _in_year(stmt, Obligation.due, f.year)
    return stmt.order_by(Obligation.due.desc(), Obligation.id.desc())


def obligation_data(o: Obligation, extra: dict | None = None) -> dict:
    pub_ids = (extra or {}).get("publications", {})
    return {"id": o.id, "organization_id": o.organization_id, "subject_type": o.subject_type,
            "subject_id": o.subject_id, "kind": o.kind, "seq": o.seq,
            "period_start": day(o.period_start), "period_end": day(o.period_end),
            "due": day(o.due), "status": o.status, "published_on": day(o.published_on),
            "publication_id": pub_ids.get(o.id)}


def _obligation_extras(session: Session, rows: list) -> dict:
    ids = [o.id for o in rows]
    found = {}
    if ids:
        found = dict(session.execute(sa.select(Publication.obligation_id, Publication.id).where(
            Publication.obligation_id.in_(ids))).all())
    return {"publications": found}


def _publications(f: Filters):
    stmt = _in_year(_subject(sa.select(Publication), Publication, f), Publication.published_on,
                    f.year)
    return stmt.order_by(Publication.published_on.desc(), Publication.chain_seq.desc())


def publication_data(p: Publication, extra: dict | None = None) -> dict:
    """A publication's public facts; `extra["urls"](p)` gives its page and PDF addresses."""
    urls = (extra or {}).get("urls")
    html_url, pdf_url = urls(p) if urls else (None, None)
    return {"id": p.id, "report_no": report_no(p), "organization_id": p.organization_id,
            "subject_type": p.subject_type, "subject_id": p.subject_id, "kind": p.kind,
            "seq": p.seq, "title": p.title, "period_start": day(p.period_start),
            "period_end": day(p.period_end), "due": day(p.due),
            "published_on": day(p.published_on), "published_at": instant(p.published_at),
            "late": p.late, "corrects_id": p.corrects_id,
            "correction_reason": p.correction_reason, "pdf_sha256": p.pdf_sha256,
            "snapshot_sha256": p.snapshot_sha256, "entry_hash": p.entry_hash,
            "prev_hash": p.prev_hash, "html_url": html_url, "pdf_url": pdf_url}


def _get(model):
    return lambda session, item_id: session.get(model, item_id)


SUBJECT_FILTERS = {"organization": (), "subject": SUBJECTS, "subject_id": (), "year": ()}
RESOURCES: dict[str, Resource] = {r.name: r for r in (
    Resource("organizations", _organizations, organization_data, _get(Organization),
             {"organization": ()}),
    Resource("points", _points, point_data, _load_point,
             {"organization": (), "kind": POINT_KINDS}),
    Resource("campaigns", _campaigns, campaign_data, _load_campaign,
             {"organization": (), "status": CAMPAIGN_STATUSES, "year": ()}, _campaign_extras),
    Resource("projects", _projects, project_data, _load_project,
             {"organization": (), "status": PROJECT_STATUSES, "year": ()}, _project_extras),
    Resource("obligations", _obligations, obligation_data, _get(Obligation),
             {**SUBJECT_FILTERS, "kind": OBLIGATION_KINDS, "status": OBLIGATION_STATUSES},
             _obligation_extras),
    Resource("publications", _publications, publication_data, _get(Publication),
             {**SUBJECT_FILTERS, "kind": PUBLICATION_KINDS}),
)}


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
