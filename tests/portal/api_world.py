"""A small public world for the open data tests, built through the real services: two
organisations, points (one closed), an active and a draft campaign with money from a
consenting and a non-consenting donor, an active, a draft and a closed project, and real
publications made by the scheduler tick (PDFs rendered)."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.disclosure.models import Obligation, Publication
from charity.core.system import system_actor

PRIVATE = ("刘芳", "13900000000", "620102199001011234", "李负责", "13811112222", "王建国")


@pytest.fixture
def world(db, fundraising_org, make_org, make_point, make_campaign, make_project, make_donor,
          fast_pdfs):
    from charity.funds.services import ledger
    from charity.funds.services.campaigns import close_project
    from charity.ops.scheduler import tick

    org = fundraising_org
    other = make_org(name="第二慈善会")
    p1 = make_point(org, name="城关慈善超市", opening_hours="9:00-17:00")
    closed = make_point(org, name="已关闭站点")
    closed.active = False
    p3 = make_point(other, kind="station", name="七里河捐助站")
    c1 = make_campaign(name="冬衣 <募捐> & 助学", responsible_person="李负责",
                       contact="13811112222")
    draft_campaign = make_campaign(name="草稿募捐", active=False)
    named = make_donor(name="王建国", publish_name=True)
    hidden = make_donor(name="刘芳", publish_name=False, phone="13900000000")
    for day, amount, donor in [(dt.date(2026, 1, 5), "1000.00", named),
                               (dt.date(2026, 2, 10), "234.56", hidden)]:
        ledger.post_donation(system_actor(), db, org, {
            "kind": "donation", "amount": Decimal(amount), "entry_date": day,
            "campaign_id": c1.id, "donor_id": donor.id, "channel": "wechat"},
            today=dt.date(2026, 11, 25))
    pr1 = make_project(name="助学项目", campaigns=[c1, draft_campaign])
    draft_project = make_project(name="草稿项目", active=False)
    pr3 = make_project(name="一月项目", planned_end=dt.date(2026, 1, 31))
    close_project(system_actor(), db, pr3, dt.date(2026, 1, 31), "无", "无",
                  today=dt.date(2026, 2, 1))
    db.commit()
    published = tick(db, dt.date(2026, 4, 1)).published
    published += tick(db, dt.date(2026, 5, 1)).published
    db.commit()
    pubs = {(p.subject_type, p.subject_id, p.kind): p for p in db.scalars(
        sa.select(Publication).where(Publication.id.in_(published)))}
    return {"org": org, "other": other, "p1": p1, "closed_point": closed, "p3": p3,
            "c1": c1, "draft_campaign": draft_campaign, "pr1": pr1,
            "draft_project": draft_project, "pr3": pr3, "pubs": pubs}


def obligations_of(db, subject_type, subject_id):
    return db.scalars(sa.select(Obligation).where(
        Obligation.subject_type == subject_type, Obligation.subject_id == subject_id)
        .order_by(Obligation.due)).all()
