"""Periods tile the subject's life (DOMAIN.md, "Disclosure timing"; issue 17 item 1).

Random histories of a campaign or a project — money and goods received on random days,
the scheduler ticking on the deadline day, days or months late, or staff publishing early,
an early end, an extension, an open-ended project — played through the real services and
the real scheduler and publisher. Then, from the published JSON snapshots:

- every day from the start to the actual end is in exactly one report's period;
- every report's "本期" figures equal the sums over the ledger rows this test posted in its
  period, and its cumulative figures the sums since the start;
- all reports' "本期" figures add up to the final's cumulative figures.

The expected figures are computed here from the rows the test itself posted, not read back.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import scoped_session, sessionmaker

from charity.core.extensions import db as _db
from charity.core.system import system_actor
from charity.disclosure.models import Obligation, Publication
from charity.ops.scheduler import tick
from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_text

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
DAY = dt.timedelta(days=1)
D = Decimal
ZERO = D("0")
# CHARITY_PERIOD_EXAMPLES=500 for a longer search.
EXAMPLES = {"sqlite": int(os.environ.get("CHARITY_PERIOD_EXAMPLES", "30")), "postgresql": 10}
CHANNELS = {"cash": "现金", "wechat": "微信支付", "bank_transfer": "银行转账"}
PURPOSES = ("助学金", "文具", "交通补贴")


@contextmanager
def rolled_back(app):
    """What the `db` fixture gives a test, once per Hypothesis example: the app's session
    inside a transaction that is rolled back afterwards (commits go to a SAVEPOINT)."""
    with app.app_context():
        engine = _db.engine
    conn = engine.connect()
    outer = conn.begin()
    session = scoped_session(sessionmaker(bind=conn, join_transaction_mode="create_savepoint",
                                          expire_on_commit=False), scopefunc=lambda: 0)
    original = _db.session
    _db.session = session
    try:
        with app.app_context():
            yield session
    finally:
        session.remove()
        outer.rollback()
        conn.close()
        _db.session = original


@dataclass
class Row:
    """One ledger row this test posted: what it adds to which figure."""
    day: dt.date
    figures: dict


@dataclass
class World:
    session: object
    kind: str  # campaign, project, open_project
    start: dt.date
    subject: object = None
    org: object = None
    point: object = None
    items: list = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    clock: dt.date | None = None  # the last scheduler day
    campaign_money: Decimal = ZERO  # what the campaign fund holds (costs may not exceed it)

    @property
    def subject_type(self) -> str:
        return "campaign" if self.kind == "campaign" else "project"

    # --- the subject ---------------------------------------------------------------------
    def create(self, planned_end: dt.date | None) -> None:
        from charity.funds.services.campaigns import (
            activate_campaign,
            activate_project,
            create_campaign,
            create_project,
        )
        from charity.goods.models import ItemCategory
        from charity.goods.services.catalogue import create_item_type
        from charity.orgs import uscc
        from charity.orgs.services import create_organization, create_point

        actor, s = system_actor(), self.session
        self.org = create_organization(actor, s, {
            "name": "期间测试慈善会", "uscc": uscc.make("51620102MJ0000777"),
            "registering_authority": "民政局", "can_fundraise_publicly": True,
            "fundraising_cert_no": "62000000000077"})
        self.point = create_point(actor, s, self.org, {
            "kind": "station", "name": "捐助站", "address": "路1号", "district": "城关区",
            "community": "社区"})
        for code, name, value in (("clothing", "棉衣", "30.00"), ("food", "食用油", "45.50")):
            category = s.scalar(sa.select(ItemCategory).where(ItemCategory.code == code))
            self.items.append(create_item_type(actor, s, self.org, {
                "name": name, "category_id": category.id, "unit": "件",
                "default_fair_value": D(value)}))
        if self.kind == "campaign":
            self.subject = create_campaign(actor, s, self.org, {
                "name": "冬衣募捐", "purpose": "为困难家庭筹集冬衣", "region": "兰州市",
                "donation_methods": "银行转账、微信", "bank_account": "中国银行 1234",
                "beneficiaries": "困难家庭", "intended_use": "购买冬衣",
                "leftover_plan": "转入下一期同类项目", "filing_no": "5362010200077",
                "filing_date": self.start, "planned_start": self.start,
                "planned_end": planned_end}, today=self.start)
            activate_campaign(actor, s, self.subject, today=self.start)
        else:
            self.subject = create_project(actor, s, self.org, {
                "name": "助学项目", "content": "资助学生", "area": "城关区",
                "beneficiary_groups": "留守儿童", "planned_start": self.start,
                "planned_end": planned_end})
            activate_project(actor, s, self.subject)
            # Unrestricted money the project may spend (not project income: no project).
            self._post({"kind": "donation", "amount": D("1000000"), "entry_date": self.start,
                        "channel": "bank_transfer", "counterparty": "基金会"}, self.start)
        s.commit()

    @property
    def running(self) -> bool:
        from charity.funds.models import CampaignStatus, ProjectStatus

        active = CampaignStatus.ACTIVE if self.kind == "campaign" else ProjectStatus.ACTIVE
        return self.subject.status == active

    @property
    def last_day(self) -> dt.date | None:
        """The last day the subject runs, as things stand (None: open-ended)."""
        if self.subject.actual_end:
            return self.subject.actual_end
        return self.subject.planned_end

    # --- ledger rows -----------------------------------------------------------------------
    def _post(self, data: dict, today: dt.date):
        from charity.funds.services.ledger import post_entry

        return post_entry(system_actor(), self.session, self.org, data, today=today)

    def post(self, day: dt.date, what: str, amount: Decimal, pick: int, today: dt.date) -> bool:
        """Post one row dated `day` (if the subject can take it) and remember its figures."""
        if not self.running or day < self.start or (self.last_day and day > self.last_day):
            return False
        if self.kind == "campaign":
            self._post_campaign(day, what, amount, pick, today)
        else:
            self._post_project(day, what, amount, pick, today)
        return True

    def _post_campaign(self, day, what, amount, pick, today) -> None:
        from charity.goods.services.intake import post_intake

        cid = self.subject.id
        if what == "money":
            channel = list(CHANNELS)[pick % len(CHANNELS)]
            self._post({"kind": "donation", "amount": amount, "entry_date": day,
                        "campaign_id": cid, "channel": channel, "counterparty": "爱心人士"},
                       today)
            self.campaign_money += amount
            self.rows.append(Row(day, {"donation_income": amount,
                                       ("channel", CHANNELS[channel]): amount}))
        elif what == "cost":
            if amount > self.campaign_money:
                return
            self._post({"kind": "fundraising_cost", "amount": amount, "entry_date": day,
                        "campaign_id": cid, "purpose": "宣传物料", "counterparty": "印刷厂"},
                       today)
            self.campaign_money -= amount
            self.rows.append(Row(day, {"fundraising_costs": amount}))
        else:
            item = self.items[pick % len(self.items)]
            quantity = 1 + pick % 7
            line = {"item_type_id": item.id, "quantity": str(quantity), "condition": "good"}
            if item.name == "食用油":
                line.update(expiry_date=day + dt.timedelta(days=400), inspected=True)
            post_intake(system_actor(), self.session, self.point,
                        {"received_on": day, "campaign_id": cid, "lines": [line]},
                        today=today)
            category = item.category.name
            self.rows.append(Row(day, {("goods_qty", category): D(quantity),
                                       ("goods_value", category):
                                       D(quantity) * item.default_fair_value}))

    def _post_project(self, day, what, amount, pick, today) -> None:
        pid = self.subject.id
        if what == "money":
            self._post({"kind": "donation", "amount": amount, "entry_date": day,
                        "project_id": pid, "channel": "wechat", "counterparty": "爱心人士"},
                       today)
            self.rows.append(Row(day, {"direct_donations": amount}))
        else:
            purpose = PURPOSES[pick % len(PURPOSES)]
            self._post({"kind": "project_spending", "amount": amount, "entry_date": day,
                        "project_id": pid, "purpose": purpose, "counterparty": "学校",
                        "voucher_no": f"V{pick}"}, today)
            self.rows.append(Row(day, {"spent_total": amount, ("purpose", purpose): amount}))

    def expected(self, a: dt.date, b: dt.date) -> dict:
        """The figures of the rows this test posted from `a` to `b` (both included)."""
        total: Counter = Counter()
        for row in self.rows:
            if a <= row.day <= b:
                total.update(row.figures)
        return {k: v for k, v in total.items() if v}

    # --- the scheduler ---------------------------------------------------------------------
    def obligations(self) -> list[Obligation]:
        return list(self.session.scalars(sa.select(Obligation).where(
            Obligation.subject_type == self.subject_type,
            Obligation.subject_id == self.subject.id).order_by(Obligation.due, Obligation.seq)))

    def publications(self) -> list[Publication]:
        pubs = self.session.scalars(sa.select(Publication).where(
            Publication.subject_type == self.subject_type,
            Publication.subject_id == self.subject.id,
            Publication.kind.in_(("periodic", "final")))).all()
        return sorted(pubs, key=lambda p: (p.kind == "final", p.seq))

    def tick(self, day: dt.date, requests_only: bool = False) -> None:
        assert self.clock is None or day >= self.clock
        self.clock = day
        result = tick(self.session, day, requests_only=requests_only)
        assert result.failed == [], result.failed


def figures_of(snapshot: dict, which: str) -> dict:
    """A report's figures ("period" or "cumulative") in the shape of `World.expected`."""
    out: Counter = Counter()
    if snapshot["subject"]["type"] == "campaign":
        block = snapshot["money"][which]
        out["donation_income"] = D(block["donation_income"])
        out["fundraising_costs"] = D(block["fundraising_costs"])
        for row in block["donations_by_channel"]:
            out[("channel", row["channel"])] += D(row["amount"])
        for row in snapshot["goods_received"][which]:
            out[("goods_qty", row["category"])] += D(row["quantity"])
            out[("goods_value", row["category"])] += D(row["value"])
    else:
        block = snapshot["figures"][which]
        out["direct_donations"] = D(block["direct_donations"])
        out["spent_total"] = D(block["spent_total"])
        for row in block["spending_by_purpose"]:
            out[("purpose", row["purpose"])] += D(row["amount"])
    return {k: v for k, v in out.items() if v}


