"""Obligations in the database, the scheduler tick, publications, the hash chain."""
import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.disclosure.models import Obligation, Publication
from charity.disclosure.publishing import publish_correction, verify_publications
from charity.funds.services import ledger
from charity.funds.services.ledger import balance
from charity.ops.scheduler import tick
from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_attachments, pdf_font_report, pdf_text
from charity.core.system import system_actor

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
D = Decimal


@pytest.fixture
def campaign_with_money(db, fundraising_org, make_campaign, make_donor):
    c = make_campaign(name="冬衣募捐", planned_start=dt.date(2026, 1, 1),
                      planned_end=dt.date(2026, 12, 31))
    named = make_donor(name="王建国", publish_name=True)
    hidden = make_donor(name="刘芳", publish_name=False, phone="13900000000")
    for day, amount, donor in [(dt.date(2026, 1, 5), "1000.00", named),
                               (dt.date(2026, 2, 10), "234.56", hidden),
                               (dt.date(2026, 3, 20), "500.00", None)]:
        ledger.post_donation(system_actor(), db, fundraising_org, {
            "kind": "donation", "amount": D(amount), "entry_date": day, "campaign_id": c.id,
            "donor_id": donor.id if donor else None, "channel": "wechat",
            "counterparty": "" if donor else "爱心人士"}, with_receipt=donor is not None,
            today=dt.date(2026, 11, 25))
    db.commit()
    return c


def obligations(db, c):
    return {(o.kind, o.seq): o for o in db.scalars(sa.select(Obligation).where(
        Obligation.subject_type == "campaign", Obligation.subject_id == c.id))}


