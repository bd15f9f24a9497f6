"""The money feature's read side: the figures of a fund, lists, filters and totals.

A fund's figures are defined here once: `income` and `used` serve the stored balances
(`FundBalance`), the ledger's filtered totals and the public pages alike.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from charity.audit.models import AuditLog
from charity.auth.models import User
from charity.auth.permissions import scope_organizations
from charity.core.db import contains
from charity.core.extensions import db
from charity.funds.models import (
    COLUMN,
    INCOME_KINDS,
    SPENDING_KINDS,
    Campaign,
    CampaignChange,
    CampaignStatus,
    EntryKind,
    FundBalance,
    FundEntry,
    Project,
    ProjectStatus,
    Receipt,
)
from charity.orgs.models import Organization
from charity.people.models import Donor
from charity.reports.spreadsheets import CHUNK_ROWS

FIGURES = ("donation_income", "commercial_income", "spent_projects", "spent_other",
           "fundraising_costs", "transfers_in", "transfers_out")
TOTAL_KEYS = FIGURES[:5]  # the ledger list's totals (transfers only move money)
RECENT_ENTRIES = 20  # on a campaign's page
LEDGER_DONOR_LIMIT = 500  # donors offered by the ledger forms


def _figure(figures, name: str) -> Decimal:
    return figures[name] if isinstance(figures, Mapping) else getattr(figures, name)


def income(figures) -> Decimal:
    """Money received: gifts (donations and charity activities) plus commercial income.
    `figures` is a FundBalance or a dict with the same keys."""
    return _figure(figures, "donation_income") + _figure(figures, "commercial_income")


def used(figures) -> Decimal:
    """Money used: project spending, other spending and fundraising costs.
    `figures` is a FundBalance or a dict with the same keys."""
    return (_figure(figures, "spent_projects") + _figure(figures, "spent_other")
            + _figure(figures, "fundraising_costs"))


# --- balances --------------------------------------------------------------------------------

def zero_balance() -> FundBalance:
    """An unsaved, empty balance for a fund nothing has been posted to yet."""
    return FundBalance(entry_count=0, **{name: Decimal("0") for name in FIGURES})


def balances_for(scope: str, ids) -> dict[int, FundBalance]:
    """The balances of several funds of one scope in one query (read only: a fund without a
    row yet gets an empty, unsaved one)."""
    ids = list(ids)
    found = {}
    if ids:
        found = {b.scope_id: b for b in db.session.scalars(
            sa.select(FundBalance).where(FundBalance.scope == scope,
                                         FundBalance.scope_id.in_(ids)))}
    return {i: found.get(i) or zero_balance() for i in ids}


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


# --- organisations ---------------------------------------------------------------------------

def organisations(user, active_only: bool = True) -> list[Organization]:
    """The organisations `user` works in (all for an administrator), by name."""
    stmt = scope_organizations(user, sa.select(Organization), Organization.id)
    if active_only:
        stmt = stmt.where(Organization.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Organization.name)))


# --- campaigns and projects ------------------------------------------------------------------

def _plans(user, model, q: str, status: str, statuses, searched):
    """Campaigns or projects `user` may see, searched and filtered by status."""
    stmt = scope_organizations(user, sa.select(model).join(model.organization),
                               model.organization_id)
    if q:
        stmt = stmt.where(sa.or_(*(contains(column, q) for column in searched)))
    if status in {s.value for s in statuses}:
        stmt = stmt.where(model.status == status)
    return stmt.options(sa.orm.contains_eager(model.organization)).order_by(
        model.planned_start.desc(), model.id.desc())


def campaign_list(user, q: str, status: str):
    """The campaign list's select, newest start first (searched by name and filing number)."""
    return _plans(user, Campaign, q, status, CampaignStatus,
                  (Campaign.name, Campaign.filing_no))


def project_list(user, q: str, status: str):
    """The project list's select, newest start first (searched by name and area)."""
    return _plans(user, Project, q, status, ProjectStatus, (Project.name, Project.area)
                  ).options(sa.orm.selectinload(Project.campaigns))


