"""Demo money: campaigns (short, long, ended), projects (one open-ended supermarket programme),
donors with mixed consent, and a year of ledger entries. Deterministic and idempotent: a
campaign that already exists is left alone, and so are its entries."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.clock import org_today
from charity.auth.models import User
from charity.core.roles import Role
from charity.core.system import system_actor
from charity.orgs import uscc
from charity.funds.models import Campaign, Project, ProjectPoint
from charity.funds.services import campaigns as cs
from charity.funds.services import ledger
from charity.funds.services.project_points import attach_point
from charity.orgs.models import CharityPoint
from charity.people.models import Donor
from charity.people.services import create_donor

# Companies' unified social credit codes (GB 32100-2015 check character computed), printed
# on their receipts (财综〔2024〕1号 Art. 6).
CREDIT_CODES = {"兰州银行城关支行": uscc.make("91620102MA73Q5KD2"),
                "甘肃陇原建设有限公司": uscc.make("91620100MA71L8HW5")}

DONORS = [
    # name, kind, phone, consent to publish the name
    ("兰州银行城关支行", "organization", "0931-8800001", True),
    ("甘肃陇原建设有限公司", "organization", "0931-8800002", True),
    ("王建国", "person", "13909310001", True),
    ("刘芳", "person", "13909310002", False),
    ("陈明", "person", "13909310003", True),
    ("赵丽华", "person", "13909310004", False),
    ("马志远", "person", "13909310005", False),
    ("张秀英", "person", "13909310006", True),
    ("李卫东", "person", "13909310007", False),
    ("何静", "person", "13909310008", False),
]

CAMPAIGNS = [
    {"name": "2026年冬季送温暖募捐", "planned_start": dt.date(2026, 3, 1),
     "planned_end": dt.date(2027, 2, 28), "target_amount": Decimal("300000"),
     "purpose": "为城关区困难家庭、孤寡老人筹集冬衣、取暖费和米面油",
     "beneficiaries": "城关区低保、特困家庭和孤寡老人", "intended_use": "采购冬衣、取暖补贴、米面油",
     "goods_wanted": "棉衣、棉被、米面油", "filing_no": "53620102MJ7304215A2026001"},
    {"name": "雁滩社区助学募捐", "planned_start": dt.date(2026, 9, 1),
     "planned_end": dt.date(2026, 12, 31), "target_amount": Decimal("50000"),
     "purpose": "资助雁滩社区留守儿童和困难家庭学生购买学习用品", "beneficiaries": "雁滩社区留守儿童",
     "intended_use": "学习用品、助学金", "goods_wanted": "书包、文具、课外书",
     "filing_no": "53620102MJ7304215A2026002"},
    {"name": "2026年春节慰问募捐", "planned_start": dt.date(2025, 12, 1),
     "planned_end": dt.date(2026, 2, 28), "target_amount": Decimal("80000"),
     "purpose": "春节期间慰问空巢老人和残疾人家庭", "beneficiaries": "空巢老人、残疾人家庭",
     "intended_use": "慰问金和年货", "goods_wanted": "年货礼包",
     "filing_no": "53620102MJ7304215A2025009", "_end": dt.date(2026, 2, 28)},
    # Ended, and its leftover handled as its plan says: moved to the next campaign of the
    # same kind by a posted transfer (its final states the fact; 春节慰问's final states
    # that its leftover is still unhandled).
    {"name": "2025年重阳敬老募捐", "planned_start": dt.date(2025, 9, 1),
     "planned_end": dt.date(2025, 11, 30), "target_amount": Decimal("30000"),
     "purpose": "重阳节期间慰问孤寡老人、空巢老人", "beneficiaries": "孤寡老人、空巢老人",
     "intended_use": "慰问金和敬老礼包", "goods_wanted": "棉衣、保温杯",
     "filing_no": "53620102MJ7304215A2025007", "_end": dt.date(2025, 11, 30),
     "_leftover_to": "2026年春节慰问募捐", "_leftover_on": dt.date(2025, 12, 10)},
]

PROJECTS = [
    {"name": "慈善超市运营", "planned_start": dt.date(2025, 1, 1), "planned_end": None,
     "content": "运营三家慈善超市和两个社会捐助站，接收社会捐赠，为困难家庭提供爱心积分兑换",
     "area": "兰州市城关区", "beneficiary_groups": "低保、特困、临时困难家庭",
     "_campaigns": ["2026年冬季送温暖募捐"]},
    {"name": "冬季送温暖物资发放", "planned_start": dt.date(2026, 10, 1),
     "planned_end": dt.date(2027, 3, 31), "budget": Decimal("250000"),
     "content": "为困难家庭发放冬衣、棉被和取暖补贴", "area": "城关区各街道",
     "beneficiary_groups": "孤寡老人、空巢老人、残疾人", "_campaigns": ["2026年冬季送温暖募捐"]},
    {"name": "留守儿童助学", "planned_start": dt.date(2025, 12, 1),
     "planned_end": dt.date(2026, 12, 31), "budget": Decimal("100000"),
     "content": "为留守儿童发放学习用品和助学金", "area": "雁滩、东岗街道", "beneficiary_groups": "留守儿童",
     "_campaigns": ["雁滩社区助学募捐", "2026年春节慰问募捐"]},
]

PLAN_DEFAULTS = {
    "region": "兰州市城关区", "donation_methods": "银行转账、微信支付、支付宝、慈善超市现场捐赠",
    "bank_account": "中国银行兰州城关支行 1042 0000 0000 1234", "leftover_plan": "结余款物转入下一期同类项目，并向社会公开",
    "responsible_person": "马文静", "contact": "0931-8412345", "cost_budget": Decimal("3000"),
}


def _days(start: dt.date, end: dt.date):
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)


def demo_manager(session: Session, org) -> User | None:
    """The organisation's first manager: the person who posts the demo's money."""
    return session.scalar(sa.select(User).where(User.organization_id == org.id,
                                                User.role == Role.MANAGER).order_by(User.id))


def load_money_demo(session: Session, org) -> None:
    actor = system_actor()
    today = org_today(org)
    rng = random.Random(2026)
    donors = []
    for n, (name, kind, phone, consent) in enumerate(DONORS, start=1):
        donor = session.scalar(sa.select(Donor).where(Donor.organization_id == org.id,
                                                      Donor.name == name))
        donors.append(donor or create_donor(actor, session, org, {
            "name": name, "kind": kind, "phone": phone, "publish_name": consent,
            "id_code": CREDIT_CODES.get(name, ""),
            # Distinct, realistic addresses: the privacy crawl looks for each one.
            "address": f"兰州市城关区{['雁滩路', '东岗西路', '庆阳路', '酒泉路'][n % 4]}"
                       f"{200 + 37 * n}号{n}单元{100 + n}室"}))

    created = {}
    for spec in CAMPAIGNS:
        existing = session.scalar(sa.select(Campaign).where(Campaign.organization_id == org.id,
                                                            Campaign.name == spec["name"]))
        if existing is not None:
            created[spec["name"]] = (existing, False)
            continue
        data = {**PLAN_DEFAULTS, **{k: v for k, v in spec.items() if not k.startswith("_")},
                "filing_date": spec["planned_start"] - dt.timedelta(days=10)}
        campaign = cs.create_campaign(actor, session, org, data, today=spec["planned_start"])
        cs.activate_campaign(actor, session, campaign, today=spec["planned_start"])
        created[spec["name"]] = (campaign, True)

    projects = {}
    for spec in PROJECTS:
        project = session.scalar(sa.select(Project).where(Project.organization_id == org.id,
                                                          Project.name == spec["name"]))
        if project is None:
            data = {k: v for k, v in spec.items() if not k.startswith("_")}
            data["campaign_ids"] = [created[n][0].id for n in spec["_campaigns"]]
            project = cs.create_project(actor, session, org, data)
            cs.activate_project(actor, session, project)
        projects[spec["name"]] = project

    cashier = demo_manager(session, org) or actor
    for spec in CAMPAIGNS:
        campaign, new = created[spec["name"]]
        if new:
            _campaign_history(session, org, campaign, spec, created, projects, donors, rng,
                              today, cashier)
    _attach_supermarkets(session, org, projects["慈善超市运营"])
    session.flush()


def _campaign_history(session: Session, org, campaign: Campaign, spec: dict, created: dict,
                      projects: dict, donors: list, rng: random.Random, today: dt.date,
                      cashier) -> None:
    """A new campaign's ledger: donations on about a third of its days (posted by the
    cashier, the receipts' handler 收款人), project spending on the 28th, a fundraising cost
    each quarter; ended (and its leftover handled) when due."""
    actor = system_actor()
    last = min(today, campaign.planned_end)
    funded = [p for p in projects.values() if campaign in p.campaigns]
    for day in _days(campaign.planned_start, last):
        if rng.random() < 0.35:
            donor = rng.choice(donors + [None, None])
            amount = Decimal(rng.choice([50, 100, 200, 500, 1000, 2000, 5000])) + \
                Decimal(rng.randint(0, 99)) / 100
            ledger.post_donation(cashier, session, org, {
                "kind": "donation", "amount": amount, "entry_date": day,
                "campaign_id": campaign.id, "donor_id": donor.id if donor else None,
                "channel": rng.choice(["cash", "bank_transfer", "wechat", "alipay"]),
                "counterparty": "" if donor else "爱心人士",
            }, with_receipt=donor is not None, today=today)
        if day.day == 28 and funded:
            left = ledger.balance(session, org.id, "campaign", campaign.id).remaining
            spend = (left * Decimal("0.4")).quantize(Decimal("0.01"))
            if spend > 0:
                project = rng.choice(funded)
                ledger.post_entry(actor, session, org, {
                    "kind": "project_spending", "amount": spend, "entry_date": day,
                    "campaign_id": campaign.id, "project_id": project.id,
                    "purpose": f"{project.name}：采购物资", "counterparty": "兰州华联商贸有限公司",
                    "voucher_no": f"PZ{day:%Y%m}-{campaign.id:02d}"}, today=today)
        if day.day == 15 and day.month % 3 == 0 and ledger.balance(
                session, org.id, "campaign", campaign.id).remaining >= Decimal("380"):
            ledger.post_entry(actor, session, org, {
                "kind": "fundraising_cost", "amount": Decimal("380.00"), "entry_date": day,
                "campaign_id": campaign.id, "purpose": "宣传海报印刷", "counterparty": "城关印务",
                "voucher_no": f"FC{day:%Y%m}"}, today=today)
    if spec.get("_end") and spec["_end"] <= today:
        cs.end_campaign(actor, session, campaign, spec["_end"], today=spec["_end"])
        _handle_leftover(session, org, campaign, spec, created, today)


def _handle_leftover(session: Session, org, campaign: Campaign, spec: dict, created: dict,
                     today: dt.date) -> None:
    """Move what an ended campaign has left to the campaign its plan names, if any."""
    if not spec.get("_leftover_to") or spec["_leftover_on"] > today:
        return
    left = ledger.balance(session, org.id, "campaign", campaign.id).remaining
    if left > 0:
        ledger.post_transfer(system_actor(), session, org, from_campaign_id=campaign.id,
                             to_campaign_id=created[spec["_leftover_to"]][0].id, amount=left,
                             entry_date=spec["_leftover_on"],
                             reason=f"结余款转入{spec['_leftover_to']}（下一期同类项目）", today=today)


def _attach_supermarkets(session: Session, org, project: Project) -> None:
    """The supermarkets run the open-ended supermarket project: their hand-outs count there."""
    for point in session.scalars(sa.select(CharityPoint).where(
            CharityPoint.organization_id == org.id, CharityPoint.kind == "supermarket")):
        if not session.scalar(sa.select(ProjectPoint.id).where(
                ProjectPoint.point_id == point.id)):
            attach_point(system_actor(), session, project,
                         {"point_id": point.id, "start_on": project.planned_start,
                          "end_on": None})