def test_tick_publishes_on_the_deadline_day(db, campaign_with_money):
    c = campaign_with_money
    r = tick(db, dt.date(2026, 3, 31))
    assert r.published == []
    obs = obligations(db, c)
    assert obs[("periodic", 1)].due == dt.date(2026, 4, 1)
    assert obs[("periodic", 1)].status == "due"
    r = tick(db, dt.date(2026, 4, 1))
    assert len(r.published) == 1 and r.late == 0
    pub = db.get(Publication, r.published[0])
    assert (pub.period_start, pub.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert obligations(db, c)[("periodic", 1)].status == "published_on_time"
    assert verify_publications(db) == []


def test_catch_up_after_100_days_down_is_marked_late(db, campaign_with_money):
    c = campaign_with_money
    tick(db, dt.date(2026, 4, 1))
    r = tick(db, dt.date(2026, 4, 1) + dt.timedelta(days=100))  # 2026-07-10
    assert len(r.published) == 1 and r.late == 1
    pub = db.get(Publication, r.published[0])
    assert pub.seq == 2 and pub.late and pub.due == dt.date(2026, 7, 1)
    # Late, it keeps its cut-off; the days after it belong to the next report.
    assert (pub.period_start, pub.period_end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    nxt = obligations(db, c)[("periodic", 3)]
    assert nxt.due == dt.date(2026, 10, 10)  # three months after the late publication
    assert (nxt.period_start, nxt.period_end) == (dt.date(2026, 7, 1), dt.date(2026, 10, 9))
    assert tick(db, dt.date(2026, 7, 11)).published == []


def test_snapshot_reconciles_with_the_ledger_and_respects_consent(db, campaign_with_money,
                                                                  fundraising_org):
    c = campaign_with_money
    pub = db.get(Publication, tick(db, dt.date(2026, 4, 1)).published[0])
    snap = json.loads(pub.snapshot)
    bal = balance(db, fundraising_org.id, "campaign", c.id)
    assert D(snap["money"]["cumulative"]["donation_income"]) == bal.donation_income == D("1734.56")
    assert D(snap["unused"]["amount"]) == bal.remaining
    assert [d["name"] for d in snap["donors"]["named"]] == ["王建国"]
    assert snap["donors"]["anonymous"]["amount"] == "734.56"
    text = json.dumps(snap, ensure_ascii=False) + pub.pdf.decode("latin-1")
    assert "刘芳" not in text and "13900000000" not in text


def test_pdf_is_a_real_chinese_pdf_with_the_donor_list_attached(db, campaign_with_money):
    pub = db.get(Publication, tick(db, dt.date(2026, 4, 1)).published[0])
    fonts = pdf_font_report(pub.pdf)
    assert fonts and all(embedded for _name, embedded in fonts)
    assert any("CJK" in name or "Noto" in name for name, _e in fonts)
    text = "".join(pdf_text(pub.pdf))
    for expected in ("冬衣募捐", "募捐方案概要", "款物收入", "1,734.56", "GK-000001"):
        assert expected in text
    attachments = pdf_attachments(pub.pdf)
    assert "王建国" in attachments["donors.csv"].decode("utf-8-sig")


def test_tampering_is_detected(db, campaign_with_money):
    pub = db.get(Publication, tick(db, dt.date(2026, 4, 1)).published[0])
    db.execute(sa.update(Publication).where(Publication.id == pub.id).values(
        pdf=pub.pdf[:100] + bytes([pub.pdf[100] ^ 1]) + pub.pdf[101:]))
    db.commit()
    db.expire_all()
    assert any("PDF does not match" in p for p in verify_publications(db))
    db.execute(sa.update(Publication).where(Publication.id == pub.id).values(
        pdf=pub.pdf, snapshot=pub.snapshot.replace("1734.56", "9734.56")))
    db.commit()
    db.expire_all()
    problems = verify_publications(db)
    assert any("snapshot does not match" in p for p in problems)


def test_correction_is_a_new_linked_publication(db, campaign_with_money):
    original = db.get(Publication, tick(db, dt.date(2026, 4, 1)).published[0])
    fix = publish_correction(system_actor(), db, original, "渠道分类有误", dt.date(2026, 4, 5))
    db.commit()
    assert fix.kind == "correction" and fix.corrects_id == original.id
    assert fix.prev_hash == original.entry_hash
    assert "更正说明" in "".join(pdf_text(fix.pdf))
    assert verify_publications(db) == []


def test_a_crash_while_rendering_leaves_no_half_publication(db, campaign_with_money,
                                                            monkeypatch):
    import charity.disclosure.publishing as publishing

    def crash(*_a, **_k):
        raise RuntimeError("renderer killed")

    monkeypatch.setattr(publishing, "render", crash)
    r = tick(db, dt.date(2026, 4, 1))
    assert r.published == [] and len(r.failed) == 1
    assert db.scalar(sa.select(sa.func.count(Publication.id))) == 0
    ob = obligations(db, campaign_with_money)[("periodic", 1)]
    assert ob.published_on is None and ob.status == "due"
    monkeypatch.undo()
    assert len(tick(db, dt.date(2026, 4, 1)).published) == 1


def test_early_end_moves_the_final_and_drops_later_periodics(db, campaign_with_money):
    from charity.funds.services.campaigns import end_campaign

    c = campaign_with_money
    tick(db, dt.date(2026, 4, 1))
    end_campaign(system_actor(), db, c, dt.date(2026, 5, 15), "提前完成目标",
                 today=dt.date(2026, 5, 20))
    db.commit()
    tick(db, dt.date(2026, 5, 20))
    obs = obligations(db, c)
    assert ("periodic", 2) not in obs
    assert obs[("final", 0)].due == dt.date(2026, 8, 15)


def test_two_schedulers_publish_each_obligation_once(committed_app):
    from charity.core.extensions import db
    from charity.funds.services.campaigns import activate_campaign, create_campaign
    from charity.orgs import uscc
    from charity.orgs.services import create_organization

    actor = system_actor()
    with committed_app.app_context():
        org = create_organization(actor, db.session, {
            "name": "并发公开测试", "uscc": uscc.make("51620102MJ0000999"),
            "can_fundraise_publicly": True, "fundraising_cert_no": "X1"})
        for i in range(3):
            c = create_campaign(actor, db.session, org, {
                "name": f"活动{i}", "purpose": "p", "region": "r", "donation_methods": "m",
                "beneficiaries": "b", "intended_use": "u", "leftover_plan": "l",
                "filing_no": f"F{i}", "planned_start": dt.date(2025, 1, 1),
                "planned_end": dt.date(2026, 6, 30)}, today=dt.date(2025, 1, 1))
            activate_campaign(actor, db.session, c, today=dt.date(2025, 1, 1))
        db.session.commit()
    errors = []
    barrier = threading.Barrier(2)

    def scheduler():
        try:
            with committed_app.app_context():
                barrier.wait()
                tick(db.session, dt.date(2025, 8, 1))
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == []
    with committed_app.app_context():
        rows = db.session.execute(sa.select(Publication.obligation_id, sa.func.count())
                                  .group_by(Publication.obligation_id)).all()
        # No tick ran before 2025-08-01: each campaign's periodic #1 (due 2025-04-01) is
        # published late, keeping its cut-off (up to 2025-03-31); #2 then covers
        # 2025-04-01 .. 2025-10-31 and falls due 2025-11-01.
        assert len(rows) == 3 and all(n == 1 for _ob, n in rows)
        assert db.session.scalar(sa.select(sa.func.count()).where(Publication.late)) == 3
        assert verify_publications(db.session) == []


def test_correction_from_the_command_line(db, runner, campaign_with_money):
    original = db.get(Publication, tick(db, dt.date(2026, 4, 1)).published[0])
    db.commit()
    result = runner.invoke(args=["disclosure", "correct", "--publication", str(original.id),
                                 "--reason", "渠道分类有误", "--as-of", "2026-04-03"])
    assert result.exit_code == 0, result.output
    fix = db.scalar(sa.select(Publication).where(Publication.corrects_id == original.id))
    assert fix is not None and fix.correction_reason == "渠道分类有误"
    bad = runner.invoke(args=["disclosure", "correct", "--publication", "999999",
                              "--reason", "x"])
    assert bad.exit_code == 2
