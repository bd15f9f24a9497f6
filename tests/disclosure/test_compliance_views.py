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


# --- "publish now" (issue 17 item 9) -----------------------------------------------------------

def _shown(app, day: dt.date) -> str:
    """`day` as the pages print it (the date filter, in the default language)."""
    from charity.core.i18n import date

    with app.test_request_context():
        return date(day)


def _periodic(db, make_campaign, start: dt.date, end: dt.date):
    from charity.core.clock import org_today

    c = make_campaign(planned_start=start, planned_end=end, filing_date=start)
    refresh_all(db, org_today(c.organization))
    db.commit()
    return c, {(o.kind, o.seq): o for o in db.scalars(sa.select(Obligation).where(
        Obligation.subject_type == "campaign", Obligation.subject_id == c.id))}


def test_publish_now_says_which_period_it_will_cover(app, client, login, db, make_user,
                                                      fundraising_org, make_campaign):
    from charity.core.clock import org_today

    today = org_today(fundraising_org)
    start = today - dt.timedelta(days=20)
    _c, obs = _periodic(db, make_campaign, start, today + dt.timedelta(days=300))
    ob = obs[("periodic", 1)]
    login(make_user("manager", org=fundraising_org))
    page = client.get(f"/staff/disclosure/{ob.id}").get_data(as_text=True)
    # Published today, a periodic disclosure covers its first day up to yesterday.
    assert f'action="/staff/disclosure/{ob.id}/publish"' in page
    yesterday = today - dt.timedelta(days=1)
    button = page[page.index(f'action="/staff/disclosure/{ob.id}/publish"'):]
    button = button[:button.index("</form>")]  # the period is on the button, in any language
    assert button.index(_shown(app, start)) < button.index(_shown(app, yesterday))
    final = obs[("final", 0)]
    page = client.get(f"/staff/disclosure/{final.id}").get_data(as_text=True)
    assert f'action="/staff/disclosure/{final.id}/publish"' not in page
    assert _shown(app, final.period_end + dt.timedelta(days=1)) in page  # "from …"


def test_publish_now_is_not_offered_before_a_day_can_be_reported(app, client, login, db,
                                                                   make_user, fundraising_org,
                                                                   make_campaign):
    from charity.core.clock import org_today

    today = org_today(fundraising_org)
    _c, obs = _periodic(db, make_campaign, today, today + dt.timedelta(days=300))
    ob = obs[("periodic", 1)]
    login(make_user("manager", org=fundraising_org))
    page = client.get(f"/staff/disclosure/{ob.id}").get_data(as_text=True)
    assert f'action="/staff/disclosure/{ob.id}/publish"' not in page
    assert _shown(app, today + dt.timedelta(days=1)) in page  # it can be published from then
    client.post(f"/staff/disclosure/{ob.id}/publish")  # asked anyway: refused
    db.expire_all()
    assert db.get(Obligation, ob.id).publish_requested_at is None


def test_a_failed_publication_shows_its_reason_and_is_retried(client, login, db, make_user,
                                                              fundraising_org, make_campaign,
                                                              monkeypatch):
    import charity.disclosure.publishing as publishing
    from charity.disclosure.models import Publication
    from charity.ops.scheduler import tick

    c = make_campaign(planned_start=dt.date(2026, 1, 1), planned_end=dt.date(2026, 12, 31))

    def crash(*_a, **_k):
        raise RuntimeError("字体文件缺失")

    monkeypatch.setattr(publishing, "render", crash)
    assert len(tick(db, dt.date(2026, 4, 1)).failed) == 1
    ob = db.scalar(sa.select(Obligation).where(
        Obligation.subject_type == "campaign", Obligation.subject_id == c.id,
        Obligation.kind == "periodic", Obligation.seq == 1))
    assert ob.published_on is None and ob.status == "due"
    assert ob.publish_failed_at is not None and "字体文件缺失" in ob.publish_failure
    login(make_user("manager", org=fundraising_org))
    for url in ("/staff/disclosure/?status=failed", f"/staff/disclosure/{ob.id}",
                f"/staff/campaigns/{c.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "字体文件缺失" in page, url
    assert f"/staff/disclosure/{ob.id}" in client.get("/staff/disclosure/?status=failed") \
        .get_data(as_text=True)
    monkeypatch.undo()
    published = tick(db, dt.date(2026, 4, 2)).published  # the next run tries again
    assert len(published) == 1 and db.get(Publication, published[0]).obligation_id == ob.id
    db.expire_all()
    ob = db.get(Obligation, ob.id)
    assert ob.publish_failed_at is None and ob.publish_failure == ""
    assert "字体文件缺失" not in client.get("/staff/disclosure/?status=failed") \
        .get_data(as_text=True)


def test_a_request_that_can_no_longer_be_met_is_withdrawn_with_its_reason(db, make_campaign):
    from charity.core.system import system_actor
    from charity.disclosure.services import request_publication
    from charity.ops.scheduler import tick

    c = make_campaign(planned_start=dt.date(2026, 1, 1), planned_end=dt.date(2026, 12, 31))
    refresh_all(db, dt.date(2026, 1, 1))
    db.commit()
    ob = db.scalar(sa.select(Obligation).where(
        Obligation.subject_type == "campaign", Obligation.subject_id == c.id,
        Obligation.kind == "periodic", Obligation.seq == 1))
    assert request_publication(system_actor(), db, ob, today=dt.date(2026, 3, 1))
    db.commit()
    # The scheduler runs on 1 January (its clock was wrong when it was asked): nothing of
    # the period has passed, so it cannot publish; it says why and drops the request.
    result = tick(db, dt.date(2026, 1, 1), requests_only=True)
    assert len(result.failed) == 1
    db.expire_all()
    ob = db.get(Obligation, ob.id)
    assert ob.published_on is None and ob.publish_requested_at is None
    assert ob.publish_failed_at is not None and ob.publish_failure


def test_staff_campaign_and_project_pages_list_their_obligations(app, client, login, db,
                                                                 make_user, fundraising_org,
                                                                 make_campaign, make_project):
    from charity.ops.scheduler import tick

    c = make_campaign(planned_start=dt.date(2026, 1, 1), planned_end=dt.date(2026, 12, 31))
    p = make_project(planned_start=dt.date(2026, 1, 1))
    tick(db, dt.date(2026, 4, 1))
    login(make_user("auditor", org=fundraising_org))
    for url, subject_type, subject_id in ((f"/staff/campaigns/{c.id}", "campaign", c.id),
                                          (f"/staff/projects/{p.id}", "project", p.id)):
        page = client.get(url).get_data(as_text=True)
        obs = db.scalars(sa.select(Obligation).where(Obligation.subject_type == subject_type,
                                                     Obligation.subject_id == subject_id)).all()
        assert obs
        for o in obs:
            assert f"/staff/disclosure/{o.id}" in page
            assert _shown(app, o.due) in page
        # The first report went out on its deadline and covered 1 Jan – 31 Mar.
        assert _shown(app, dt.date(2026, 4, 1)) in page
