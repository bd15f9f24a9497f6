"""Demo goods: a catalogue, a year of intake at every point, households with fake but
well-formed ID numbers, distributions, sales, transfers, a weekly check that writes off
expired food, a stocktake, volunteers and shifts. Everything goes through the services, so
the demo keeps their rules: no expired food is handed out, sold or transferred.
Deterministic; skipped entirely when the catalogue already exists (idempotent)."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.funds.models import Campaign, CampaignStatus, Project
from charity.goods import services as documents
from charity.goods.services import distributions as distribution, intake
from charity.goods.services.catalogue import add_refused_good, create_item_type
from charity.goods.services.expiry import write_off_expired
from charity.goods.models import ItemCategory, ItemType, StockTarget
from charity.orgs.models import CharityPoint
from charity.people import beneficiaries, volunteers
from charity.people.identity import make_id
from charity.people.models import Donor
from charity.core.system import system_actor
from charity.auth.models import User
from charity.core.roles import Role
from charity.demo.money import demo_manager

# name, category code, unit, fair value, points, sale price, perishable, monthly limit
ITEMS = [
    ("棉衣", "clothing", "件", "60", 30, "25", False, "2"), ("羽绒服", "clothing", "件", "120", 50, "45", False, "1"),
    ("毛衣", "clothing", "件", "35", 15, "15", False, None), ("儿童外套", "clothing", "件", "40", 15, "18", False, None),
    ("棉鞋", "clothing", "双", "30", 12, "12", False, None), ("围巾手套套装", "clothing", "套", "20", 8, "8", False, None),
    ("大米 10kg", "food", "袋", "55", 25, None, True, "2"), ("面粉 10kg", "food", "袋", "45", 20, None, True, "2"),
    ("食用油 5L", "food", "桶", "65", 30, None, True, "1"), ("挂面", "food", "包", "6", 3, None, True, None),
    ("牛奶", "food", "箱", "50", 20, None, True, None),
    ("洗衣液", "household", "瓶", "25", 10, "10", False, None), ("毛巾", "household", "条", "10", 4, "4", False, None),
    ("棉被", "household", "床", "90", 40, "35", False, "1"), ("暖水瓶", "household", "个", "25", 10, "10", False, None),
    ("电暖器", "appliances", "台", "150", 60, "60", False, "1"), ("电饭煲", "appliances", "台", "120", 50, "50", False, None),
    ("书包", "books", "个", "40", 15, "15", False, None), ("课外书", "books", "本", "12", 4, "5", False, None),
    ("文具套装", "books", "套", "18", 6, "6", False, None),
    ("婴儿纸尿裤", "baby", "包", "45", 20, None, False, None), ("奶瓶", "baby", "个", "20", 8, "8", False, None),
    ("拐杖", "elderly_disabled", "副", "60", 20, "25", False, None), ("轮椅", "elderly_disabled", "辆", "400", 100, None, False, None),
]
REFUSED = [("药品", "药品须经专业机构处置，慈善超市不接收"), ("已开封食品", "食品安全：只接收未开封且在保质期内的食品"),
           ("破损电器", "存在安全隐患"), ("内衣袜子（旧）", "卫生原因不接收旧贴身衣物")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "建国", "志强", "玉兰", "明", "文", "海燕", "国庆", "淑珍", "小红", "子涵", "宇轩",
         "金花", "德福", "永红", "春梅", "俊杰", "雨桐", "占山"]
CATS = ["solitary_elderly", "empty_nest_elderly", "left_behind_child", "disabled", "dibao", "tekun",
        "temporary"]


def load_goods_demo(session: Session, org) -> None:
    if session.scalar(sa.select(ItemType.id).where(ItemType.organization_id == org.id).limit(1)):
        return
    actor = system_actor()
    today = org_today(org)
    rng = random.Random(4)
    cats = {c.code: c.id for c in session.scalars(sa.select(ItemCategory))}
    items = []
    for name, cat, unit, value, points, price, perishable, limit in ITEMS:
        items.append(create_item_type(actor, session, org, {
            "name": name, "category_id": cats[cat], "unit": unit,
            "default_fair_value": Decimal(value), "point_price": points,
            "sale_price": Decimal(price) if price else None, "perishable": perishable,
            "monthly_limit": Decimal(limit) if limit else None}))
    for name, reason in REFUSED:
        add_refused_good(actor, session, org, name, reason)
    points = list(session.scalars(sa.select(CharityPoint).where(
        CharityPoint.organization_id == org.id).order_by(CharityPoint.id)))
    for point in points:
        for item in items[:12]:
            session.add(StockTarget(point_id=point.id, item_type_id=item.id,
                                    wanted=Decimal(rng.choice([10, 20, 30]))))
    donors = list(session.scalars(sa.select(Donor).where(Donor.organization_id == org.id)))
    households = []
    for i in range(36):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        households.append(beneficiaries.register(actor, session, org, {
            "name": name, "categories": rng.sample(CATS, rng.choice([1, 1, 2])),
            "members": rng.randint(1, 5),
            "community": rng.choice([p.community for p in points if p.community] or ["社区"]),
            "phone": f"139{rng.randint(10000000, 99999999)}",
            "address": f"城关区{rng.choice(['张掖路', '雁滩路', '东岗西路', '皋兰路'])}{rng.randint(1, 300)}号",
            "id_number": make_id(f"620102{rng.randint(1940, 2015)}{rng.randint(1, 12):02d}"
                                 f"{rng.randint(1, 28):02d}{i:03d}"),
            "certified_until": today + dt.timedelta(days=rng.choice([-20, 10, 25, 90, 200, 300])),
            "monthly_points": rng.choice([60, 80, 100, 150]), "consent_on": today,
            "consent_note": "本人签字同意登记，信息仅用于救助"}))
    winter = session.scalar(sa.select(Project).where(Project.organization_id == org.id,
                                                     Project.name == "冬季送温暖物资发放"))
    # Goods collected for the winter campaign, so its public page shows them (every third day
    # while it runs; no draw from `rng`, so the rest of the demo stays as it was).
    winter_drive = session.scalar(sa.select(Campaign).where(
        Campaign.organization_id == org.id, Campaign.name == "2026年冬季送温暖募捐",
        Campaign.status == CampaignStatus.ACTIVE))
    # The person at the counter (a volunteer of the point, else the manager) takes the goods
    # in and is the receipt's handler (收款人), not "system".
    manager = demo_manager(session, org) or actor
    counter_staff = {pid: user for user in session.scalars(sa.select(User).where(
        User.organization_id == org.id, User.role == Role.VOLUNTEER).order_by(User.id.desc()))
        for pid in user.point_ids}
    start = today - dt.timedelta(days=360)
    day = start
    while day <= today:
        for point in points:
            if rng.random() < 0.45:  # intake
                lines = []
                for item in rng.sample(items, rng.randint(1, 3)):
                    line = {"item_type_id": item.id, "quantity": str(rng.randint(1, 8)),
                            "condition": rng.choice(["new", "good", "usable"]),
                            "valuation_basis": "参照同类二手商品市场价"}
                    if item.perishable:
                        line.update(expiry_date=day + dt.timedelta(days=rng.randint(20, 300)),
                                    inspected=True, production_date=day - dt.timedelta(days=10))
                    lines.append(line)
                donor = rng.choice(donors + [None] * 3) if donors else None
                drive = winter_drive if (winter_drive and day.day % 3 == 0
                                         and day >= winter_drive.planned_start) else None
                intake.post_intake(counter_staff.get(point.id, manager), session, point, {
                    "received_on": day, "lines": lines, "donor_id": donor.id if donor else None,
                    "campaign_id": drive.id if drive else None,
                    "with_receipt": donor is not None and rng.random() < 0.5}, today=today)
            if rng.random() < 0.35:  # distribution
                hh = rng.choice(households)
                item = rng.choice(items)
                try:
                    # A refusal (out of stock, found after the document was written) leaves
                    # nothing behind, as the request's rollback does: no empty distribution.
                    with session.begin_nested():
                        distribution.post_distribution(actor, session, point, {
                            "beneficiary_id": hh.id, "distributed_on": day,
                            "project_id": winter.id if winter and day >= winter.planned_start
                            and point.kind.value == "supermarket" else None,
                            "lines": [{"item_type_id": item.id, "quantity": "1"}]}, today=today)
                except ValidationFailed:
                    pass  # not in stock, points spent, limit reached, certification lapsed
            if point.kind.value == "supermarket" and rng.random() < 0.2:  # sale
                item = rng.choice([i for i in items if i.sale_price])
                try:
                    with session.begin_nested():  # a refusal leaves no empty sale behind
                        documents.post_sale(actor, session, point, {
                            "sold_on": day,
                            "payment_method": rng.choice(["cash", "wechat", "alipay"]),
                            "lines": [{"item_type_id": item.id, "quantity": "1"}]},
                            today=today)
                except ValidationFailed:
                    pass
        if day.weekday() == 0:  # the weekly check: expired food off the shelf, written off
            for point in points:
                try:
                    write_off_expired(actor, session, point, today=day)
                except ValidationFailed:
                    pass  # nothing expired there
        if day.day == 10 and len(points) > 1:  # monthly transfer from a station to a supermarket
            src, dst = points[3 % len(points)], points[0]
            item = rng.choice(items[:6])
            try:
                with session.begin_nested():  # nor an empty transfer
                    t = documents.send_transfer(actor, session, src, {
                        "to_point_id": dst.id, "sent_on": day,
                        "lines": [{"item_type_id": item.id, "quantity": "2"}]}, today=today)
                    line = t.lines[0]
                    lost = rng.random() < 0.2
                    documents.receive_transfer(actor, session, t, {line.id: {
                        "quantity": str(line.quantity_sent - (1 if lost else 0)),
                        "loss_reason": "运输途中污损" if lost else ""}}, today=today)
            except ValidationFailed:
                pass
        day += dt.timedelta(days=1)
    st = documents.start_stocktake(actor, session, points[0], category_id=cats["clothing"],
                                   today=today)
    if st.lines:
        documents.set_counts(actor, session, st, {st.lines[0].id: str(
            max(0, int(st.lines[0].counted) - 1))})
    documents.submit_stocktake(actor, session, st)
    documents.approve_stocktake(actor, session, st, today=today)
    _volunteers(session, org, points, rng, today)
    session.flush()


def _volunteers(session, org, points, rng, today):
    actor = system_actor()
    people = []
    for i in range(24):
        people.append(volunteers.create_volunteer(actor, session, org, {
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "community": rng.choice([p.community for p in points if p.community]),
            "party_member": i % 2 == 0,
            "service_types": rng.sample(["culture_sport", "legal", "counselling", "health",
                                         "supermarket"], 2)}))
    for v in people:
        if rng.random() < 0.8:
            for _ in range(rng.randint(1, 6)):
                day = today - dt.timedelta(days=rng.randint(1, 300))
                start = dt.datetime(day.year, day.month, day.day, 1, 0, tzinfo=dt.timezone.utc)
                shift = volunteers.sign_in(actor, session, v, rng.choice(points),
                                           rng.choice(v.service_types), at=start)
                volunteers.sign_out(actor, session, shift,
                                    at=start + dt.timedelta(hours=rng.choice([2, 3, 4])))
