"""The legal disclosure deadline rules (charity.disclosure.rules).

Expected dates are worked out by hand from the rules in DOMAIN.md ("Disclosure
timing") and docs/decisions/0003-disclosure-rules.md, not from the code.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charity.disclosure.rules import (
    DEFAULT_POLICY,
    Obligation,
    Policy,
    add_months,
    annual_report_obligation,
    obligations_for,
    status_of,
)

D = date.fromisoformat


def rows(obligations):
    """(kind, seq, period_start, period_end, due) as strings, for readable tables."""
    return [
        (o.kind, o.seq, o.period_start.isoformat(), o.period_end.isoformat(), o.due.isoformat())
        for o in obligations
    ]


# --- month arithmetic (Civil Code Arts. 201-202) --------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-01", 3, "2026-04-01"),
        ("2026-11-30", 3, "2027-02-28"),  # no 30 February: last day of the month
        ("2027-11-30", 3, "2028-02-29"),  # leap year
        ("2023-11-30", 3, "2024-02-29"),  # leap year
        ("2024-02-29", 12, "2025-02-28"),  # from a leap day into a common year
        ("2024-02-29", 48, "2028-02-29"),  # leap day to leap day
        ("2026-08-31", 3, "2026-11-30"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2026-10-31", 3, "2027-01-31"),  # across the year end
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-02-28", 3, "2026-05-28"),  # the corresponding day, not "the month's end"
        ("2026-05-31", 0, "2026-05-31"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-01-15", -1, "2025-12-15"),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(D(start), months) == D(expected)


# --- when periodic disclosure is required ---------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "has_periodic"),
    [
        ("2026-01-01", "2026-06-30", False),
        ("2026-01-01", "2026-07-01", False),  # exactly six months is not "more than"
        ("2026-01-01", "2026-07-02", True),  # six months and a day
        ("2026-08-31", "2027-02-28", False),  # six months end on 28 Feb (no 31 Feb)
        ("2026-08-31", "2027-03-01", True),
        ("2027-08-31", "2028-02-29", False),  # leap year: six months end on 29 Feb
        ("2027-08-31", "2028-03-01", True),
        ("2026-03-10", "2026-03-10", False),  # a one-day campaign
    ],
)
def test_periodic_only_when_longer_than_six_months(start, end, has_periodic):
    kinds = [o.kind for o in obligations_for(D(start), D(end))]
    assert ("periodic" in kinds) is has_periodic
    assert kinds[-1] == "final"


def test_exactly_six_months_has_only_the_final():
    assert rows(obligations_for(D("2026-01-01"), D("2026-07-01"))) == [
        ("final", 0, "2026-01-01", "2026-07-01", "2026-10-01"),
    ]


def test_six_months_and_a_day():
    assert rows(obligations_for(D("2026-01-01"), D("2026-07-02"))) == [
        ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
        ("periodic", 2, "2026-04-01", "2026-06-30", "2026-07-01"),
        ("final", 0, "2026-07-01", "2026-07-02", "2026-10-02"),  # the rest of the life
    ]


# --- schedules projected with publication on each deadline ----------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(
            "2026-01-01", "2026-12-31",
            [
                ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
                ("periodic", 2, "2026-04-01", "2026-06-30", "2026-07-01"),
                ("periodic", 3, "2026-07-01", "2026-09-30", "2026-10-01"),
                ("final", 0, "2026-10-01", "2026-12-31", "2027-03-31"),
            ],
            id="calendar-year",
        ),
        pytest.param(
            # Each deadline counts from the previous one, so a month end drifts:
            # 31 Aug -> 30 Nov -> 28 Feb -> 28 May -> 28 Aug.
            "2026-08-31", "2027-08-31",
            [
                ("periodic", 1, "2026-08-31", "2026-11-29", "2026-11-30"),
                ("periodic", 2, "2026-11-30", "2027-02-27", "2027-02-28"),
                ("periodic", 3, "2027-02-28", "2027-05-27", "2027-05-28"),
                ("periodic", 4, "2027-05-28", "2027-08-27", "2027-08-28"),
                ("final", 0, "2027-08-28", "2027-08-31", "2027-11-30"),
            ],
            id="month-end-drift",
        ),
        pytest.param(
            "2027-11-30", "2028-11-30",
            [
                ("periodic", 1, "2027-11-30", "2028-02-28", "2028-02-29"),
                ("periodic", 2, "2028-02-29", "2028-05-28", "2028-05-29"),
                ("periodic", 3, "2028-05-29", "2028-08-28", "2028-08-29"),
                ("periodic", 4, "2028-08-29", "2028-11-28", "2028-11-29"),
                ("final", 0, "2028-11-29", "2028-11-30", "2029-02-28"),
            ],
            id="leap-year",
        ),
        pytest.param(
            # The last periodic deadline falls on the end date itself: still required.
            "2026-01-01", "2026-10-01",
            [
                ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
                ("periodic", 2, "2026-04-01", "2026-06-30", "2026-07-01"),
                ("periodic", 3, "2026-07-01", "2026-09-30", "2026-10-01"),
                ("final", 0, "2026-10-01", "2026-10-01", "2027-01-01"),
            ],
            id="deadline-on-end-day",
        ),
    ],
)
def test_projected_schedule(start, end, expected):
    assert rows(obligations_for(D(start), D(end))) == expected


def test_projects_follow_the_same_rule():
    campaign = obligations_for(D("2026-01-01"), D("2026-12-31"), subject_kind="campaign")
    project = obligations_for(D("2026-01-01"), D("2026-12-31"), subject_kind="project")
    assert project == campaign


# --- actual publications --------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        pytest.param(
            ["2026-03-15"],
            [
                ("periodic", 1, "2026-01-01", "2026-03-14", "2026-04-01"),
                ("periodic", 2, "2026-03-15", "2026-06-14", "2026-06-15"),
                ("periodic", 3, "2026-06-15", "2026-09-14", "2026-09-15"),
                ("periodic", 4, "2026-09-15", "2026-12-14", "2026-12-15"),
                ("final", 0, "2026-12-15", "2026-12-31", "2027-03-31"),
            ],
            id="early-publication-counts-from-publication",
        ),
        pytest.param(
            ["2026-04-20"],
            [
                # Late: it keeps its cut-off; 1 Apr - 19 Apr go to the next one,
                # whose deadline counts from the actual publication.
                ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
                ("periodic", 2, "2026-04-01", "2026-07-19", "2026-07-20"),
                ("periodic", 3, "2026-07-20", "2026-10-19", "2026-10-20"),
                ("final", 0, "2026-10-20", "2026-12-31", "2027-03-31"),
            ],
            id="late-publication-keeps-its-cut-off",
        ),
        pytest.param(
            ["2026-04-01", "2026-06-20"],
            [
                ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
                ("periodic", 2, "2026-04-01", "2026-06-19", "2026-07-01"),
                ("periodic", 3, "2026-06-20", "2026-09-19", "2026-09-20"),
                ("periodic", 4, "2026-09-20", "2026-12-19", "2026-12-20"),
                ("final", 0, "2026-12-20", "2026-12-31", "2027-03-31"),
            ],
            id="on-time-then-early",
        ),
        pytest.param(
            # A fourth, voluntary periodic disclosure: published facts are kept.
            ["2026-04-01", "2026-07-01", "2026-10-01", "2026-12-20"],
            [
                ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
                ("periodic", 2, "2026-04-01", "2026-06-30", "2026-07-01"),
                ("periodic", 3, "2026-07-01", "2026-09-30", "2026-10-01"),
                ("periodic", 4, "2026-10-01", "2026-12-19", "2027-01-01"),
                ("final", 0, "2026-12-20", "2026-12-31", "2027-03-31"),
            ],
            id="extra-published-disclosure-kept",
        ),
        pytest.param(
            # Published late, after the end: it keeps its cut-off, the final has the rest.
            ["2026-04-01", "2026-07-01", "2027-01-10"],
            [
                ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
                ("periodic", 2, "2026-04-01", "2026-06-30", "2026-07-01"),
                ("periodic", 3, "2026-07-01", "2026-09-30", "2026-10-01"),
                ("final", 0, "2026-10-01", "2026-12-31", "2027-03-31"),
            ],
            id="late-publication-after-the-end",
        ),
    ],
)
def test_publications_move_the_next_deadline(published, expected):
    obligations = obligations_for(D("2026-01-01"), D("2026-12-31"), published=[D(p) for p in published])
    assert rows(obligations) == expected
    periodic = [o for o in obligations if o.kind == "periodic"]
    assert [o.published_on for o in periodic[: len(published)]] == [D(p) for p in published]
    assert all(o.published_on is None for o in periodic[len(published):])


def test_late_publication_is_marked_late_and_the_next_one_counts_from_it():
    first, second, *_ = obligations_for(D("2026-01-01"), D("2026-12-31"), published=[D("2026-04-20")])
    assert status_of(first, D("2026-05-01")) == "published_late"
    assert second.due == D("2026-07-20")
    assert status_of(second, D("2026-05-01")) == "upcoming"


def test_final_publication_is_reported():
    *_, final = obligations_for(D("2026-01-01"), D("2026-03-31"), final_published=D("2026-06-30"))
    assert final.kind == "final"
    assert final.published_on == D("2026-06-30")
    assert status_of(final, D("2026-07-15")) == "published_on_time"


# --- emergency campaigns (Charity Law 2023 Art. 72) -----------------------------------


def test_twenty_day_emergency_campaign():
    assert rows(obligations_for(D("2026-01-01"), D("2026-01-20"), emergency=True)) == [
        ("periodic", 1, "2026-01-01", "2026-01-05", "2026-01-06"),
        ("periodic", 2, "2026-01-06", "2026-01-10", "2026-01-11"),
        ("periodic", 3, "2026-01-11", "2026-01-15", "2026-01-16"),
        ("final", 0, "2026-01-16", "2026-01-20", "2026-04-20"),
    ]


def test_emergency_deadline_on_the_end_day_is_included():
    obligations = obligations_for(D("2026-01-01"), D("2026-01-16"), emergency=True)
    assert [o.due for o in obligations if o.kind == "periodic"] == [
        D("2026-01-06"), D("2026-01-11"), D("2026-01-16"),
    ]


def test_emergency_counts_from_the_actual_publication():
    obligations = obligations_for(
        D("2026-01-01"), D("2026-01-20"), emergency=True, published=[D("2026-01-04")]
    )
    assert rows(obligations) == [
        ("periodic", 1, "2026-01-01", "2026-01-03", "2026-01-06"),
        ("periodic", 2, "2026-01-04", "2026-01-08", "2026-01-09"),
        ("periodic", 3, "2026-01-09", "2026-01-13", "2026-01-14"),
        ("periodic", 4, "2026-01-14", "2026-01-18", "2026-01-19"),
        ("final", 0, "2026-01-19", "2026-01-20", "2026-04-20"),
    ]


def test_long_emergency_campaign_keeps_the_five_day_cadence():
    obligations = obligations_for(D("2026-01-01"), D("2026-12-31"), emergency=True)
    periodic = [o for o in obligations if o.kind == "periodic"]
    # Deadlines 1 Jan + 5k days for k = 1..72; 1 Jan + 365 days would be after the end.
    assert len(periodic) == 72
    assert periodic[0].due == D("2026-01-06")
    assert periodic[-1].due == D("2026-12-27")
    assert {(b.due - a.due).days for a, b in zip(periodic, periodic[1:])} == {5}
    assert all(b.period_start == a.period_end + timedelta(days=1) for a, b in zip(periodic, periodic[1:]))
    assert obligations[-1].kind == "final"


# --- open-ended projects and `until` --------------------------------------------------


@pytest.mark.parametrize(
    ("until", "expected_dues"),
    [
        ("2025-12-31", []),
        ("2026-03-31", []),
        ("2026-04-01", ["2026-04-01"]),  # shorter than six months: still periodic
        ("2026-12-31", ["2026-04-01", "2026-07-01", "2026-10-01"]),
        ("2027-01-01", ["2026-04-01", "2026-07-01", "2026-10-01", "2027-01-01"]),
    ],
)
def test_open_ended_project_lists_periodic_deadlines_up_to_until(until, expected_dues):
    obligations = obligations_for(D("2026-01-01"), None, subject_kind="project", until=D(until))
    assert [o.due.isoformat() for o in obligations] == expected_dues
    assert all(o.kind == "periodic" for o in obligations)


def test_open_ended_project_periods_are_contiguous():
    obligations = obligations_for(D("2026-01-01"), None, subject_kind="project", until=D("2036-01-01"))
    assert len(obligations) == 40
    assert obligations[0].period_start == D("2026-01-01")
    assert all(b.period_start == a.period_end + timedelta(days=1) for a, b in zip(obligations, obligations[1:]))


def test_until_bounds_a_campaign_listing_inclusively():
    obligations = obligations_for(D("2026-01-01"), D("2026-12-31"), until=D("2026-07-01"))
    assert [o.due for o in obligations] == [D("2026-04-01"), D("2026-07-01")]


# --- changes: early end and extension -------------------------------------------------


PLAN_2026 = {  # deadlines of a 2026 calendar-year campaign before any change
    ("periodic", 1): D("2026-04-01"),
    ("periodic", 2): D("2026-07-01"),
    ("periodic", 3): D("2026-10-01"),
    ("final", 0): D("2027-03-31"),
}


def test_early_end_moves_the_final_and_drops_later_periodic_deadlines():
    obligations = obligations_for(
        D("2026-01-01"), D("2026-08-10"),
        published=[D("2026-04-01"), D("2026-07-01")],
        changed_on=D("2026-08-10"), previous_deadlines=PLAN_2026,
    )
    assert rows(obligations) == [
        ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
        ("periodic", 2, "2026-04-01", "2026-06-30", "2026-07-01"),
        ("final", 0, "2026-07-01", "2026-08-10", "2026-11-10"),
    ]


def test_early_end_below_six_months_keeps_what_was_published():
    obligations = obligations_for(
        D("2026-01-01"), D("2026-06-15"),
        published=[D("2026-04-01")], changed_on=D("2026-06-15"), previous_deadlines=PLAN_2026,
    )
    assert rows(obligations) == [
        ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
        ("final", 0, "2026-04-01", "2026-06-15", "2026-09-15"),
    ]


def test_early_end_recorded_late_makes_the_final_due_at_once_not_overdue():
    # On 20 Nov it is recorded that the campaign really ended on 31 Jul: the final
    # would have been due on 31 Oct, but under the old plan it was due only in 2027.
    obligations = obligations_for(
        D("2026-01-01"), D("2026-07-31"),
        published=[D("2026-04-01"), D("2026-07-01")],
        changed_on=D("2026-11-20"), previous_deadlines=PLAN_2026,
    )
    final = obligations[-1]
    assert (final.kind, final.due) == ("final", D("2026-11-20"))
    assert status_of(final, D("2026-11-20")) == "due"
    assert status_of(final, D("2026-11-21")) == "overdue"


def test_obligation_already_overdue_before_the_change_keeps_its_deadline():
    # The final was due on 31 Mar 2027 and is still unpublished on 1 May 2027, when
    # an early end on 30 Jun 2026 is recorded: it stays overdue since 1 Apr 2027,
    # neither forgiven nor made overdue back to 2026.
    obligations = obligations_for(
        D("2026-01-01"), D("2026-06-30"),
        published=[D("2026-04-01")], changed_on=D("2027-05-01"), previous_deadlines=PLAN_2026,
    )
    final = obligations[-1]
    assert (final.kind, final.due) == ("final", D("2027-03-31"))
    assert status_of(final, D("2027-05-01")) == "overdue"


def test_extension_past_six_months_makes_past_periodic_deadlines_due_on_the_change_date():
    # Planned 1 Jan - 30 Jun (no periodic disclosure); extended on 10 May to 31 Dec.
    obligations = obligations_for(
        D("2026-01-01"), D("2026-12-31"),
        changed_on=D("2026-05-10"), previous_deadlines={("final", 0): D("2026-09-30")},
    )
    assert rows(obligations) == [
        ("periodic", 1, "2026-01-01", "2026-05-09", "2026-05-10"),
        ("periodic", 2, "2026-05-10", "2026-08-09", "2026-08-10"),
        ("periodic", 3, "2026-08-10", "2026-11-09", "2026-11-10"),
        ("final", 0, "2026-11-10", "2026-12-31", "2027-03-31"),
    ]
    assert status_of(obligations[0], D("2026-05-10")) == "due"


def test_extension_adds_periodic_deadlines_and_moves_the_final():
    obligations = obligations_for(
        D("2026-01-01"), D("2027-03-31"),
        published=[D("2026-04-01"), D("2026-07-01"), D("2026-10-01")],
        changed_on=D("2026-11-01"), previous_deadlines=PLAN_2026,
    )
    assert rows(obligations)[3:] == [
        ("periodic", 4, "2026-10-01", "2026-12-31", "2027-01-01"),
        ("final", 0, "2027-01-01", "2027-03-31", "2027-06-30"),
    ]


@pytest.mark.parametrize(
    ("previous_deadlines", "expected_due"),
    [
        ({}, "2026-05-10"),  # new through the change: due on the change date
        ({("periodic", 1): D("2026-06-01")}, "2026-05-10"),  # was not yet due before
        ({("periodic", 1): D("2026-05-10")}, "2026-05-10"),
        ({("periodic", 1): D("2026-04-01")}, "2026-04-01"),  # already overdue: stays
        ({("periodic", 1): D("2026-03-01")}, "2026-04-01"),  # never earlier than the law says
    ],
)
def test_change_date_and_previous_deadlines(previous_deadlines, expected_due):
    first = obligations_for(
        D("2026-01-01"), D("2026-12-31"),
        changed_on=D("2026-05-10"), previous_deadlines=previous_deadlines,
    )[0]
    assert first.key == ("periodic", 1)
    assert first.due == D(expected_due)


def test_previous_deadlines_without_a_change_are_ignored():
    assert obligations_for(
        D("2026-01-01"), D("2026-12-31"), previous_deadlines={("periodic", 1): D("2026-09-01")}
    ) == obligations_for(D("2026-01-01"), D("2026-12-31"))


def test_recomputing_with_the_stored_deadlines_is_stable():
    first = obligations_for(
        D("2026-01-01"), D("2026-12-31"),
        changed_on=D("2026-05-10"), previous_deadlines={("final", 0): D("2026-09-30")},
    )
    again = obligations_for(
        D("2026-01-01"), D("2026-12-31"),
        changed_on=D("2026-05-10"), previous_deadlines={o.key: o.due for o in first},
    )
    assert again == first


def test_a_later_change_keeps_deadlines_an_earlier_change_set():
    # First change (10 May) made periodic #1 due on 10 May; it is still unpublished
    # when a second extension is recorded on 1 Sep.
    after_first = obligations_for(
        D("2026-01-01"), D("2026-12-31"),
        changed_on=D("2026-05-10"), previous_deadlines={("final", 0): D("2026-09-30")},
    )
    after_second = obligations_for(
        D("2026-01-01"), D("2027-06-30"),
        changed_on=D("2026-09-01"), previous_deadlines={o.key: o.due for o in after_first},
    )
    assert after_second[0].due == D("2026-05-10")
    assert after_second[-1].due == D("2027-09-30")


def test_same_due_date_sorts_periodic_before_final():
    # Extended on 1 Nov from 30 Jun to 31 Jul: both the periodic and the final
    # obligations are new and past, so both are due on the change date.
    obligations = obligations_for(D("2026-01-01"), D("2026-07-31"), changed_on=D("2026-11-01"))
    assert [(o.kind, o.due) for o in obligations] == [
        ("periodic", D("2026-11-01")),
        ("final", D("2026-11-01")),
    ]
    assert obligations[0].period_end == D("2026-07-31")  # never past the end


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("2026-01-01", None), {}, "campaign must have an end"),
        (("2026-01-01", None), {"until": "2026-12-31"}, "campaign must have an end"),
        (("2026-03-01", "2026-02-28"), {}, "before the start"),
        (("2026-01-01", None), {"subject_kind": "project"}, "needs `until`"),
        (("2026-01-01", None), {"subject_kind": "project", "until": "2026-12-31",
                                "final_published": "2026-05-01"}, "no final"),
        (("2026-01-01", "2026-02-01"), {"subject_kind": "project", "emergency": True}, "campaigns only"),
        (("2026-01-01", "2026-12-31"), {"subject_kind": "programme"}, "unknown subject kind"),
        (("2026-01-01", "2026-12-31"), {"published": ["2026-01-01"]}, "covers no day"),
        (("2026-01-01", "2026-12-31"), {"published": ["2026-04-01", "2026-04-01"]}, "covers no day"),
        (("2026-01-01", "2026-12-31"), {"published": ["2026-04-01", "2026-03-01"]}, "not in order"),
        (("2026-01-01", "2026-12-31"), {"published": ["2026-05-01", "2026-04-20"]}, "not in order"),
        (("2026-01-01", "2026-12-31"),
         {"published": ["2026-04-01", "2026-07-01", "2027-01-10", "2027-01-20", "2027-01-25"]},
         "whole period"),
        (("2026-01-01", "2026-12-31"),
         {"published": ["2026-04-01"], "published_through": ["2026-04-05", "2026-05-01"]},
         "more periodic disclosures"),
        (("2026-01-01", "2026-12-31"),
         {"published": ["2026-04-01", "2026-07-01"], "published_through": ["2026-03-31", "2026-03-20"]},
         "before its period starts"),
    ],
)
def test_inconsistent_input_is_rejected(args, kwargs, message):
    start, end = (D(a) if a else None for a in args)
    for name in ("until", "final_published"):
        if name in kwargs:
            kwargs[name] = D(kwargs[name])
    for name in ("published", "published_through"):
        if name in kwargs:
            kwargs[name] = [D(p) for p in kwargs[name]]
    with pytest.raises(ValueError, match=message):
        obligations_for(start, end, **kwargs)


# --- status ---------------------------------------------------------------------------


OBLIGATION = Obligation("periodic", 1, D("2026-01-01"), D("2026-03-31"), D("2026-04-01"))


@pytest.mark.parametrize(
    ("today", "published_on", "expected"),
    [
        ("2026-01-15", None, "upcoming"),
        ("2026-03-24", None, "upcoming"),  # 8 days left
        ("2026-03-25", None, "due"),  # 7 days left
        ("2026-04-01", None, "due"),  # the deadline day itself
        ("2026-04-02", None, "overdue"),
        ("2027-01-01", None, "overdue"),
        ("2026-03-01", "2026-02-20", "published_on_time"),
        ("2026-05-01", "2026-04-01", "published_on_time"),  # on the deadline day
        ("2026-05-01", "2026-04-02", "published_late"),
    ],
)
def test_status_of(today, published_on, expected):
    assert status_of(OBLIGATION, D(today), D(published_on) if published_on else None) == expected


def test_status_of_reads_the_publication_from_the_obligation():
    published = Obligation("periodic", 1, D("2026-01-01"), D("2026-04-19"), D("2026-04-01"), D("2026-04-20"))
    assert status_of(published, D("2026-05-01")) == "published_late"
    assert status_of(OBLIGATION, D("2026-05-01"), D("2026-03-30")) == "published_on_time"


# --- annual report and policy ---------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2027, 2028])
def test_annual_report_is_due_31_may_of_the_next_year(year):
    report = annual_report_obligation(year)
    assert report == Obligation("annual", 0, date(year, 1, 1), date(year, 12, 31), date(year + 1, 5, 31))


def test_annual_report_due_day_is_clamped_to_the_month():
    policy = Policy(annual_report_due=(2, 29))
    assert annual_report_obligation(2026, policy).due == D("2027-02-28")
    assert annual_report_obligation(2027, policy).due == D("2028-02-29")


def test_default_policy_holds_the_legal_numbers():
    assert DEFAULT_POLICY == Policy(
        periodic_threshold_months=6,
        periodic_interval_months=3,
        final_within_months=3,
        emergency_interval_days=5,
        annual_report_due=(5, 31),
    )


def test_a_different_policy_changes_the_schedule():
    policy = Policy(periodic_threshold_months=3, periodic_interval_months=2, final_within_months=6)
    assert rows(obligations_for(D("2026-01-01"), D("2026-05-01"), policy=policy)) == [
        ("periodic", 1, "2026-01-01", "2026-02-28", "2026-03-01"),
        ("periodic", 2, "2026-03-01", "2026-04-30", "2026-05-01"),
        ("final", 0, "2026-05-01", "2026-05-01", "2026-11-01"),
    ]


@pytest.mark.parametrize(
    "kwargs",
    [{"periodic_interval_months": 0}, {"emergency_interval_days": -5}, {"annual_report_due": (2, 30)}],
)
def test_impossible_policy_is_rejected(kwargs):
    with pytest.raises(ValueError):
        Policy(**kwargs)


# --- periods tile the subject's life (DOMAIN.md "Periods tile the subject's life") ----


def test_a_late_report_keeps_its_cut_off_and_the_next_one_takes_the_days_after_it():
    # Issue 17: a project reported 01-01..03-31 on time, then #2 was due 07-01 but
    # published only on 07-21. #2 keeps 04-01..06-30; #3 starts on 07-01 (the days
    # until its deadline are its own) and its deadline counts from 07-21.
    obligations = obligations_for(D("2026-01-01"), D("2026-12-31"), subject_kind="project",
                                  published=[D("2026-04-01"), D("2026-07-21")])
    assert rows(obligations) == [
        ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
        ("periodic", 2, "2026-04-01", "2026-06-30", "2026-07-01"),
        ("periodic", 3, "2026-07-01", "2026-10-20", "2026-10-21"),
        ("final", 0, "2026-10-21", "2026-12-31", "2027-03-31"),
    ]


def test_published_periods_are_taken_as_published():
    # A report published (by older code) up to 04-19 stays so; the next starts 04-20.
    obligations = obligations_for(D("2026-01-01"), D("2026-12-31"),
                                  published=[D("2026-04-20")],
                                  published_through=[D("2026-04-19")])
    assert rows(obligations)[:2] == [
        ("periodic", 1, "2026-01-01", "2026-04-19", "2026-04-01"),
        ("periodic", 2, "2026-04-20", "2026-07-19", "2026-07-20"),
    ]


def test_the_final_is_empty_when_the_periodic_reports_covered_everything():
    # Published early on 20 Jun (covering up to 19 Jun); the campaign is then recorded
    # as ended on 19 Jun: nothing is left for the final's "this period" column.
    obligations = obligations_for(D("2026-01-01"), D("2026-06-19"),
                                  published=[D("2026-04-01"), D("2026-06-20")],
                                  changed_on=D("2026-06-25"), previous_deadlines=PLAN_2026)
    final = obligations[-1]
    assert (final.kind, final.period_start, final.period_end) == (
        "final", D("2026-06-20"), D("2026-06-19"))


def _tiles(obligations, start, end):
    """Every day from `start` (up to `end`, or the last periodic period) is in exactly
    one report's period; the final has the rest."""
    periodic = [o for o in obligations if o.kind == "periodic"]
    day = start
    for o in periodic:
        assert o.period_start == day, (o, day)
        assert o.period_end >= o.period_start
        day = o.period_end + timedelta(days=1)
    finals = [o for o in obligations if o.kind == "final"]
    if end is None:
        assert finals == []
        return
    assert day <= end + timedelta(days=1)
    (final,) = finals
    assert (final.period_start, final.period_end) == (day, end)


