"""The money ledger of the province: donations and charity-activity income, spending on
projects and running costs, a few corrections, and the receipts of named donations.

Each organisation is planned on its own: incomes are drawn first, then every event is
replayed in posting order with a running total per fund (the campaign, or the general
fund), so spending only ever uses money that had already come in. A spending that finds its
fund too empty becomes a donation instead, so the number of entries is exact.
Balances (fund_balance) are not written here: the orchestrator recomputes them.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from charity.demo.province.bulk import insert
from charity.demo.province.world import Org, World
from charity.funds.models import (
    Activity,
    FundEntry,
    NonCashGift,
    Receipt,
    ReceiptLine,
    ReceiptSequence,
    project_campaign,
)
from charity.funds.services.receipts import CHECK_ALPHABET, CHECK_LENGTH, format_number
from charity.people.models import ANONYMOUS_NAME, Donor

CENT = Decimal("0.01")
SPEND_SHARE = 0.22          # of an organisation's entries
CORRECTION_SHARE = 0.001    # corrections (two entries each): ~0.2 % of entries
RECEIPT_SHARE = 0.6         # of named donations
CAPS = {"project_spending": 100000, "other_spending": 5000, "fundraising_cost": 200}
CHANNEL_LABEL = {"cash": "现金", "bank_transfer": "银行转账", "wechat": "微信支付",
                 "alipay": "支付宝"}
ACTIVITY_LABEL = {"charity_sale": "义卖", "auction": "义拍", "performance": "义演",
                  "exhibition": "义展", "clinic": "义诊", "match": "义赛"}
PROJECT_USES = ["采购米面油", "采购冬衣棉被", "发放助学金", "购买康复辅具", "发放取暖补贴",
                "采购图书文具", "发放慰问金", "采购助老餐食材"]
PAYEES = ["华联商贸有限公司", "百货有限公司", "粮油批发部", "医疗器械有限公司", "图书文具店"]
OTHER_USES = ["办公场地租金", "水电费", "物资运输费", "年度审计费", "志愿者保险"]
FUNDRAISING_USES = ["募捐宣传海报印制", "线上募捐平台服务费", "募捐活动场地布置"]
NONCASH = [("service", "义务法律咨询服务（全年）", "not_measurable", None),
           ("securities", "上市公司股票 1000 股", "fair_value", Decimal("15600.00")),
           ("intellectual_property", "公益宣传片著作权使用许可", "document_amount",
            Decimal("8000.00"))]


def _entry(org: Org, kind: str, day: dt.date, amount: Decimal, at: dt.datetime, **fields) -> dict:
    row = {"organization_id": org.id, "kind": kind, "entry_date": day, "amount": amount,
           "campaign_id": None, "project_id": None, "donor_id": None, "counterparty": "",
           "channel": None, "activity": None, "purpose": "", "voucher_no": "",
           "reference": "", "restricted": False, "note": "", "transfer_group": None,
           "reverses_id": None, "replaces_id": None, "correction_reason": "",
           "receipt_id": None, "source_type": None, "source_id": None,
           "posted_by_id": org.manager_id, "posted_at": at}
    row.update(fields)
    return row


def _yuan(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def _cents(n: int) -> Decimal:
    return (Decimal(n) / 100).quantize(CENT)


def generate_money(world: World) -> None:
    s = world.session
    have = s.scalar(sa.select(sa.func.count(FundEntry.id))) or 0  # sale income and the like
    remaining = max(0, world.scaled("fund_entries") - have)
    links: dict[int, list[int]] = {}
    for project_id, campaign_id in s.execute(
            sa.select(project_campaign.c.project_id, project_campaign.c.campaign_id)
            .order_by(project_campaign.c.project_id, project_campaign.c.campaign_id)):
        links.setdefault(project_id, []).append(campaign_id)
    weights = [world.rng.uniform(0.5, 1.5) for _ in world.orgs]
    shares = [int(remaining * w / sum(weights)) for w in weights]
    for i in range(remaining - sum(shares)):
        shares[i % len(shares)] += 1
    for org, n in zip(world.orgs, shares):
        _OrgLedger(world, org, links).write(n)
        _noncash(world, org)


class _OrgLedger:
    def __init__(self, world: World, org: Org, links: dict[int, list[int]]):
        self.world, self.org, self.rng = world, org, world.rng
        self.yesterday = world.today - dt.timedelta(days=1)
        self.links = links
        self.donors = {row.id: row for row in world.session.execute(
            sa.select(Donor.id, Donor.name, Donor.kind, Donor.id_code)
            .where(Donor.organization_id == org.id).order_by(Donor.id))}
        self.donor_ids = [d for d in org.donors if d in self.donors]
        self.campaigns = [c for c in org.campaigns if c.start <= self.yesterday]
        self.projects = [p for p in org.projects if p.start <= self.yesterday]
        self.vouchers: dict[str, int] = {}

    # --- planning ---------------------------------------------------------------------------

    def _last(self, subject) -> dt.date:
        return min(subject.end or self.yesterday, self.yesterday)

    def income(self, day: dt.date | None = None, campaign_ok: bool = True) -> dict:
        rng, org = self.rng, self.org
        campaign = None
        if day is None and campaign_ok and self.campaigns and rng.random() < 0.7:
            campaign = rng.choice(self.campaigns)
            day = self.world.day(campaign.start, self._last(campaign))
        day = day or self.world.day()
        fund = {"campaign_id": campaign.id if campaign else None}
        if rng.random() < 0.05:
            activity = rng.choice(list(Activity)).value
            label = ACTIVITY_LABEL[activity]
            return _entry(org, "activity_income", day, _cents(rng.randint(50000, 2000000)),
                          self.world.moment(day), activity=activity,
                          channel=rng.choice(["cash", "wechat", None]),
                          counterparty=f"社区{label}活动", purpose=f"{label}所得善款", **fund)
        if not self.donor_ids or rng.random() < 0.15:
            amount = _yuan(rng.choice([10, 20, 50, 100, 100, 200, 500]))
            return _entry(org, "donation", day, amount, self.world.moment(day),
                          counterparty=ANONYMOUS_NAME, channel=rng.choice(["cash", "wechat"]),
                          **fund)
        # Regular givers: the first donors of the list come back more often.
        donor = self.donors[self.donor_ids[int(len(self.donor_ids) * rng.random() ** 2)]]
        if donor.kind == "organization":
            amount = _yuan(rng.choice([5000, 10000, 20000, 50000, 100000, 200000]))
            channel = "bank_transfer"
        else:
            amount = _yuan(rng.choice([10, 20, 50, 100, 100, 200, 200, 500, 1000, 2000]))
            if rng.random() < 0.3:
                amount = _cents(rng.randint(1000, 200000))
            channel = rng.choices(["wechat", "alipay", "cash", "bank_transfer"],
                                  [35, 25, 25, 15])[0]
        return _entry(org, "donation", day, amount, self.world.moment(day), donor_id=donor.id,
                      counterparty=donor.name, channel=channel,
                      restricted=campaign is not None and rng.random() < 0.1, **fund)

    def spending(self) -> dict:
        """A wished-for spending: its amount is settled in the replay, against its fund."""
        rng, org = self.rng, self.org
        roll = rng.random()
        if roll < 0.7 and self.projects:
            project = rng.choice(self.projects)
            day = self.world.day(project.start, self._last(project))
            use = rng.choice(PROJECT_USES)
            funded = self.links.get(project.id, [])
            campaign_id = rng.choice(funded) if funded and rng.random() < 0.65 else None
            month = f"{day:%Y%m}"
            self.vouchers[month] = self.vouchers.get(month, 0) + 1
            return _entry(org, "project_spending", day, None, self.world.moment(day),
                          project_id=project.id, campaign_id=campaign_id,
                          purpose=use, counterparty=f"{org.city[:2]}{rng.choice(PAYEES)}",
                          voucher_no=f"PZ{month}-{org.id:03d}{self.vouchers[month]:04d}")
        if roll < 0.9 or not self.campaigns:
            day = self.world.day()
            return _entry(org, "other_spending", day, None, self.world.moment(day),
                          purpose=rng.choice(OTHER_USES))
        campaign = rng.choice(self.campaigns)
        day = self.world.day(campaign.start, self._last(campaign))
        return _entry(org, "fundraising_cost", day, None, self.world.moment(day),
                      campaign_id=campaign.id, purpose=rng.choice(FUNDRAISING_USES))

    def correction(self, original: dict) -> tuple[dict, dict]:
        """A reversal of a named donation and its replacement, a few hours later the same
        day. The replacement is never smaller, so no fund drops below zero."""
        rng = self.rng
        at = original["posted_at"] + dt.timedelta(minutes=rng.randint(30, 240))
        if rng.random() < 0.5:
            reason, fix = "金额录入错误，少录一位", {"amount": original["amount"] * 10}
        else:
            other = [c for c in CHANNEL_LABEL if c != original["channel"]]
            reason, fix = "收款渠道录入错误", {"channel": rng.choice(other)}
        reversal = dict(original, amount=-original["amount"], posted_at=at,
                        reverses_id=original, correction_reason=reason, receipt_id=None)
        replacement = dict(original, posted_at=at + dt.timedelta(minutes=1),
                           replaces_id=original, correction_reason=reason, note=reason,
                           receipt_id=None, **fix)
        return reversal, replacement

    # --- replay -----------------------------------------------------------------------------

    def plan(self, n: int) -> list[dict]:
        rng = self.rng
        n_corr = int(n * CORRECTION_SHARE + rng.random()) if n >= 100 else 0
        n_spend = round(n * SPEND_SHARE)
        n_income = n - 2 * n_corr - n_spend
        incomes = [self.income() for _ in range(n_income)]
        named = [e for e in incomes if e["kind"] == "donation" and e["donor_id"]]
        events = incomes + [self.spending() for _ in range(n_spend)]
        for original in rng.sample(named, min(n_corr, len(named))):
            events.extend(self.correction(original))
        # Shortfall (too few named donations to correct): more plain donations.
        events += [self.income(campaign_ok=False) for _ in range(n - len(events))]
        order = {id(e): i for i, e in enumerate(events)}
        events.sort(key=lambda e: (e["posted_at"], order[id(e)]))
        fund: dict[int | None, Decimal] = {}
        out, dropped = [], set()
        for e in events:
            original = e["reverses_id"] or e["replaces_id"]
            if original is not None and (id(original) in dropped or (
                    e["reverses_id"] and fund[e["campaign_id"]] < original["amount"])):
                # Spending since has used the money: the real service refuses the
                # reversal, so this correction becomes a plain donation (count kept).
                dropped.add(id(original))
                e = self.income(day=e["entry_date"], campaign_ok=False)
            if e["amount"] is not None:
                fund[e["campaign_id"]] = fund.get(e["campaign_id"], Decimal(0)) + e["amount"]
                out.append(e)
                continue
            if e["campaign_id"] is not None and fund.get(e["campaign_id"], 0) < 100:
                e["campaign_id"] = None  # the campaign has too little yet: the general fund
            left = fund.get(e["campaign_id"], Decimal(0))
            if left < 100:
                e = self.income(day=e["entry_date"], campaign_ok=False)
                fund[None] = fund.get(None, Decimal(0)) + e["amount"]
                out.append(e)
                continue
            cap = Decimal(CAPS[e["kind"]] * rng.randint(20, 100)) / 100
            amount = min(left * rng.randint(10, 60) / 100, cap)
            e["amount"] = max(_yuan(amount), CENT)
            fund[e["campaign_id"]] = left - e["amount"]
            out.append(e)
        return out

    def write(self, n: int) -> None:
        world = self.world
        entries = self.plan(n)
        ids = world.ids.take(FundEntry.__table__, len(entries))
        for entry_id, e in zip(ids, entries):
            e["id"] = entry_id
        for e in entries:  # the links were to the original's dict: now to its id
            for key in ("reverses_id", "replaces_id"):
                if isinstance(e[key], dict):
                    e[key] = e[key]["id"]
        receipts, lines = self.receipts(entries)
        insert(world.session, Receipt.__table__, receipts)
        insert(world.session, ReceiptLine.__table__, lines)
        insert(world.session, FundEntry.__table__, entries)
        world.add("fund_entries", len(entries))
        world.add("receipts", len(receipts))

    # --- receipts ---------------------------------------------------------------------------

    def receipts(self, entries: list[dict]) -> tuple[list[dict], list[dict]]:
        """Receipts of ~60 % of named donations, numbered gap-free per year in posting
        order after any number already taken; a corrected donation's receipt is voided and
        its replacement gets a new one, as `reverse_entry` does."""
        world, org, rng = self.world, self.org, self.rng
        s = world.session
        last = dict(s.execute(sa.select(ReceiptSequence.year, ReceiptSequence.last_seq)
                              .where(ReceiptSequence.organization_id == org.id)).all())
        stored = set(last)
        for year, seq in s.execute(sa.select(Receipt.year, sa.func.max(Receipt.seq))
                                   .where(Receipt.organization_id == org.id)
                                   .group_by(Receipt.year)):
            last[year] = max(last.get(year, 0), seq or 0)
        receipts, lines = [], []
        receipt_of: dict[int, dict] = {}
        for e in entries:
            if e["reverses_id"] is not None:
                voided = receipt_of.get(e["reverses_id"])
                if voided is not None:
                    voided.update(status="voided", void_reason=f"冲正：{e['correction_reason']}",
                                  voided_at=e["posted_at"], voided_by_id=org.manager_id)
                continue
            if e["kind"] != "donation" or e["donor_id"] is None:
                continue
            if e["replaces_id"] is not None:
                if e["replaces_id"] not in receipt_of:
                    continue
            elif rng.random() >= RECEIPT_SHARE:
                continue
            year = e["entry_date"].year
            last[year] = last.get(year, 0) + 1
            donor = self.donors[e["donor_id"]]
            receipt = {
                "id": world.ids.one(Receipt.__table__), "organization_id": org.id,
                "year": year, "seq": last[year], "number": format_number(year, last[year]),
                "check_code": "".join(rng.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH)),
                "kind": "money", "donor_id": donor.id, "payer_name": donor.name,
                "payer_code": donor.id_code or "", "issued_on": e["entry_date"],
                "issued_at": e["posted_at"], "issued_by_id": org.manager_id, "handler": "财务室",
                "total": e["amount"], "status": "issued", "void_reason": "", "voided_at": None,
                "voided_by_id": None}
            receipts.append(receipt)
            receipt_of[e["id"]] = receipt
            lines.append({"id": world.ids.one(ReceiptLine.__table__), "receipt_id": receipt["id"],
                          "item": f"货币捐赠（{CHANNEL_LABEL[e['channel']]}）", "unit": "元",
                          "quantity": Decimal(1), "unit_value": None, "amount": e["amount"]})
            e["receipt_id"] = receipt["id"]
        table = ReceiptSequence.__table__
        for year in sorted(last):
            if year in stored:
                s.execute(table.update().where(table.c.organization_id == org.id,
                                               table.c.year == year).values(last_seq=last[year]))
            else:
                s.execute(table.insert().values(organization_id=org.id, year=year,
                                                last_seq=last[year]))
        return receipts, lines


def _noncash(world: World, org: Org) -> None:
    """Two gifts of property other than money or goods per organisation (no receipt)."""
    rows = []
    for gift_id in world.ids.take(NonCashGift.__table__, 2):
        ptype, text, basis, value = world.rng.choice(NONCASH)
        day = world.day()
        rows.append({"id": gift_id, "organization_id": org.id,
                     "donor_id": world.rng.choice(org.donors) if org.donors else None,
                     "campaign_id": None, "project_id": None, "property_type": ptype,
                     "description": text, "valuation_basis": basis, "value": value,
                     "received_on": day, "receipt_id": None, "posted_by_id": org.manager_id,
                     "posted_at": world.moment(day)})
    world.add("noncash_gifts", insert(world.session, NonCashGift.__table__, rows))
