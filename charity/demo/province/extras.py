"""The rest of the province: complaints through their whole life, micro-wishes, volunteers
and their shifts. Contact details are fictitious (1390000xxxx, example.org) and stay in the
private columns the real services use; nothing here is shown publicly except counts.
"""
from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from charity.complaints import rules
from charity.complaints.calendar import enter_official, load_calendar
from charity.complaints.models import (Complaint, ComplaintCategory, ComplaintChannel,
                                       ComplaintStatus as S, Satisfaction)
from charity.demo.wishes import WISHES
from charity.goods.models import Intake, ItemCategory
from charity.people.models import ServiceType, Shift, Volunteer
from charity.demo.province.bulk import insert
from charity.demo.province.world import Org, World
from charity.wishes.models import Wish
from charity.wishes.services import REF_ALPHABET

# Categories beside the online defaults, so every channel has complaints.
EXTRA_CATEGORIES = [("设施管理", ComplaintChannel.WORK_ORDER), ("市容环卫", ComplaintChannel.WORK_ORDER),
                    ("公共事业", ComplaintChannel.HOTLINE), ("经济综合", ComplaintChannel.HOTLINE)]
CALLBACK_RATINGS = (Satisfaction.SATISFIED,) * 6 + (Satisfaction.FAIRLY,) * 3 + (
    Satisfaction.DISSATISFIED,)
