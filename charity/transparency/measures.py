"""How each indicator is measured, from the organisation's own data.

Every measure returns a `Measure`: whether the indicator applies, the fraction met (0…1) and
the gaps — each with what to do and the endpoint of the screen that fixes it (the view
builds the link). Windows are "the last 12 months" up to `today`, the organisation's
calendar day. What only the caller knows (the checks of `charity verify`, whether the
open-data API is served, how a screen names an obligation) comes in the `Context`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from charity.complaints.models import Complaint
from charity.core.i18n import _l
from charity.disclosure.annual.models import AnnualStatement
from charity.disclosure.models import Obligation, Publication
from charity.disclosure.queries import narrative_gaps, subject_names
from charity.disclosure.rules import add_months
from charity.funds.models import (
    DONATION_INCOME_KINDS,
    Campaign,
    CampaignStatus,
    EntryKind,
    FundEntry,
    Project,
    ProjectStatus,
    Receipt,
)
from charity.funds.services.campaigns import REQUIRED_FOR_ACTIVATION
from charity.goods.models import StockMovement

ONE, ZERO, HALF = Decimal(1), Decimal(0), Decimal("0.5")
WINDOW = dt.timedelta(days=365)
RECEIPT_DAYS = 30


@dataclass(frozen=True)
class Gap:
    message: object  # a lazy string, formatted when shown
    endpoint: str | None = None
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Measure:
    applicable: bool
    fraction: Decimal = ONE
    gaps: tuple[Gap, ...] = ()
    detail: object = ""


NOT_APPLICABLE = Measure(False, ZERO)


def plain_obligation_label(ob) -> str:
    """An obligation named by its kind and number, for callers without a screen (the
    scheduler keeps only the number of gaps); screens pass their translated label."""
    return f"{ob.kind} {ob.seq}"


@dataclass
class Context:
    session: Session
    today: dt.date
    ledgers_ok: bool | None = None  # charity verify: funds and stock
    publications_ok: bool | None = None  # charity verify: publications and hash chain
    open_data: bool = True  # the open-data API is served (it is, in every app)
    obligation_label: Callable[[Obligation], object] = plain_obligation_label
    # What several measures read of one organisation, read once (key: what, organisation id).
    memo: dict = field(default_factory=dict, repr=False)


def _once(ctx: Context, key: tuple, read: Callable[[], object]):
    if key not in ctx.memo:
        ctx.memo[key] = read()
    return ctx.memo[key]


def _ratio(met: Decimal, total: int) -> Decimal:
    return (met / total).quantize(Decimal("0.0001")) if total else ONE


# --- fundraising ---------------------------------------------------------------------------

def campaign_plans(ctx: Context, org) -> Measure:
    campaigns = ctx.session.scalars(sa.select(Campaign).where(
        Campaign.organization_id == org.id,
        Campaign.status.in_([CampaignStatus.ACTIVE, CampaignStatus.ENDED]))
        .order_by(Campaign.id)).all()
    if not campaigns:
        return NOT_APPLICABLE
    gaps = []
    for c in campaigns:
        missing = [f for f in ("filing_no", *REQUIRED_FOR_ACTIVATION) if not getattr(c, f)]
        if missing:
            gaps.append(Gap(_l("Campaign “%(name)s” lacks: %(fields)s — complete its plan.",
                               name=c.name, fields=", ".join(missing)),
                            "campaigns.campaign_edit", {"campaign_id": c.id}))
    return Measure(True, _ratio(Decimal(len(campaigns) - len(gaps)), len(campaigns)),
                   tuple(gaps))


def _window_obligations(ctx: Context, org) -> tuple[list[Obligation], dict]:
    """The organisation's obligations due in the last 12 months (up to today) with their
    subjects' names: read once for the three disclosure indicators."""
    def read():
        rows = ctx.session.scalars(sa.select(Obligation).where(
            Obligation.organization_id == org.id,
            Obligation.kind.in_(("periodic", "final", "annual")),
            Obligation.due >= ctx.today - WINDOW, Obligation.due <= ctx.today)
            .order_by(Obligation.due, Obligation.id)).all()
        itself = ("organization", org.id)  # an annual report's subject: no query for its name
        names = subject_names([r for r in rows if (r.subject_type, r.subject_id) != itself],
                              ctx.session)
        return rows, {**names, itself: org.name}
    return _once(ctx, ("obligations", org.id), read)