def check(world: World) -> None:
    """The tiling and the sums, read from the published snapshots."""
    pubs = world.publications()
    assert pubs, "nothing was published"
    snaps = [json.loads(p.snapshot) for p in pubs]
    day = world.start
    running: Counter = Counter()
    for pub, snap in zip(pubs, snaps):
        period = (dt.date.fromisoformat(snap["period"]["start"]),
                  dt.date.fromisoformat(snap["period"]["end"]))
        assert period == (pub.period_start, pub.period_end)
        # Exactly one report has each day: this one starts the day after the last ended.
        assert pub.period_start == day, (pub.kind, pub.seq, pub.period_start, day)
        if pub.kind == "periodic":
            assert pub.period_end >= pub.period_start
            assert pub.period_end < pub.published_on  # never reports on days to come
            if pub.late:  # a late report keeps its cut-off, the day before its deadline
                assert pub.period_end == min(pub.due - DAY, world.last_day or pub.due)
        day = pub.period_end + DAY
        assert figures_of(snap, "period") == world.expected(pub.period_start, pub.period_end)
        running.update(figures_of(snap, "period"))
        cumulative = figures_of(snap, "cumulative")
        assert cumulative == world.expected(world.start, pub.period_end)
        assert cumulative == {k: v for k, v in running.items() if v}
    if world.running:
        assert all(p.kind == "periodic" for p in pubs)
        return
    final, snap = pubs[-1], snaps[-1]
    assert final.kind == "final"
    # The final covers the rest, up to the actual end (empty if nothing was left).
    assert final.period_end == world.last_day
    assert day == final.period_end + DAY
    total = world.expected(world.start, world.last_day)
    assert total == world.expected(dt.date.min, dt.date.max)  # no row outside the life
    assert figures_of(snap, "cumulative") == total == {k: v for k, v in running.items() if v}


