"""Transparency scores from known data: exact scores, grades and gaps; a late publication, a
missing annual report and an overdue complaint each cost their indicator's share."""
import datetime as dt
from decimal import Decimal as D

import sqlalchemy as sa

from charity.disclosure.models import Obligation
from charity.funds.services import ledger
from charity.core.system import system_actor
from charity.transparency import measures, scoring
from charity.transparency.indicators import BY_ID, INDICATORS, grade

from tests.transparency.conftest import TODAY


def score(db, org, **ctx):
    values = {"ledgers_ok": True, "publications_ok": True}
    values.update(ctx)
    return scoring.compute(measures.Context(db, TODAY, **values), org)


# The indicators that apply to the world above (no receipts owed, no sales, no closed
# project): 10+15+15+10+5+5+5+5+10+5 = 85 of the 100 weight.
APPLICABLE = {"F1", "F2", "P1", "A1", "A3", "A4", "G1", "G2", "G3", "G4"}


def test_weights_add_up_to_100_and_bands():
    assert sum(i.weight for i in INDICATORS) == 100
    assert [grade(s) for s in (100, 95, 94.99, 90, 85, 80, 79.99, 60, 59.99, 0)] == [
        "A+", "A+", "A", "A", "B+", "B", "C", "C", "D", "D"]


def test_a_model_organisation_scores_100(db, world):
    result = score(db, world["org"])
    applicable = {r.indicator.id for r in result.results if r.measure.applicable}
    assert applicable == APPLICABLE
    assert sum(BY_ID[i].weight for i in APPLICABLE) == 85
    assert result.score == D("100.00") and result.grade == "A+"
    assert result.gaps == []
    assert result.groups == {"fundraising": D("100.00"), "projects": D("100.00"),
                             "finance": D("100.00"), "governance": D("100.00")}


def test_a_late_publication_costs_half_its_indicator(db, world):
    ob = db.scalars(sa.select(Obligation).where(Obligation.subject_type == "campaign")).one()
    ob.published_on = dt.date(2026, 6, 4)  # 3 days late
    result = score(db, world["org"])
    # F2 (15) counts half: 7.5 of 85 lost → 100 × 77.5 / 85
    assert result.score == D("91.18") and result.grade == "A"
    assert result.groups["fundraising"] == D("70.00")  # 17.5 of 25
    [gap] = result.gaps
    assert "3" in str(gap.message) and world["campaign"].name in str(gap.message)
    assert gap.endpoint == "compliance.dashboard"


def test_a_missing_annual_report_costs_its_whole_weight(db, world):
    world["annual"].published_on = None
    result = score(db, world["org"])
    assert result.score == D("88.24") and result.grade == "B+"  # 75 of 85
    assert result.groups["finance"] == D("50.00")  # 10 of 20 (A1's 10 lost)
    [gap] = result.gaps
    assert "178" in str(gap.message)  # 31 May → 25 Nov: 178 days overdue


def test_an_overdue_complaint_costs_its_whole_weight(db, world):
    world["complaint"].answered_at = None
    world["complaint"].answer = ""
    result = score(db, world["org"])
    assert result.score == D("88.24") and result.grade == "B+"  # 75 of 85
    [gap] = result.gaps
    assert gap.endpoint == "complaints.complaint_view"
    assert gap.args == {"complaint_id": world["complaint"].id}
    assert "冬衣去向" in str(gap.message)


def test_the_three_together_and_ledgers_that_do_not_verify(db, world):
    db.scalars(sa.select(Obligation).where(Obligation.subject_type == "campaign")).one() \
        .published_on = dt.date(2026, 6, 4)
    world["annual"].published_on = None
    world["complaint"].answered_at = None
    result = score(db, world["org"], ledgers_ok=False)
    # lost: 7.5 (F2) + 10 (A1) + 10 (G3) + 5 (A3) = 32.5 of 85 → 61.76
    assert result.score == D("61.76") and result.grade == "C"
    assert len(result.gaps) == 4


def test_fundraising_costs_scale_between_10_and_30_percent(db, world):
    org = world["org"]
    ledger.post_entry(system_actor(), db, org, {
        "kind": "fundraising_cost", "amount": D("200"), "entry_date": dt.date(2026, 10, 2),
        "purpose": "宣传"}, today=TODAY)
    a4 = next(r for r in score(db, org).results if r.indicator.id == "A4")
    assert a4.measure.fraction == D("0.5000")  # 20 %: halfway from 10 % to 30 %
    assert a4.points == D("2.50")


def test_incomplete_contact_details_and_campaign_plan(db, world):
    org = world["org"]
    org.email = ""
    world["campaign"].region = ""
    result = score(db, org)
    by_id = {r.indicator.id: r for r in result.results}
    assert by_id["G1"].measure.fraction == D("0.8000")  # 4 of 5 fields
    assert by_id["F1"].measure.fraction == D("0")
    assert {g.endpoint for g in result.gaps} == {"orgs.org_edit", "campaigns.campaign_edit"}


def test_refresh_keeps_one_row_a_day_and_the_history(db, world):
    org = world["org"]
    assert scoring.refresh(db, TODAY) >= 1
    assert scoring.refresh(db, TODAY) == 0  # already scored today
    assert scoring.refresh(db, TODAY, org_ids={org.id}) == 1  # a publication: again
    assert scoring.refresh(db, TODAY + dt.timedelta(days=1)) >= 1
    rows = scoring.history(db, org.id)
    assert [r.computed_on for r in rows] == [TODAY, TODAY + dt.timedelta(days=1)]
    mine = next(r for r in scoring.latest(db) if r.organization_id == org.id)
    assert mine.computed_on == TODAY + dt.timedelta(days=1)