def _disclosures(ctx: Context, org, subject_type: str, kinds=("periodic", "final")) -> Measure:
    """Obligations of one kind of subject due in the last 12 months (up to yesterday: today's
    deadline is not missed yet)."""
    every, names = _window_obligations(ctx, org)
    rows = [ob for ob in every if ob.subject_type == subject_type and ob.kind in kinds]
    counted, met, gaps = 0, ZERO, []
    for ob in rows:
        label = {"name": names.get((ob.subject_type, ob.subject_id), "?"),
                 "what": ctx.obligation_label(ob)}
        if ob.published_on is not None:
            counted += 1
            if ob.published_on <= ob.due:
                met += ONE
            else:
                met += HALF
                gaps.append(Gap(_l("%(name)s, %(what)s: published %(days)s days late (counts "
                                   "half; it cannot be undone — publish the next one on time).",
                                   days=(ob.published_on - ob.due).days, **label),
                                "compliance.dashboard"))
        elif ob.due < ctx.today:
            counted += 1
            gaps.append(Gap(_l("%(name)s, %(what)s: overdue by %(days)s days — publish it now.",
                               days=(ctx.today - ob.due).days, **label),
                            "compliance.dashboard"))
    if not counted:
        return NOT_APPLICABLE
    return Measure(True, _ratio(met, counted), tuple(gaps))


def campaign_disclosures(ctx: Context, org) -> Measure:
    return _disclosures(ctx, org, "campaign")


def receipts(ctx: Context, org) -> Measure:
    reversal = aliased(FundEntry)
    rows = ctx.session.execute(
        sa.select(FundEntry.entry_date, Receipt.issued_on)
        .outerjoin(Receipt, Receipt.id == FundEntry.receipt_id)
        .outerjoin(reversal, reversal.reverses_id == FundEntry.id)
        .where(FundEntry.organization_id == org.id, FundEntry.kind == EntryKind.DONATION,
               FundEntry.donor_id.is_not(None), FundEntry.reverses_id.is_(None),
               reversal.id.is_(None), FundEntry.entry_date >= ctx.today - WINDOW,
               # younger gifts still have time for their receipt
               FundEntry.entry_date <= ctx.today - dt.timedelta(days=RECEIPT_DAYS))).all()
    if not rows:
        return NOT_APPLICABLE
    late = sum(1 for given, issued in rows
               if issued is None or (issued - given).days > RECEIPT_DAYS)
    gaps = (Gap(_l("%(n)s gifts from known donors got no receipt within %(days)s days — issue "
                   "them.", n=late, days=RECEIPT_DAYS), "ledger.entry_list"),) if late else ()
    return Measure(True, _ratio(Decimal(len(rows) - late), len(rows)), gaps)


# --- projects ------------------------------------------------------------------------------

def _counted(ctx: Context, org, subject_type: str, kinds) -> list[Obligation]:
    """The obligations `_disclosures` counts (due in the window, and published or overdue),
    from the window's obligations already read: no query of their own."""
    every, _names = _window_obligations(ctx, org)
    return [ob for ob in every if ob.subject_type == subject_type and ob.kind in kinds
            and (ob.published_on is not None or ob.due < ctx.today)]


def _less(measure: Measure, missing: int, counted: int, gaps: tuple[Gap, ...]) -> Measure:
    """`measure` with `missing` of its `counted` reports losing half of what they count."""
    if not missing or not measure.applicable:
        return measure
    fraction = max(ZERO, measure.fraction - HALF * min(missing, counted) / counted)
    return Measure(True, fraction.quantize(Decimal("0.0001")), measure.gaps + gaps)


def project_disclosures(ctx: Context, org) -> Measure:
    """Project reports due in the last 12 months (on time fully, late half, overdue
    nothing); a report published in the window without its progress narrative (it says
    本期未提供进展说明) loses half of what it counts (issue 17 item 5)."""
    measure = _disclosures(ctx, org, "project")
    if not measure.applicable:
        return measure
    missing = narrative_gaps(ctx.session, org.id, ctx.today - WINDOW, ctx.today)
    counted = len(_counted(ctx, org, "project", ("periodic", "final")))
    gap = Gap(_l("%(n)s project reports went out without a progress narrative (本期未提供进展说明) "
                 "— write it on the report's page before its deadline.", n=missing),
              "compliance.dashboard")
    return _less(measure, missing, max(counted, missing), (gap,))