amounts = st.decimals(D("0.01"), D("5000"), places=2)


def play(world: World, data) -> None:
    """Advance the scheduler from deadline to deadline, each handled on time, late or
    early, with rows posted on random days in between and perhaps a change."""
    s = world.session
    world.tick(world.start)
    posted_to = world.start - DAY  # rows are drawn for the days after this one
    for _step in range(14):
        pending = [o for o in world.obligations() if o.published_on is None]
        if not pending:
            break
        ob = pending[0]
        if world.kind == "open_project" and ob.due > world.start + dt.timedelta(days=700):
            break
        how = data.draw(st.sampled_from(["on time", "late", "early", "change"]), label="how")
        if how == "change" and world.running:
            change(world, data, posted_to)
            s.commit()
            continue
        if how == "early" and ob.kind == "periodic":
            lo = max(world.clock, ob.period_start + DAY)
            day = data.draw(st.dates(lo, max(lo, ob.due - DAY)), label="early day")
        elif how == "late":
            day = ob.due + dt.timedelta(days=data.draw(st.integers(1, 120), label="late by"))
        else:
            day = ob.due
        day = max(day, world.clock)
        if ob.kind == "final" and day <= ob.period_end:
            day = ob.period_end + DAY
        # Rows dated up to the publication day are posted before the scheduler runs.
        for _ in range(data.draw(st.integers(0, 4), label="rows")):
            # Never dated in a period already published (that would need a correction).
            lo = max(posted_to + DAY, world.clock)
            if lo > day:
                break
            row_day = data.draw(st.dates(lo, day), label="row day")
            what = data.draw(st.sampled_from(["money", "money", "cost", "goods"]
                                             if world.kind == "campaign"
                                             else ["money", "spending"]), label="what")
            if world.post(row_day, what, data.draw(amounts, label="amount"),
                          data.draw(st.integers(0, 99), label="pick"), today=day):
                posted_to = row_day
        s.commit()
        if world.kind == "campaign" and world.running and day > world.subject.planned_end:
            from charity.funds.services.campaigns import end_campaign

            end_campaign(system_actor(), s, world.subject, world.subject.planned_end, "",
                         today=day)
            s.commit()
        if day < ob.due:
            from charity.disclosure.services import request_publication

            request_publication(system_actor(), s, s.get(Obligation, ob.id), today=day)
            s.commit()
            world.tick(day, requests_only=True)
        else:
            world.tick(day)
    if world.kind == "open_project" and world.running:
        return
    # Whatever happened, the subject ends and its final is published.
    if world.running:
        change(world, data, posted_to, force_end=True)
        s.commit()
    final = next(o for o in world.obligations() if o.kind == "final")
    if final.published_on is None:
        world.tick(max(world.clock, final.due))


