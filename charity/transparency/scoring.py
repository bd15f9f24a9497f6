"""The score: indicators measured, weighted, grouped and graded; kept as a daily history.

score = 100 × Σ (weight × fraction met) / Σ weight, over the indicators that apply to the
organisation; a group's score the same over its indicators. An indicator with nothing to
measure does not apply (and so is never "met"); an organisation without a full calendar
quarter of activity gets no grade but INSUFFICIENT_DATA (数据不足, decision 0020). Recomputed by the scheduler once
a day and whenever it publishes a disclosure of the organisation (`refresh`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.db import utcnow
from charity.orgs.models import Organization
from charity.transparency import measures
from charity.disclosure.rules import add_months
from charity.transparency.indicators import (GROUPS, INDICATORS, INSUFFICIENT_DATA, Indicator,
                                             grade)
from charity.transparency.models import TransparencyScore
# The score history read back; kept importable here, beside the scores it keeps.
from charity.transparency.queries import history, latest  # noqa: F401

CENT = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    measure: measures.Measure

    @property
    def points(self) -> Decimal:
        if not self.measure.applicable:
            return Decimal(0)
        return (self.indicator.weight * self.measure.fraction).quantize(CENT)


@dataclass(frozen=True)
class OrgScore:
    organization_id: int
    today: dt.date
    score: Decimal
    grade: str
    groups: dict[str, Decimal | None]
    results: tuple[IndicatorResult, ...]

    @property
    def gaps(self) -> list[measures.Gap]:
        return [g for r in self.results for g in r.measure.gaps]


def _scaled(results) -> Decimal | None:
    applicable = [r for r in results if r.measure.applicable]
    weight = sum(r.indicator.weight for r in applicable)
    if not weight:
        return None
    return (Decimal(100) * sum(r.points for r in applicable) / weight).quantize(CENT)


def has_full_quarter(first_day: dt.date | None, today: dt.date) -> bool:
    """Whether a whole calendar quarter lies between the first ledger day and yesterday: the
    quarter starting on or after `first_day` has ended before `today`."""
    if first_day is None:
        return False
    start = dt.date(first_day.year, 3 * ((first_day.month - 1) // 3) + 1, 1)
    if start < first_day:
        start = add_months(start, 3)
    return add_months(start, 3) <= today


def compute(ctx: measures.Context, org: Organization) -> OrgScore:
    """Measure every indicator for `org` as of `ctx.today`."""
    results = tuple(IndicatorResult(i, getattr(measures, i.measure)(ctx, org))
                    for i in INDICATORS)
    score = _scaled(results)
    score = Decimal(0) if score is None else score
    groups = {g: _scaled([r for r in results if r.indicator.group == g]) for g in GROUPS}
    enough = has_full_quarter(measures.first_activity(ctx, org), ctx.today)
    return OrgScore(org.id, ctx.today, score, grade(score) if enough else INSUFFICIENT_DATA,
                    groups, results)


def verify_context(session: Session, today: dt.date) -> measures.Context:
    """A context with `charity verify` run once for the whole installation."""
    from charity.ops.verify import run_checks

    problems = run_checks(session)
    return measures.Context(session, today,
                            ledgers_ok=not (problems["fund balances"]
                                            or problems["stock balances"]),
                            publications_ok=not problems["publications and hash chain"])


def stored_context(session: Session, org: Organization, today: dt.date,
                   **presentation) -> measures.Context:
    """A context for a screen: the checks of `charity verify` are costly, so the results
    stored with the organisation's latest score (computed by the scheduler) stand in for
    running them. `presentation` passes the screen's Context fields (labels, open data)."""
    row = next((r for r in reversed(history(session, org.id, days=1))), None)

    def ok(indicator_id):
        if row is None or not row.indicators.get(indicator_id, {}).get("applicable"):
            return None
        return float(row.indicators[indicator_id]["fraction"]) >= 1

    return measures.Context(session, today, ledgers_ok=ok("A3"), publications_ok=ok("G2"),
                            **presentation)


def store(session: Session, result: OrgScore) -> TransparencyScore:
    """Keep `result` as the organisation's score of its day (replacing that day's)."""
    row = session.scalar(sa.select(TransparencyScore).where(
        TransparencyScore.organization_id == result.organization_id,
        TransparencyScore.computed_on == result.today))
    if row is None:
        row = TransparencyScore(organization_id=result.organization_id,
                                computed_on=result.today)
        session.add(row)
    row.score, row.grade = result.score, result.grade
    row.groups = {g: None if v is None else str(v) for g, v in result.groups.items()}
    row.indicators = {r.indicator.id: {"applicable": r.measure.applicable,
                                       "fraction": str(r.measure.fraction),
                                       "points": str(r.points)} for r in result.results}
    row.gap_count = len(result.gaps)
    row.computed_at = utcnow()
    session.flush()
    return row


def refresh(session: Session, today: dt.date, org_ids=None) -> int:
    """Score the active organisations that have no score for `today` yet, and those in
    `org_ids` again (a publication changed them). Returns how many were scored."""
    orgs = session.scalars(sa.select(Organization).where(Organization.active.is_(True))
                           .order_by(Organization.id)).all()
    done = set(session.scalars(sa.select(TransparencyScore.organization_id).where(
        TransparencyScore.computed_on == today)))
    todo = [o for o in orgs if o.id not in done or o.id in set(org_ids or ())]
    if not todo:
        return 0
    ctx = verify_context(session, today)
    for org in todo:
        store(session, compute(ctx, org))
    return len(todo)