def closed_projects(ctx: Context, org) -> Measure:
    cutoff = add_months(ctx.today, -3)
    projects = ctx.session.scalars(sa.select(Project).where(
        Project.organization_id == org.id, Project.status == ProjectStatus.CLOSED,
        Project.actual_end.is_not(None), Project.actual_end < cutoff)).all()
    if not projects:
        return NOT_APPLICABLE
    published = set(ctx.session.scalars(sa.select(Obligation.subject_id).where(
        Obligation.organization_id == org.id, Obligation.subject_type == "project",
        Obligation.kind == "final", Obligation.published_on.is_not(None))))
    gaps = tuple(Gap(_l("Project “%(name)s” closed on %(day)s and its final disclosure is not "
                        "published — publish it now.", name=p.name, day=p.actual_end.isoformat()),
                     "compliance.dashboard") for p in projects if p.id not in published)
    return Measure(True, _ratio(Decimal(len(projects) - len(gaps)), len(projects)), gaps)


# --- finance -------------------------------------------------------------------------------

def annual_report(ctx: Context, org) -> Measure:
    """Annual reports due in the last 12 months: on time counts fully, late half, overdue
    nothing. Where the organisation may fundraise publicly its financial report must be
    audited (Charity Law Art. 13; DOMAIN.md): a report counted without an audit report on
    file loses half of what it counted, and the gap says which year lacks it."""
    measure = _disclosures(ctx, org, "organization", kinds=("annual",))
    if not measure.applicable or not org.can_fundraise_publicly:
        return measure
    counted = sorted(_counted(ctx, org, "organization", ("annual",)), key=lambda ob: ob.seq)
    audited = set(ctx.session.scalars(sa.select(AnnualStatement.year).where(
        AnnualStatement.organization_id == org.id, AnnualStatement.audit_stored_name.is_not(None))))
    missing = [ob for ob in counted if ob.seq not in audited]
    gaps = tuple(Gap(_l("Annual report %(year)s: no audit report — upload it (the published "
                        "report says 未提供审计报告).", year=ob.seq),
                     "annual_statement.statement_edit", {"obligation_id": ob.id})
                 for ob in missing)
    return _less(measure, len(missing), len(counted), gaps)


def income_separation(ctx: Context, org) -> Measure:
    """Goods sold in the supermarket must be booked as commercial income."""
    total, wrong = ctx.session.execute(sa.select(
        sa.func.count(FundEntry.id),
        sa.func.count(sa.case((FundEntry.kind.in_(DONATION_INCOME_KINDS), FundEntry.id))))
        .where(FundEntry.organization_id == org.id, FundEntry.source_type == "sale")).one()
    if not total:
        return NOT_APPLICABLE
    gaps = (Gap(_l("%(n)s sales are booked as donations — correct them in the money ledger.",
                   n=wrong), "ledger.entry_list"),) if wrong else ()
    return Measure(True, _ratio(Decimal(total - wrong), total), gaps)


def first_activity(ctx: Context, org) -> dt.date | None:
    """The organisation's first ledger day (money or goods); None: nothing booked yet."""
    def read():
        # Two scalar minimums in one statement: each is one step down an index that starts
        # with the organisation (a grouped minimum would scan the organisation's rows).
        money, goods = ctx.session.execute(sa.select(
            sa.select(sa.func.min(FundEntry.entry_date))
            .where(FundEntry.organization_id == org.id).scalar_subquery(),
            sa.select(sa.func.min(StockMovement.movement_date))
            .where(StockMovement.organization_id == org.id).scalar_subquery())).one()
        return min((d for d in (money, goods) if d is not None), default=None)
    return _once(ctx, ("first", org.id), read)


def _has(ctx: Context, *conditions) -> bool:
    return any(ctx.session.scalar(sa.select(sa.exists().where(c))) for c in conditions)


def _published(ctx: Context, org) -> bool:
    """Whether the organisation has published anything (a publication or a met deadline)."""
    return _once(ctx, ("published", org.id), lambda: _has(
        ctx, Publication.organization_id == org.id,
        sa.and_(Obligation.organization_id == org.id, Obligation.published_on.is_not(None))))