def close(world: World, end: dt.date) -> None:
    from charity.funds.services.campaigns import close_project

    close_project(system_actor(), world.session, world.subject, end, "无", "无",
                  today=world.clock)
    world.session.commit()


def change(world: World, data, posted_to: dt.date, force_end: bool = False) -> None:
    """An early end (or closing a project) or, for a campaign, an extension, recorded on
    the scheduler's current day (`force_end`: the end, on a day that allows it)."""
    from charity.funds.services.campaigns import end_campaign, extend_campaign

    covered = max((p.period_end for p in world.publications()), default=world.start - DAY)
    lo = max(covered, posted_to, world.start)
    if force_end:
        world.clock = max(world.clock, lo)
    today = world.clock
    hi = min(today, world.last_day or today)
    kinds = ["end"] if lo <= hi else []
    if world.kind == "campaign" and not force_end:
        kinds.append("extend")
    if world.kind == "open_project" and not force_end:
        kinds = ["end"] if lo <= hi and data.draw(st.booleans(), label="close?") else []
    if not kinds:
        assert not force_end
        return
    if data.draw(st.sampled_from(kinds), label="change") == "extend":
        new_end = max(world.subject.planned_end, today) + dt.timedelta(
            days=data.draw(st.integers(1, 300), label="extend by"))
        extend_campaign(system_actor(), world.session, world.subject, new_end, "延期",
                        today=today)
        return
    # It ended on a day no row was posted after and no report has covered beyond.
    end = data.draw(st.dates(lo, hi), label="end")
    if world.kind == "campaign":
        end_campaign(system_actor(), world.session, world.subject, end, "提前完成",
                     today=today)
    else:
        close(world, end)