def campaign_page(campaign: Campaign) -> dict:
    """What a campaign's page shows besides its plan: its fund's balance, the money raised
    against the target, the plan's history and the latest ledger entries."""
    balance = balances_for("campaign", [campaign.id])[campaign.id]
    raised = balance.donation_income
    progress = percent(raised, campaign.target_amount)
    return {"balance": balance, "raised": raised, "progress": progress,
            "progress_bar": None if progress is None else min(progress, Decimal(100)),
            "changes": campaign_history(campaign), "entries": recent_entries(campaign)}


def campaign_history(campaign: Campaign) -> list[CampaignChange]:
    """The versions of a campaign's plan, newest first."""
    return db.session.scalars(
        sa.select(CampaignChange).where(CampaignChange.campaign_id == campaign.id)
        .options(sa.orm.selectinload(CampaignChange.changed_by))
        .order_by(CampaignChange.version.desc())).all()


def recent_entries(campaign: Campaign, limit: int = RECENT_ENTRIES) -> list[FundEntry]:
    """A campaign's latest ledger entries."""
    return db.session.scalars(
        sa.select(FundEntry).where(FundEntry.campaign_id == campaign.id)
        .options(sa.orm.selectinload(FundEntry.project))
        .order_by(FundEntry.entry_date.desc(), FundEntry.id.desc())
        .limit(limit)).all()


def funding_campaigns(user, org_id: int | None) -> list[Campaign]:
    """The campaigns a project may be funded by: its organisation's (all in scope for an
    administrator creating a project, `org_id` None)."""
    stmt = sa.select(Campaign).join(Campaign.organization)
    if org_id is not None:
        stmt = stmt.where(Campaign.organization_id == org_id)
    else:
        stmt = scope_organizations(user, stmt, Campaign.organization_id)
    stmt = stmt.options(sa.orm.contains_eager(Campaign.organization))
    return db.session.scalars(stmt.order_by(Organization.name, Campaign.name)).all()


def project_figures(project: Project) -> dict:
    """Money of the project by source, summed from the ledger in one grouped query: per
    campaign (None = the organisation's general fund), income designated to it and spending."""
    rows = db.session.execute(
        sa.select(FundEntry.campaign_id, Campaign.name, FundEntry.kind,
                  sa.func.sum(FundEntry.amount))
        .outerjoin(Campaign, Campaign.id == FundEntry.campaign_id)
        .where(FundEntry.project_id == project.id)
        .group_by(FundEntry.campaign_id, Campaign.name, FundEntry.kind)).all()
    sources: dict = {}
    for campaign_id, name, kind, total in rows:
        source = sources.setdefault(campaign_id, {"campaign_id": campaign_id, "name": name,
                                                  "income": Decimal("0"),
                                                  "spent": Decimal("0")})
        if kind in SPENDING_KINDS:
            source["spent"] += Decimal(total)
        elif kind in INCOME_KINDS:
            source["income"] += Decimal(total)
    ordered = sorted(sources.values(), key=lambda s: (s["campaign_id"] is None, s["name"] or ""))
    return {"sources": ordered,
            "spent": sum((s["spent"] for s in ordered), Decimal("0")),
            "income": sum((s["income"] for s in ordered), Decimal("0"))}


# --- the ledger ------------------------------------------------------------------------------

def scoped_entries(user, stmt, flt):
    """A select over FundEntry limited to `user`'s organisations and the list's filter."""
    return flt.apply(scope_organizations(user, stmt, FundEntry.organization_id))


def ledger_entries(user, flt):
    """The ledger list's select, newest first."""
    return scoped_entries(user, sa.select(FundEntry), flt).options(
        selectinload(FundEntry.campaign), selectinload(FundEntry.project),
        selectinload(FundEntry.receipt), selectinload(FundEntry.posted_by)).order_by(
        FundEntry.entry_date.desc(), FundEntry.id.desc())


TOP_PROJECTS = 10  # the ledger list's totals name the projects that spent most


def _whole_funds(flt) -> bool:
    """Whether the filter keeps whole organisations (no date, kind, fund, channel or text)."""
    return not any((flt.date_from, flt.date_to, flt.kind, flt.campaign, flt.project,
                    flt.channel, flt.q))