@given(start=st.dates(date(2024, 1, 1), date(2027, 12, 31)),
       length=st.one_of(st.none(), st.integers(0, 900)),
       emergency=st.booleans(),
       delays=st.lists(st.integers(-80, 150), max_size=14))
@settings(max_examples=300, deadline=None)
def test_periods_tile_the_life_whatever_the_publication_days(start, length, emergency,
                                                             delays):
    kind = "project" if length is None else "campaign"
    emergency = emergency and kind == "campaign"
    end = None if length is None else start + timedelta(days=length)
    until = start + timedelta(days=1000) if end is None else None
    published: list[date] = []
    for delay in delays:
        obligations = obligations_for(start, end, subject_kind=kind, emergency=emergency,
                                      published=published, until=until)
        _tiles(obligations, start, end)
        nxt = next((o for o in obligations if o.kind == "periodic" and o.published_on is None),
                   None)
        if nxt is None:
            break
        # Early, on time or late; never before the day after its period began, and
        # time only moves forward (a late one and the next may go out the same day).
        published.append(max(nxt.due + timedelta(days=delay),
                             nxt.period_start + timedelta(days=1),
                             published[-1] if published else start))
    obligations = obligations_for(start, end, subject_kind=kind, emergency=emergency,
                                  published=published, until=until)
    _tiles(obligations, start, end)
    periodic = [o for o in obligations if o.kind == "periodic"]
    step = (lambda d: d + timedelta(days=5)) if emergency else (lambda d: add_months(d, 3))
    anchor = start
    for o in periodic:
        assert o.due == step(anchor)  # counts from the previous actual publication
        if o.published_on is not None:
            # Late: keeps its cut-off (the day before the deadline); early: up to the
            # day before publication. Never past the end.
            expected = min(o.due, o.published_on) - timedelta(days=1)
            assert o.period_end == (expected if end is None else min(expected, end))
        anchor = o.published_on or o.due


def test_a_late_report_and_the_next_one_may_go_out_the_same_day():
    # #1 (due 04-01) goes out late on 05-10 covering up to 03-31; staff publish #2 at
    # once, covering 04-01..05-09; #3 then counts from 05-10.
    obligations = obligations_for(D("2026-01-01"), D("2026-12-31"),
                                  published=[D("2026-05-10"), D("2026-05-10")])
    assert rows(obligations)[:3] == [
        ("periodic", 1, "2026-01-01", "2026-03-31", "2026-04-01"),
        ("periodic", 2, "2026-04-01", "2026-05-09", "2026-08-10"),
        ("periodic", 3, "2026-05-10", "2026-08-09", "2026-08-10"),
    ]