SUBJECTS = {
    "物资去向": ["捐赠的冬衣发放到哪里了？", "捐的米面油去向不明", "想知道捐赠物资发给了哪些家庭"],
    "善款使用": ["募捐活动的支出明细在哪里看？", "善款使用情况未及时公布", "项目支出与计划不符"],
    "信息公开": ["年度工作报告没有按时公开", "募捐活动结束后未公开结果", "网站公开信息更新不及时"],
    "服务态度": ["捐助站值班人员态度不好", "慈善超市工作人员解释不清", "电话咨询无人接听"],
    "设施管理": ["慈善超市门口照明灯不亮", "捐助站无障碍坡道损坏"],
    "市容环卫": ["慈善超市周边乱堆放杂物", "捐助站旁垃圾清运不及时"],
    "公共事业": ["捐助站停水影响物资清洗", "社区服务中心供暖不足"],
    "经济综合": ["询问慈善超市义卖价格标准", "咨询捐赠票据开具流程"],
}
GENERIC = ["对慈善超市服务的意见", "对捐助站工作的建议"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
DISPATCH_NOTE = "请所在站点核实处理，按期反馈。"
HANDLING = "已到现场核实，情况已处理并记录。"
ANSWER = "您好，您反映的问题已核实处理，相关情况已在本会网站公开。感谢您的监督。"
# Hours each step takes after the previous one (low, high).
STEP_HOURS = {S.ACCEPTED: (1, 20), S.DISPATCHED: (4, 40), S.HANDLED: (24, 120),
              S.ANSWERED: (12, 150), S.CLOSED: (12, 100)}
VOLUNTEERS_PER_ORG = 10
SHIFTS = 2000  # in the whole province, scaled by the factor
COMMUNITIES = ["第1社区", "第2社区", "第3社区", "第4社区"]


def generate_extras(world: World) -> None:
    _complaints(world)
    _wishes(world)
    _volunteers(world)


def _fake_contact(world: World) -> tuple[str, str]:
    rng = world.rng
    return (rng.choice(SURNAMES) + rng.choice(["女士", "先生"]),
            f"1390000{rng.randint(0, 9999):04d}")


def _categories(world: World, org: Org) -> list[tuple[int, str, str]]:
    """The organisation's categories: those it has, else its defaults (as
    `ensure_default_categories` makes them) plus a work-order and a hotline pair."""
    s = world.session
    have = s.execute(sa.select(ComplaintCategory.id, ComplaintCategory.name,
                               ComplaintCategory.channel, ComplaintCategory.active)
                     .where(ComplaintCategory.organization_id == org.id)
                     .order_by(ComplaintCategory.id)).all()
    if have:
        usable = [row for row in have if row.active] or have
        return [(row.id, row.name, ComplaintChannel(row.channel).value) for row in usable]
    specs = [(name, ComplaintChannel.ONLINE) for name in rules.DEFAULT_CATEGORIES]
    specs += EXTRA_CATEGORIES
    rows = [{"id": cid, "organization_id": org.id, "name": name, "channel": channel.value,
             "active": True, "sort_order": i if i < len(rules.DEFAULT_CATEGORIES) else 100 + i,
             "created_at": world.moment(world.day())}
            for i, (cid, (name, channel)) in enumerate(
                zip(world.ids.take(ComplaintCategory.__table__, len(specs)), specs))]
    world.add("complaint_categories", insert(s, ComplaintCategory.__table__, rows))
    return [(row["id"], row["name"], row["channel"]) for row in rows]


def _complaints(world: World) -> None:
    s, rng = world.session, world.rng
    now = dt.datetime.combine(world.today, dt.time(), dt.timezone.utc)
    taken = set(s.scalars(sa.select(Complaint.tracking_no)))
    enter_official(s)  # the 2026 and 2027 working-day calendars
    calendar = load_calendar(s)
    total = world.scaled("complaints")
    per_org = {org.id: total // len(world.orgs) for org in world.orgs}
    for org in world.orgs[:total % len(world.orgs)]:
        per_org[org.id] += 1

    def rows():
        for org in world.orgs:
            categories = _categories(world, org)
            for cid in world.ids.take(Complaint.__table__, per_org[org.id]):
                yield _complaint(world, org, cid, rng.choice(categories), now, taken,
                                 calendar)

    world.add("complaints", insert(s, Complaint.__table__, rows()))


def _complaint(world, org, cid, category, now, taken, calendar) -> dict:
    rng = world.rng
    category_id, category_name, channel = category
    number = ""
    while not number or number in taken:
        number = "".join(rng.choice(rules.TRACKING_ALPHABET)
                         for _ in range(rules.TRACKING_LENGTH))
    taken.add(number)
    day = world.day()
    submitted_at = world.moment(day)
    subject = rng.choice(SUBJECTS.get(category_name, GENERIC))
    # Hotline callers leave a number; only the public form asks for an e-mail.
    name, phone = (_fake_contact(world) if channel == "hotline" or rng.random() < 0.6
                   else ("", ""))
    email = (f"feedback{rng.randint(0, 9999):04d}@example.org"
             if name and channel == "online" and rng.random() < 0.3 else "")
    row = {"id": cid, "organization_id": org.id, "category_id": category_id,
           "tracking_no": number, "subject": subject,
           "description": f"{subject}。希望尽快核实并答复。", "contact_name": name,
           "contact_phone": phone, "contact_email": email, "attachment_stored_name": None,
           "attachment_name": "", "attachment_mime": "", "attachment_size": None,
           "attachment_sha256": "", "address_hash": None, "status": S.SUBMITTED.value,
           "submitted_at": submitted_at, "submitted_on": day, **rules.deadlines(day, calendar),
           "assignee_id": None, "point_id": None, "dispatch_note": "", "handling_note": "",
           "answer": ""}
    for step in rules.STEPS:
        at_column, by_column = rules.STAMPS[step]
        row[at_column] = row[by_column] = None
    # Most move on in time; some are slow (late steps), a few stall (open, later overdue).
    slow = 2.5 if rng.random() < 0.12 else 1
    stall = rng.choice(rules.ORDER[:-1]) if rng.random() < 0.04 else None
    at = submitted_at
    for step in rules.STEPS:
        if rules.ORDER[rules.ORDER.index(step) - 1] == stall:
            break
        low, high = STEP_HOURS[step]
        at = at + dt.timedelta(minutes=int(rng.randint(low * 60, high * 60) * slow))
        if at >= now:
            break
        at_column, by_column = rules.STAMPS[step]
        row[at_column], row[by_column] = at, org.manager_id
        row["status"] = step.value
        if step == S.DISPATCHED:
            if org.points and rng.random() < 0.7:
                row["point_id"] = rng.choice(org.points)
            else:
                row["assignee_id"] = org.manager_id
            row["dispatch_note"] = DISPATCH_NOTE
        elif step == S.HANDLED:
            row["handling_note"] = HANDLING
        elif step == S.ANSWERED:
            row["answer"] = ANSWER
    return _call_back(row, cid)


def _call_back(row: dict, cid: int) -> dict:
    """Most closed complaints were called back, mostly content (a generator of its own, so
    the rest of the province stays as it was)."""
    draw = random.Random(f"callback-{cid}")
    called = row["status"] == S.CLOSED.value and draw.random() < 0.8
    row["rating"] = draw.choice(CALLBACK_RATINGS).value if called else None
    row["rated_at"] = row["answered_at"] if called else None
    row["reopen_count"] = 0
    return row


def _wishes(world: World) -> None:
    """Six micro-wishes per organisation: open, claimed, fulfilled by one of its intakes,
    cancelled."""
    s, rng = world.session, world.rng
    now = dt.datetime.combine(world.today, dt.time(), dt.timezone.utc)
    cats = dict(s.execute(sa.select(ItemCategory.code, ItemCategory.id)).all())
    refs = set(s.scalars(sa.select(Wish.claim_ref).where(Wish.claim_ref.is_not(None))))
    rows = []
    for org in world.orgs:
        intakes = s.execute(sa.select(Intake.id, Intake.point_id, Intake.received_on).where(
            Intake.organization_id == org.id, Intake.status == "posted",
            Intake.received_on < world.today).order_by(Intake.id.desc()).limit(5)).all()
        for n, wish_id in enumerate(world.ids.take(Wish.__table__, 6)):
            _point, what, tag, age, cat, qty, unit, *_ = WISHES[(org.id + n) % len(WISHES)]
            fate = ["open", "open", "claimed", "fulfilled", "fulfilled", "cancelled"][n]
            if fate == "fulfilled" and not intakes:
                fate = "open"
            intake = intakes[n % len(intakes)] if fate == "fulfilled" else None
            if intake is not None:
                created = world.moment(intake.received_on - dt.timedelta(days=rng.randint(3, 30)))
            else:
                created = world.moment(world.day(world.today - dt.timedelta(days=60)))
            row = {"id": wish_id, "organization_id": org.id,
                   "point_id": intake.point_id if intake else (
                       rng.choice(org.points) if org.points else None),
                   "what": what, "tag": tag, "age": age, "category_id": cats.get(cat),
                   "quantity": qty, "unit": unit,
                   "beneficiary_id": rng.choice(org.beneficiaries) if org.beneficiaries else None,
                   "note": "", "status": fate, "created_at": created,
                   "created_by_id": org.manager_id, "claim_ref": None, "claimant_name": "",
                   "claimant_phone": "", "claimed_at": None, "released_at": None,
                   "released_by_id": None, "release_reason": "", "fulfilled_at": None,
                   "fulfilled_by_id": None, "intake_id": None, "cancelled_at": None,
                   "cancelled_by_id": None, "cancel_reason": ""}
            later = min(created + dt.timedelta(hours=rng.randint(2, 72)),
                        now - dt.timedelta(minutes=5))
            if fate == "claimed":
                ref = ""
                while not ref or ref in refs:
                    ref = "W" + "".join(rng.choice(REF_ALPHABET) for _ in range(7))
                refs.add(ref)
                name, phone = _fake_contact(world)
                row.update(claim_ref=ref, claimant_name=name, claimant_phone=phone,
                           claimed_at=later)
            elif fate == "fulfilled":
                row.update(intake_id=intake.id, fulfilled_by_id=org.manager_id,
                           fulfilled_at=world.moment(intake.received_on) + dt.timedelta(hours=1))
            elif fate == "cancelled":
                row.update(cancelled_at=later, cancelled_by_id=org.manager_id,
                           cancel_reason="受助家庭已搬离本社区")
            rows.append(row)
    world.add("wishes", insert(s, Wish.__table__, rows))


def _volunteers(world: World) -> None:
    s, rng = world.session, world.rng
    types = [t.value for t in ServiceType]
    volunteers, shifts, busy = [], [], set()
    roster: list[tuple[Org, int, list[str]]] = []
    for org in world.orgs:
        for vid in world.ids.take(Volunteer.__table__, VOLUNTEERS_PER_ORG):
            served = sorted(rng.sample(types, rng.randint(1, 3)))
            volunteers.append({
                "id": vid, "organization_id": org.id, "user_id": None,
                "name": "志愿者" + rng.choice(SURNAMES) + rng.choice("甲乙丙丁戊"),
                "phone": f"1390000{rng.randint(0, 9999):04d}",
                "community": rng.choice(org.districts) + rng.choice(COMMUNITIES),
                "party_member": rng.random() < 0.4, "service_types": served, "active": True,
                "created_at": world.moment(world.day())})
            roster.append((org, vid, served))
    n_shifts = max(1, round(SHIFTS * world.factor))
    while len(shifts) < n_shifts:
        org, vid, served = rng.choice(roster)
        day = world.day()
        if (vid, day) in busy:  # one shift a day: shifts of a volunteer never overlap
            continue
        busy.add((vid, day))
        start = world.moment(day)
        shifts.append({"id": world.ids.one(Shift.__table__), "volunteer_id": vid,
                       "point_id": rng.choice(org.points) if org.points else None,
                       "service_type": rng.choice(served), "signed_in_at": start,
                       "signed_out_at": start + dt.timedelta(minutes=rng.randint(60, 360)),
                       "note": ""})
    world.add("volunteers", insert(s, Volunteer.__table__, volunteers))
    world.add("shifts", insert(s, Shift.__table__, shifts))