def _kept_totals(user, flt) -> tuple[dict, dict[int, Decimal]]:
    """Totals by kind and spending by project from the fund balances kept at posting time:
    one row per organisation and per project, whatever the length of the ledger (a project
    whose spending nets to zero is left out)."""
    stmt = scope_organizations(user, sa.select(FundBalance), FundBalance.organization_id)
    if flt.org:
        stmt = stmt.where(FundBalance.organization_id == flt.org)
    totals = {key: Decimal("0.00") for key in TOTAL_KEYS}
    spent: dict[int, Decimal] = {}
    for row in db.session.scalars(stmt.where(FundBalance.scope.in_(("org", "project")))):
        if row.scope == "org":
            for key in TOTAL_KEYS:
                totals[key] += getattr(row, key)
        elif row.spent_projects:
            spent[row.scope_id] = row.spent_projects
    return totals, spent


def _summed_totals(user, flt) -> tuple[dict, dict[int, Decimal]]:
    """The same summed from the ledger under the filter, grouped in the order of the index
    (organisation, kind, project, amount) so that the database reads the index alone."""
    stmt = scoped_entries(
        user, sa.select(FundEntry.kind, FundEntry.project_id, sa.func.sum(FundEntry.amount)),
        flt).group_by(FundEntry.organization_id, FundEntry.kind, FundEntry.project_id)
    totals = {key: Decimal("0.00") for key in TOTAL_KEYS}
    spent: dict[int, Decimal] = {}
    for kind, project_id, total in db.session.execute(stmt):
        total = Decimal(total or 0)
        column = COLUMN[EntryKind(kind)]
        if column in totals:
            totals[column] += total
        if kind == EntryKind.PROJECT_SPENDING and project_id is not None:
            spent[project_id] = spent.get(project_id, Decimal("0.00")) + total
    return totals, spent


def ledger_totals(user, flt) -> dict:
    """The filter's totals by kind, and project spending by project: unfiltered, read from
    the fund balances (`charity verify` checks them against the ledger); filtered, summed
    from the ledger (issue 21: an administrator's list covers 200,000 entries)."""
    totals, spent = (_kept_totals if _whole_funds(flt) else _summed_totals)(user, flt)
    # The projects that spent most, not an administrator's thousand: the filter shows any
    # other project's spending (issue 21: a thousand amounts made the page's cost).
    top = sorted(spent.items(), key=lambda item: (-item[1], item[0]))[:TOP_PROJECTS]
    names = dict(db.session.execute(sa.select(Project.id, Project.name).where(
        Project.id.in_([pid for pid, _amount in top]))).all()) if top else {}
    totals["by_project"] = [[names[pid], amount] for pid, amount in top]
    totals["more_projects"] = len(spent) - len(top)
    totals["income"] = income(totals)
    totals["used"] = used(totals)
    return totals


def ledger_page(user, flt, entries) -> dict:
    """What the ledger list shows around a page of `entries`: the filter's totals, which
    entries were reversed, and the organisations, campaigns and projects to filter by."""
    orgs = organisations(user, active_only=False)
    campaigns, projects = ledger_filter_choices(orgs)
    return {"totals": ledger_totals(user, flt),
            "reversed_ids": reversed_ids(e.id for e in entries), "orgs": orgs,
            "org_names": {o.id: o.name for o in orgs}, "campaigns": campaigns,
            "projects": projects}


def ledger_count(user, flt) -> int:
    return db.session.scalar(scoped_entries(user, sa.select(sa.func.count(FundEntry.id)),
                                            flt)) or 0


def reversed_ids(ids) -> set[int]:
    """Which of these entries have been reversed."""
    ids = list(ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        sa.select(FundEntry.reverses_id).where(FundEntry.reverses_id.in_(ids))))


def ledger_filter_choices(orgs) -> tuple[list, list]:
    """The campaigns and projects of these organisations, for the list's filter: rows of
    (id, organization_id, name) — an administrator's 2,000 subjects as whole objects cost
    more than the rest of the page (issue 21)."""
    org_ids = [o.id for o in orgs]
    return tuple(db.session.execute(
        sa.select(model.id, model.organization_id, model.name)
        .where(model.organization_id.in_(org_ids)).order_by(model.name)).all()
        for model in (Campaign, Project))