def ledgers(ctx: Context, org) -> Measure:
    # Empty ledgers verify trivially: not applicable, so they do not count as met.
    if ctx.ledgers_ok is None or first_activity(ctx, org) is None:
        return NOT_APPLICABLE
    if ctx.ledgers_ok:
        return Measure(True, ONE)
    return Measure(True, ZERO, (Gap(_l(
        "The ledgers do not verify — run “charity verify” and correct the mismatches.")),))


def fundraising_costs(ctx: Context, org) -> Measure:
    def total(kinds):
        return sa.func.coalesce(sa.func.sum(
            sa.case((FundEntry.kind.in_(kinds), FundEntry.amount))), 0)

    income, costs = ctx.session.execute(sa.select(
        total(DONATION_INCOME_KINDS), total((EntryKind.FUNDRAISING_COST,))).where(
        FundEntry.organization_id == org.id,
        FundEntry.kind.in_((*DONATION_INCOME_KINDS, EntryKind.FUNDRAISING_COST)),
        FundEntry.entry_date > ctx.today - WINDOW, FundEntry.entry_date <= ctx.today)).one()
    income, costs = Decimal(income or 0), Decimal(costs or 0)
    if income <= 0:
        return NOT_APPLICABLE
    ratio = costs / income
    fraction = max(ZERO, min(ONE, (Decimal("0.30") - ratio) / Decimal("0.20")))
    gaps = () if fraction == ONE else (Gap(_l(
        "Fundraising costs were %(pct)s %% of donation income in the last 12 months (target: "
        "at most 10 %%).", pct=f"{ratio * 100:.1f}"), "ledger.entry_list"),)
    return Measure(True, fraction.quantize(Decimal("0.0001")), gaps)


# --- governance and openness ---------------------------------------------------------------

CONTACT_FIELDS = {"contact_person": _l("contact person"), "phone": _l("phone"),
                  "address": _l("address"), "email": _l("e-mail")}


def contact(ctx: Context, org) -> Measure:
    fields = dict(CONTACT_FIELDS)
    if org.can_fundraise_publicly:
        fields["fundraising_cert_no"] = _l("public-fundraising certificate number")
    missing = [str(label) for name, label in fields.items() if not getattr(org, name)]
    gaps = (Gap(_l("Missing on the organisation's record: %(fields)s — add them.",
                   fields=", ".join(missing)), "orgs.org_edit", {"org_id": org.id}),
            ) if missing else ()
    return Measure(True, _ratio(Decimal(len(fields) - len(missing)), len(fields)), gaps)


def corrections(ctx: Context, org) -> Measure:
    # No publication, nothing to correct: not applicable rather than met.
    if ctx.publications_ok is None or not _published(ctx, org):
        return NOT_APPLICABLE
    if ctx.publications_ok:
        return Measure(True, ONE)
    return Measure(True, ZERO, (Gap(_l("The publications do not match their stored digests "
                                       "or hash chain — investigate at once.")),))


def complaints(ctx: Context, org) -> Measure:
    rows = ctx.session.execute(sa.select(Complaint.id, Complaint.subject, Complaint.answer_due,
                                         Complaint.answered_at).where(
        Complaint.organization_id == org.id, Complaint.answer_due >= ctx.today - WINDOW,
        Complaint.answer_due < ctx.today)).all()
    if not rows:
        return NOT_APPLICABLE
    met, gaps = ZERO, []
    for cid, subject, due, answered_at in rows:
        if answered_at is None:
            gaps.append(Gap(_l("Complaint “%(subject)s”: the answer is overdue by %(days)s days "
                               "— answer it now.", subject=subject, days=(ctx.today - due).days),
                            "complaints.complaint_view", {"complaint_id": cid}))
        elif answered_at.date() <= due:
            met += ONE
        else:
            met += HALF
    return Measure(True, _ratio(met, len(rows)), tuple(gaps))


def open_data(ctx: Context, org) -> Measure:
    """The installation publishes every organisation's public data through the open-data API;
    the indicator stays here so that an installation that turns it off loses the points. An
    organisation with no obligation or publication yet has nothing to serve: not applicable."""
    if not (_published(ctx, org) or _has(ctx, Obligation.organization_id == org.id)):
        return NOT_APPLICABLE
    return Measure(True, ONE if ctx.open_data else ZERO)
