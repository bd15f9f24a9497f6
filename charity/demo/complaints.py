"""Demo data of the complaints feature (issue 6); idempotent like the rest of the demo.

Besides the default categories and a few complaints in them, it loads the seed article's
grid-centre figures as a test of the statistics: 35 work orders (道路交通 8, 环卫环保 1,
公共设施 5, 设施管理 2, 市容环卫 19) and 6 hotline complaints (建设交通 4, 公共事业 1,
经济综合 1), spread over the last six months with various statuses. Each demo complaint has
a fixed tracking number (from a seeded generator), so a second run finds it and adds nothing.
"""
from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.auth.models import User
from charity.core.roles import Role
from charity.core.clock import org_today
from charity.complaints import rules
from charity.complaints.calendar import enter_official, load_calendar
from charity.complaints.categories import ensure_default_categories
from charity.complaints.models import (Complaint, ComplaintCategory, ComplaintChannel,
                                       ComplaintStatus as S, Satisfaction)
from charity.core.db import utcnow
from charity.orgs.models import CharityPoint

DEMO_RATINGS = (Satisfaction.SATISFIED,) * 6 + (Satisfaction.FAIRLY,) * 3 + (
    Satisfaction.DISSATISFIED,)
WORK_ORDERS = {"道路交通": 8, "环卫环保": 1, "公共设施": 5, "设施管理": 2, "市容环卫": 19}
HOTLINE = {"建设交通": 4, "公共事业": 1, "经济综合": 1}

SUBJECTS = {
    "道路交通": "捐助站门前道路占道停车，影响群众送物资", "环卫环保": "捐助站旁垃圾清运不及时",
    "公共设施": "社区服务中心无障碍坡道损坏", "设施管理": "慈善超市门口照明灯不亮",
    "市容环卫": "慈善超市周边乱堆放杂物", "建设交通": "捐助站附近施工围挡影响通行",
    "公共事业": "捐助站停水影响物资清洗", "经济综合": "询问慈善超市义卖价格标准",
}
# (category, subject, description, days ago, final status, contact)
DEFAULT_SET = [
    ("物资去向", "捐赠的冬衣发放到哪里了？", "十一月在张掖路慈善超市捐了两袋冬衣，想知道发给了哪些社区。", 40,
     S.ANSWERED, ("陈女士", "13900001234", "")),
    ("善款使用", "“温暖冬衣”募捐的支出明细", "希望看到募捐款具体采购了哪些物资。", 3, S.SUBMITTED,
     ("", "", "")),
    ("信息公开", "年度报告没有按时公开", "网站上找不到去年的年度工作报告。", 75, S.CLOSED, ("", "", "")),
    ("服务态度", "捐助站值班人员态度不好", "周三上午送物资时，值班人员不耐烦。", 20, S.DISPATCHED,
     ("", "", "")),
]
ANSWER = "您好，已核实处理，相关情况已在本会网站公开。感谢您的监督。"
# Hours after submission at which each step is taken in the demo.
STEP_HOURS = {S.ACCEPTED: 6, S.DISPATCHED: 30, S.HANDLED: 110, S.ANSWERED: 200, S.CLOSED: 260}


def _category(session: Session, org, name: str, channel: ComplaintChannel, order: int):
    category = session.scalar(sa.select(ComplaintCategory).where(
        ComplaintCategory.organization_id == org.id, ComplaintCategory.name == name))
    if category is None:
        category = ComplaintCategory(organization_id=org.id, name=name, channel=channel,
                                     sort_order=order)
        session.add(category)
        session.flush()
    return category


def _plan(rng: random.Random) -> list[tuple[str, ComplaintChannel, int, S]]:
    rows = []
    for channel, figures in ((ComplaintChannel.WORK_ORDER, WORK_ORDERS),
                             (ComplaintChannel.HOTLINE, HOTLINE)):
        for name, count in figures.items():
            for _ in range(count):
                days_ago = rng.randint(2, 175)
                if days_ago > 30:
                    status = S.CLOSED if rng.random() < 0.85 else S.ANSWERED
                else:
                    status = rng.choice(list(S))
                rows.append((name, channel, days_ago, status))
    return rows


def load_complaints_demo(session: Session, org) -> None:
    """Create the demo categories and complaints that are missing."""
    rng = random.Random(f"complaints-demo-{org.uscc}")
    ratings = random.Random(f"complaints-callback-{org.uscc}")  # apart: numbers stay the same
    enter_official(session)  # the 2026 and 2027 working-day calendars
    calendar = load_calendar(session)
    ensure_default_categories(session, org)
    order = 100
    cats = {}
    for channel, figures in ((ComplaintChannel.WORK_ORDER, WORK_ORDERS),
                             (ComplaintChannel.HOTLINE, HOTLINE)):
        for name in figures:
            order += 1
            cats[name] = _category(session, org, name, channel, order)
    manager = session.scalar(sa.select(User).where(
        User.organization_id == org.id, User.role == Role.MANAGER).order_by(User.id).limit(1))
    points = list(session.scalars(sa.select(CharityPoint).where(
        CharityPoint.organization_id == org.id).order_by(CharityPoint.id)))
    now = utcnow()
    entries = [(name, SUBJECTS[name], SUBJECTS[name] + "。", days, status, ("", "", ""))
               for name, _ch, days, status in _plan(rng)]
    entries += DEFAULT_SET
    for i, (name, subject, description, days_ago, status, contact) in enumerate(entries):
        number = "".join(rng.choice(rules.TRACKING_ALPHABET)
                         for _ in range(rules.TRACKING_LENGTH))
        if session.scalar(sa.select(Complaint.id).where(Complaint.tracking_no == number)):
            continue
        category = cats.get(name) or session.scalar(sa.select(ComplaintCategory).where(
            ComplaintCategory.organization_id == org.id, ComplaintCategory.name == name))
        submitted_at = now - dt.timedelta(days=days_ago, hours=i % 7)
        submitted_on = org_today(org, submitted_at)
        complaint = Complaint(
            organization_id=org.id, category_id=category.id, tracking_no=number,
            subject=subject, description=description, status=status,
            submitted_at=submitted_at, submitted_on=submitted_on,
            contact_name=contact[0], contact_phone=contact[1], contact_email=contact[2],
            **rules.deadlines(submitted_on, calendar, category))
        for step in rules.STEPS[:rules.ORDER.index(status)]:
            at_column, by_column = rules.STAMPS[step]
            # Some work orders take longer than allowed, so the demo shows late steps too.
            hours = STEP_HOURS[step] * (2 if i % 5 == 0 else 1)
            setattr(complaint, at_column, min(submitted_at + dt.timedelta(hours=hours),
                                              now - dt.timedelta(minutes=5)))
            setattr(complaint, by_column, manager.id if manager else None)
        if rules.ORDER.index(status) >= rules.ORDER.index(S.DISPATCHED) and points:
            complaint.point_id = points[i % len(points)].id
            complaint.dispatch_note = "请所在站点核实处理。"
        if rules.ORDER.index(status) >= rules.ORDER.index(S.HANDLED):
            complaint.handling_note = "已现场核实并整改。"
        if rules.ORDER.index(status) >= rules.ORDER.index(S.ANSWERED):
            complaint.answer = ANSWER
        if status == S.CLOSED and ratings.random() < 0.8:  # called back, mostly content
            complaint.rating = ratings.choice(DEMO_RATINGS)
            complaint.rated_at = complaint.answered_at
        session.add(complaint)
    session.flush()