def posting_choices(user, org):
    """Campaigns, projects and donors a posting may name: of `org`, or of every organisation
    the administrator sees while none is picked (then labelled with the organisation by
    the returned `label_org`)."""
    org_ids = [org.id] if org is not None else [o.id for o in organisations(user)]
    names = {}
    if org is None:
        names = dict(db.session.execute(sa.select(Organization.id, Organization.name)
                                        .where(Organization.id.in_(org_ids))).all())
    campaigns = db.session.scalars(
        sa.select(Campaign).where(Campaign.organization_id.in_(org_ids),
                                  Campaign.status.in_([CampaignStatus.ACTIVE,
                                                       CampaignStatus.ENDED]))
        .order_by(Campaign.status, Campaign.name)).all()
    projects = db.session.scalars(
        sa.select(Project).where(Project.organization_id.in_(org_ids),
                                 Project.status != ProjectStatus.CLOSED)
        .order_by(Project.name)).all()
    donors = db.session.scalars(
        sa.select(Donor).where(Donor.organization_id.in_(org_ids))
        .order_by(Donor.name, Donor.id).limit(LEDGER_DONOR_LIMIT)).all()
    label_org = (lambda obj: names.get(obj.organization_id, "")) if org is None else None
    return campaigns, projects, donors, label_org


def correction_state(entry: FundEntry) -> tuple[FundEntry | None, list[FundEntry]]:
    """The entry's reversal (None while uncorrected) and its replacements."""
    reversal = db.session.scalar(sa.select(FundEntry).where(FundEntry.reverses_id == entry.id))
    replacements = list(db.session.scalars(
        sa.select(FundEntry).where(FundEntry.replaces_id == entry.id).order_by(FundEntry.id)))
    return reversal, replacements


def entry_links(entry: FundEntry) -> dict:
    """What an entry page links to: the entry it reverses or replaces, the other side of a
    transfer, and the audit trail."""
    other_side = None
    if entry.transfer_group:
        other_side = db.session.scalar(sa.select(FundEntry).where(
            FundEntry.transfer_group == entry.transfer_group, FundEntry.id != entry.id,
            FundEntry.reverses_id.is_(None) if entry.reverses_id is None
            else FundEntry.reverses_id.is_not(None)))
    trail = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.object_type == "FundEntry",
                                  AuditLog.object_id == str(entry.id))
        .options(selectinload(AuditLog.user)).order_by(AuditLog.id)).all()
    return {"original": db.session.get(FundEntry, entry.reverses_id) if entry.reverses_id
            else None,
            "replaced": db.session.get(FundEntry, entry.replaces_id) if entry.replaces_id
            else None,
            "other_side": other_side, "trail": trail}


def ledger_export_rows(user, flt):
    """The filtered ledger as raw rows, oldest first, read from the database in chunks
    (never all at once). The select is built now, while `user` is at hand: a streamed
    response reads the rows after the view has returned (the user is detached by then)."""
    reversal = aliased(FundEntry)
    stmt = (sa.select(FundEntry.id, FundEntry.entry_date, Organization.name, FundEntry.kind,
                      FundEntry.amount, Campaign.name, Project.name, FundEntry.counterparty,
                      FundEntry.channel, FundEntry.activity, FundEntry.purpose,
                      FundEntry.voucher_no, FundEntry.reference, FundEntry.restricted,
                      Receipt.number, FundEntry.reverses_id, reversal.id, FundEntry.replaces_id,
                      FundEntry.correction_reason, User.display_name, FundEntry.posted_at)
            .join(Organization, Organization.id == FundEntry.organization_id)
            .outerjoin(Campaign, Campaign.id == FundEntry.campaign_id)
            .outerjoin(Project, Project.id == FundEntry.project_id)
            .outerjoin(Receipt, Receipt.id == FundEntry.receipt_id)
            .outerjoin(User, User.id == FundEntry.posted_by_id)
            .outerjoin(reversal, reversal.reverses_id == FundEntry.id))
    stmt = scoped_entries(user, stmt, flt).order_by(FundEntry.entry_date, FundEntry.id)

    def rows():
        yield from db.session.execute(stmt.execution_options(yield_per=CHUNK_ROWS))

    return rows()
