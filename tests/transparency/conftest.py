"""A model organisation for the transparency tests (booking since January, so it is graded):
every obligation published on time, a complaint answered on time, complete contact details
and campaign plan."""
import datetime as dt
from decimal import Decimal as D

import pytest

from charity.complaints.services import submit_complaint
from charity.disclosure.annual.models import AnnualStatement
from charity.disclosure.models import Obligation
from charity.funds.services import ledger
from charity.core.system import system_actor

TODAY = dt.date(2026, 11, 25)


def _ob(db, org, subject_type, subject_id, kind, due, published_on=None, seq=1):
    status = ("upcoming" if published_on is None else
              "published_on_time" if published_on <= due else "published_late")
    ob = Obligation(organization_id=org.id, subject_type=subject_type, subject_id=subject_id,
                    kind=kind, seq=seq, period_start=due - dt.timedelta(days=90),
                    period_end=due - dt.timedelta(days=1), due=due, status=status,
                    published_on=published_on)
    db.add(ob)
    db.flush()
    return ob


@pytest.fixture
def world(db, fundraising_org, make_campaign, make_project):
    org = fundraising_org
    org.contact_person, org.phone = "马文静", "0931-8412345"
    org.email, org.address = "c@example.org", "庆阳路 188 号"
    campaign = make_campaign()
    project = make_project()
    _ob(db, org, "campaign", campaign.id, "periodic", dt.date(2026, 6, 1), dt.date(2026, 5, 30))
    _ob(db, org, "project", project.id, "periodic", dt.date(2026, 7, 1), dt.date(2026, 7, 1))
    annual = _ob(db, org, "organization", org.id, "annual", dt.date(2026, 5, 31),
                 dt.date(2026, 5, 20), seq=2025)
    # A model organisation: it may fundraise publicly, so its annual report is audited.
    db.add(AnnualStatement(organization_id=org.id, year=2025, audit_stored_name="a" * 32,
                           audit_name="2025年度审计报告.pdf"))
    ledger.post_donation(system_actor(), db, org, {
        "kind": "donation", "amount": D("1000"), "entry_date": dt.date(2026, 1, 15),
        "channel": "cash", "counterparty": "某人"}, with_receipt=False, today=TODAY)
    complaint = submit_complaint(db, org, {"category": "物资去向", "subject": "冬衣去向",
                                           "description": "想知道去向"}, address_hash=None,
                                 now=dt.datetime(2026, 9, 1, 2, tzinfo=dt.timezone.utc))
    complaint.answered_at = dt.datetime(2026, 9, 5, 2, tzinfo=dt.timezone.utc)
    complaint.answer = "已答复"
    db.flush()
    return {"org": org, "campaign": campaign, "project": project, "annual": annual,
            "complaint": complaint}


