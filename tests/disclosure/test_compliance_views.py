import datetime as dt

import sqlalchemy as sa

from charity.disclosure.models import Narrative, Obligation
from charity.disclosure.obligations import refresh_all


def _obligation(db, make_campaign):
    c = make_campaign()
    refresh_all(db, dt.date(2026, 3, 1))
    db.commit()
    return db.scalar(sa.select(Obligation).where(Obligation.subject_id == c.id,
                                                 Obligation.kind == "periodic"))


def test_manager_writes_narrative_and_queues_publication(client, login, db, make_user,
                                                         fundraising_org, make_campaign):
    ob = _obligation(db, make_campaign)
    login(make_user("manager", org=fundraising_org))
    r = client.post(f"/staff/disclosure/{ob.id}", data={"text": "  本期发放棉衣 300 件  "})
    assert r.status_code == 302
    assert db.scalar(sa.select(Narrative.text).where(Narrative.subject_id == ob.subject_id)) \
        == "本期发放棉衣 300 件"
    r = client.post(f"/staff/disclosure/{ob.id}/publish")
    assert r.status_code == 302
    db.expire_all()
    assert db.get(Obligation, ob.id).publish_requested_at is not None


def test_final_of_a_running_campaign_cannot_be_queued(client, login, db, make_user,
                                                       fundraising_org, make_campaign):
    ob = _obligation(db, make_campaign)
    final = db.scalar(sa.select(Obligation).where(Obligation.subject_id == ob.subject_id,
                                                  Obligation.kind == "final"))
    login(make_user("manager", org=fundraising_org))
    client.post(f"/staff/disclosure/{final.id}/publish")
    db.expire_all()
    assert db.get(Obligation, final.id).publish_requested_at is None