@pytest.fixture
def fast_render(monkeypatch):
    """The PDF is not what these tests read (the JSON snapshot is), and rendering one
    costs a second: the publisher runs for real with a stand-in renderer."""
    import charity.disclosure.publishing as publishing

    monkeypatch.setattr(publishing, "render",
                        lambda snapshot, meta: ("", b"%PDF-1.7 stand-in " + meta[
                            "report_no"].encode()))


@pytest.mark.slow  # a Hypothesis search over histories: in ./test, not the quick loop
def test_periods_tile_and_add_up_over_random_histories(app, backend, fast_render):
    @settings(max_examples=EXAMPLES[backend], deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def history(data):
        kind = data.draw(st.sampled_from(["campaign", "campaign", "project", "open_project"]),
                         label="kind")
        start = data.draw(st.dates(dt.date(2025, 1, 1), dt.date(2026, 6, 30)), label="start")
        planned_end = None
        if kind != "open_project":
            planned_end = start + dt.timedelta(days=data.draw(st.integers(0, 640),
                                                              label="length"))
        with rolled_back(app) as session:
            world = World(session, kind, start)
            world.create(planned_end)
            play(world, data)
            check(world)

    history()


def test_a_late_report_loses_no_days_issue_example(db, make_project, fundraising_org):
    """Issue 17: project reports 01-01..03-31, then one published late; the days from
    04-01 to the late publication were in no report. Now the next report has them."""
    from charity.funds.services.ledger import post_entry

    project = make_project(name="慈善超市运营", planned_start=dt.date(2026, 1, 1))
    for day, amount in ((dt.date(2026, 3, 31), "100.00"), (dt.date(2026, 4, 1), "20.00"),
                        (dt.date(2026, 4, 10), "3.00"), (dt.date(2026, 4, 20), "0.40")):
        post_entry(system_actor(), db, fundraising_org, {
            "kind": "donation", "amount": D(amount), "entry_date": day,
            "project_id": project.id, "channel": "wechat", "counterparty": "爱心人士"},
            today=day)
    db.commit()
    tick(db, dt.date(2026, 4, 21))  # the scheduler was down: #1 (due 04-01) is late
    tick(db, dt.date(2026, 7, 21))  # #2 is due three months after #1's publication
    first, second = db.scalars(sa.select(Publication).where(
        Publication.subject_type == "project", Publication.subject_id == project.id)
        .order_by(Publication.seq)).all()
    assert first.late and (first.period_start, first.period_end) == (
        dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert not second.late and (second.period_start, second.period_end) == (
        dt.date(2026, 4, 1), dt.date(2026, 7, 20))
    assert json.loads(first.snapshot)["figures"]["period"]["direct_donations"] == "100.00"
    snap = json.loads(second.snapshot)
    assert snap["figures"]["period"]["direct_donations"] == "23.40"  # 04-01, 04-10, 04-20
    assert snap["figures"]["cumulative"]["direct_donations"] == "123.40"
    text = "".join(pdf_text(second.pdf))
    assert "2026-04-01" in text and "23.40" in text
