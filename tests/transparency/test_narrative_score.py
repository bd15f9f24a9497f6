"""A project report published without its progress narrative (it says 本期未提供进展说明)
counts in the transparency score (issue 17 item 5): indicator P1 gives it half of its
share, and the gap says how many."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.disclosure.models import Narrative, Obligation
from charity.disclosure.obligations import refresh_all
from charity.disclosure.publishing import publish_obligation
from charity.reports.pdf import ICC_RESOURCE_WARNING
from charity.transparency.measures import Context, project_disclosures

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
AFTER = dt.date(2026, 4, 2)


def _first_report(db, project):
    refresh_all(db, dt.date(2026, 3, 26))
    return db.scalar(sa.select(Obligation).where(
        Obligation.subject_type == "project", Obligation.subject_id == project.id,
        Obligation.kind == "periodic", Obligation.seq == 1))


@pytest.mark.parametrize("narrative, fraction", [("", "0.5000"), ("本季度发放棉衣 40 件。", "1")])
def test_a_report_without_narrative_loses_half_its_share(db, fundraising_org, make_project,
                                                         narrative, fraction):
    project = make_project(planned_start=dt.date(2026, 1, 1))
    ob = _first_report(db, project)
    assert ob.due == dt.date(2026, 4, 1)
    if narrative:
        db.add(Narrative(subject_type="project", subject_id=project.id, kind="periodic",
                         seq=1, text=narrative))
    publish_obligation(db, ob, ob.due)  # on time
    measure = project_disclosures(Context(db, AFTER), fundraising_org)
    assert measure.applicable and measure.fraction == Decimal(fraction)
    assert bool(measure.gaps) == (not narrative)
