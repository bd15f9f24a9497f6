"""The legal disclosure deadlines, as pure functions of dates.

Sources: PRC Charity Law (2016 Art. 73; 2023 amendment Arts. 72, 79), the Gansu rule
甘政发〔2015〕77号, MCA Order 81 and Civil Code Arts. 201-202 for month arithmetic.
How the legal text is read is recorded in docs/decisions/0003-disclosure-rules.md.

Nothing here touches Flask or the database: callers pass the facts (dates of the
subject, dates of publications already made, the date of the latest change) and get
back the obligations with their deadlines. All dates are calendar dates in the
organisation's time zone; deadlines are whole days, inclusive.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

ObligationKind = Literal["periodic", "final", "annual"]
SubjectKind = Literal["campaign", "project"]
Status = Literal["upcoming", "due", "published_on_time", "published_late", "overdue"]
ObligationKey = tuple[str, int]
"""Identifies an obligation of one subject: (kind, seq), e.g. ("periodic", 2)."""

DUE_SOON_DAYS = 7
"""An unpublished obligation is "due" (not "upcoming") this many days before its deadline."""

_ONE_DAY = timedelta(days=1)
_KIND_ORDER = {"periodic": 0, "final": 1, "annual": 2}


@dataclass(frozen=True)
class Policy:
    """The numbers of a disclosure rule. DEFAULT_POLICY is the Charity Law / Gansu rule."""

    periodic_threshold_months: int = 6
    periodic_interval_months: int = 3
    final_within_months: int = 3
    emergency_interval_days: int = 5
    annual_report_due: tuple[int, int] = (5, 31)  # (month, day) of the following year

    def __post_init__(self) -> None:
        for name in (
            "periodic_threshold_months",
            "periodic_interval_months",
            "final_within_months",
            "emergency_interval_days",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        month, day = self.annual_report_due
        date(2000, month, day)  # raises ValueError for an impossible (month, day)


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Obligation:
    """One disclosure that must be published by `due`.

    `period_start`..`period_end` (both inclusive) is the span the disclosure reports
    on. `seq` is 1-based for periodic disclosures and 0 for the final and annual ones.
    `published_on` is set when the caller told us the disclosure was published.
    """

    kind: ObligationKind
    seq: int
    period_start: date
    period_end: date
    due: date
    published_on: date | None = None

    @property
    def key(self) -> ObligationKey:
        return (self.kind, self.seq)


def add_months(d: date, n: int) -> date:
    """Return the date n calendar months after d (before it, for negative n).

    Civil Code Arts. 201-202: the corresponding day of the target month, or that
    month's last day if it has no such day (2026-08-31 + 3 months = 2026-11-30).
    """
    month_index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(month_index, 12)
    day = d.day
    if day > 28:  # only the last days of a month can fall past the target month's end
        day = min(day, _days_in_month(year, month0 + 1))
    return date(year, month0 + 1, day)


def _days_in_month(year: int, month: int) -> int:
    # The scheduler calls add_months a few times per subject and tick; calendar.monthrange
    # also computes a weekday, which made it a tenth of a tick's time.
    if month == 2:
        return 29 if calendar.isleap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def obligations_for(
    start: date,
    end: date | None,
    *,
    subject_kind: SubjectKind = "campaign",
    emergency: bool = False,
    published: Sequence[date] = (),
    published_through: Sequence[date] = (),
    until: date | None = None,
    changed_on: date | None = None,
    previous_deadlines: Mapping[ObligationKey, date] | None = None,
    final_published: date | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> list[Obligation]:
    """Return the disclosure obligations of a campaign or project, sorted by deadline.

    `start` and `end` are the subject's first and last day (the actual end, once ended).
    A campaign must have an end; a project with `end=None` is open-ended (periodic
    obligations without limit, no final), so `until` must bound the listing. `until`
    keeps only obligations due on or before it.

    `published[k-1]` is the date periodic disclosure k was actually published (never
    decreasing); the next deadline counts from it, and unpublished ones are projected
    as if published on their deadline. A published one is always returned, even if a
    later change means it would no longer be required. Periods tile the subject's
    life (decision 0003): each covers from the day after the previous period up to the
    day before its deadline (or its publication, if early; a late one keeps its
    cut-off), never past the end; `published_through[k-1]` is the last day disclosure k
    covered as published. The final covers the rest up to the end (an empty period if
    nothing is left), with cumulative figures from the start; `final_published` is its
    publication date, if any.

    Changes (early end, extension): pass the new end and `changed_on`, the day the
    latest change was recorded. A deadline that falls before `changed_on` becomes
    `changed_on` (not retroactively overdue), unless `previous_deadlines` (keyed by
    `Obligation.key`) says it was already past before the change: then it keeps the
    later of its old and its computed deadline. Passing back the deadlines returned
    last time with the same `changed_on` gives the same result.

    Raises ValueError for inconsistent input (end before start, a campaign without an
    end, an open-ended project without `until`, an emergency project, publication dates
    out of order or covering no day).
    """
    _check_subject(start, end, subject_kind, emergency, until, final_published)
    _check_published(published, published_through)
    effective_due = _due_adjuster(changed_on, previous_deadlines or {})
    obligations = list(
        _periodic(start, end, emergency=emergency, published=published,
                  published_through=published_through, until=until,
                  effective_due=effective_due, policy=policy)
    )
    if end is not None:
        final_due = effective_due(("final", 0), add_months(end, policy.final_within_months))
        # The rest after the last periodic period (`min`: an empty period, never past it).
        rest_start = obligations[-1].period_end + _ONE_DAY if obligations else start
        obligations.append(Obligation("final", 0, min(rest_start, end + _ONE_DAY), end,
                                      final_due, final_published))
    obligations = [o for o in obligations if until is None or o.due <= until]
    return sorted(obligations, key=lambda o: (o.due, _KIND_ORDER[o.kind], o.seq))


def _check_subject(start: date, end: date | None, subject_kind: str, emergency: bool,
                   until: date | None, final_published: date | None) -> None:
    """Raise ValueError for the inconsistent inputs `obligations_for` lists."""
    if subject_kind not in ("campaign", "project"):
        raise ValueError(f"unknown subject kind {subject_kind!r}")
    if end is None:
        if subject_kind == "campaign":
            raise ValueError("a campaign must have an end date")
        if until is None:
            raise ValueError("an open-ended project needs `until` to bound its periodic obligations")
        if final_published is not None:
            raise ValueError("an open-ended project has no final disclosure")
    elif end < start:
        raise ValueError(f"the end {end.isoformat()} is before the start {start.isoformat()}")
    if emergency and subject_kind != "campaign":
        raise ValueError("the emergency rule (every 5 days) applies to fundraising campaigns only")


def _check_published(published: Sequence[date], published_through: Sequence[date]) -> None:
    for earlier, later in pairwise(published):
        if later < earlier:
            raise ValueError(f"periodic publication dates are not in order: "
                             f"{earlier.isoformat()}, then {later.isoformat()}")
    if len(published_through) > len(published):
        raise ValueError("`published_through` names more periodic disclosures than `published`")


def _due_adjuster(
    changed_on: date | None, previous_deadlines: Mapping[ObligationKey, date]
) -> Callable[[ObligationKey, date], date]:
    """Return f(key, legal_due) -> the deadline that applies after the latest change."""

    def effective_due(key: ObligationKey, legal_due: date) -> date:
        if changed_on is None or legal_due >= changed_on:
            return legal_due
        previous = previous_deadlines.get(key)
        if previous is not None and previous < changed_on:
            # Already past under the old plan: it stays overdue, but never from a
            # date earlier than either plan gave it.
            return max(previous, legal_due)
        return changed_on  # past only because of the change: due at once

    return effective_due


def _periodic(
    start: date,
    end: date | None,
    *,
    emergency: bool,
    published: Sequence[date],
    published_through: Sequence[date],
    until: date | None,
    effective_due: Callable[[ObligationKey, date], date],
    policy: Policy,
) -> Iterator[Obligation]:
    """Yield the periodic obligations in order; see obligations_for."""
    if emergency:
        interval = timedelta(days=policy.emergency_interval_days)

        def step(d: date) -> date:
            return d + interval

        required = True
    else:

        def step(d: date) -> date:
            return add_months(d, policy.periodic_interval_months)

        # "More than six months": exactly six months is not enough (open-ended: always).
        required = end is None or end > add_months(start, policy.periodic_threshold_months)
    horizon = end if end is not None else until
    assert horizon is not None  # checked by obligations_for

    cut_off = start  # first day not yet covered by an earlier periodic disclosure
    anchor = start  # the day the next deadline counts from
    seq = 0
    while True:
        seq += 1
        legal_due = step(anchor)
        published_on = published[seq - 1] if seq <= len(published) else None
        if published_on is None and (not required or legal_due > horizon):
            return
        due = effective_due(("periodic", seq), legal_due)
        through = published_through[seq - 1] if seq <= len(published_through) else None
        period_end = _period_end(seq, cut_off, end, due, published_on, through)
        yield Obligation("periodic", seq, cut_off, period_end, due, published_on)
        cut_off = period_end + _ONE_DAY
        anchor = published_on if published_on is not None else due


def _period_end(seq: int, cut_off: date, end: date | None, due: date,
                published_on: date | None, through: date | None) -> date:
    """The last day periodic disclosure `seq` covers, its period starting at `cut_off`:
    as published (`through`), else up to the day before the deadline (kept when published
    late) or before the publication when published early; never past the end."""
    if published_on is not None and published_on <= cut_off:
        raise ValueError(f"periodic disclosure #{seq} published on {published_on.isoformat()} "
                         f"covers no day (its period starts {cut_off.isoformat()})")
    if end is not None and cut_off > end:
        raise ValueError(f"periodic disclosure #{seq} was published after earlier ones "
                         f"already covered the whole period up to {end.isoformat()}")
    if through is not None:
        if through < cut_off:
            raise ValueError(f"periodic disclosure #{seq} is said to cover up to "
                             f"{through.isoformat()}, before its period starts "
                             f"{cut_off.isoformat()}")
        return through
    period_end = min(due, published_on or due) - _ONE_DAY
    return min(period_end, end) if end is not None else period_end


def status_of(
    obligation: Obligation,
    today: date,
    published_on: date | None = None,
    *,
    due_soon_days: int = DUE_SOON_DAYS,
) -> Status:
    """Classify an obligation on `today`.

    `published_on` defaults to `obligation.published_on`. Deadlines are inclusive:
    publishing on the due day is on time, and an unpublished obligation is overdue
    from the day after. "due" means unpublished with 0..due_soon_days days left.
    """
    if published_on is None:
        published_on = obligation.published_on
    return status_by_due(obligation.due, today, published_on, due_soon_days)


def status_by_due(due: date, today: date, published_on: date | None,
                  due_soon_days: int = DUE_SOON_DAYS) -> Status:
    """`status_of` for an obligation given only its deadline (what the status depends on)."""
    if published_on is not None:
        return "published_on_time" if published_on <= due else "published_late"
    days_left = (due - today).days
    if days_left < 0:
        return "overdue"
    if days_left <= due_soon_days:
        return "due"
    return "upcoming"


def annual_report_obligation(org_year: int, policy: Policy = DEFAULT_POLICY) -> Obligation:
    """The annual work and financial report for `org_year`, due 31 May of the next year."""
    month, day = policy.annual_report_due
    due_year = org_year + 1
    due = date(due_year, month, min(day, calendar.monthrange(due_year, month)[1]))
    return Obligation(
        kind="annual",
        seq=0,
        period_start=date(org_year, 1, 1),
        period_end=date(org_year, 12, 31),
        due=due,
    )


def period_if_published_on(kind: ObligationKind, period_start: date, period_end: date,
                           on: date) -> tuple[date, date] | None:
    """The period a disclosure published on `on` covers, or None if it cannot be
    published that day. A periodic disclosure reports on past days only: published early
    it covers up to the day before `on`, and it needs at least one such day. A final or
    annual report can only be published once its whole period is over."""
    if kind == "periodic":
        end = min(period_end, on - _ONE_DAY)
        return (period_start, end) if end >= period_start else None
    return (period_start, period_end) if on > period_end else None
