"""Demo data of the wishes feature (issue 6): eight micro-wishes at the demo points — open,
claimed, and fulfilled by demo intakes. Idempotent like the rest of the demo: skipped when the
organisation has wishes already."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.goods.models import DocStatus, Intake, ItemCategory
from charity.orgs.models import CharityPoint
from charity.people.models import Beneficiary
from charity.core.system import system_actor
from charity.wishes import services
from charity.wishes.models import Wish

# point name, what, tag, age, category code, quantity, unit, days ago, fate
WISHES = [
    ("张掖路慈善超市", "一件冬衣", "留守儿童", 8, "clothing", 1, "件", 20, "open"),
    ("雁滩慈善超市", "一个新书包", "留守儿童", 10, "books", 1, "个", 15, "open"),
    ("东岗慈善超市", "一台电暖器", "孤寡老人", 78, "appliances", 1, "台", 12, "open"),
    ("皋兰路社区捐助站", "一套课外书", "困境儿童", 12, "books", 1, "套", 6, "open"),
    ("嘉峪关路社区捐助站", "一双棉鞋", "空巢老人", 81, "clothing", 1, "双", 9, "claimed"),
    ("张掖路慈善超市", "一床厚棉被", "残疾人家庭", None, "household", 1, "床", 25, "claimed"),
    ("张掖路慈善超市", "一件羽绒服", "留守儿童", 9, "clothing", 1, "件", 40, "fulfilled"),
    ("雁滩慈善超市", "一套文具", "留守儿童", 7, "books", 1, "套", 35, "fulfilled"),
]
# Fictitious claimants (private: seen by the staff only).
CLAIMANTS = [("周女士", "13800001234"), ("吴先生", "0931-8400123"), ("郑女士", "13800005678"),
             ("冯先生", "13800009012")]


def load_wishes_demo(session: Session, org) -> None:
    if session.scalar(sa.select(Wish.id).where(Wish.organization_id == org.id).limit(1)):
        return
    actor = system_actor()
    now = utcnow()
    points = {p.name: p for p in session.scalars(
        sa.select(CharityPoint).where(CharityPoint.organization_id == org.id))}
    cats = {c.code: c.id for c in session.scalars(sa.select(ItemCategory))}
    # Link some wishes to households (staff only): the first registered households.
    households = list(session.scalars(
        sa.select(Beneficiary.id).where(Beneficiary.organization_id == org.id,
                                        Beneficiary.erased_at.is_(None))
        .order_by(Beneficiary.id).limit(len(WISHES))))
    claimants = iter(CLAIMANTS)
    for i, (point_name, what, tag, age, cat, qty, unit, days, fate) in enumerate(WISHES):
        point = points.get(point_name)
        if point is None:
            continue
        posted = now - dt.timedelta(days=days)
        wish = services.create_wish(actor, session, org, {
            "point_id": point.id, "what": what, "tag": tag, "age": age,
            "category_id": cats.get(cat), "quantity": qty, "unit": unit,
            "beneficiary_id": households[i] if i < len(households) else None,
            "note": "演示数据"}, now=posted)
        if fate in ("claimed", "fulfilled"):
            name, phone = next(claimants, CLAIMANTS[0])
            services.claim_wish(session, wish.id, name, phone,
                                now=posted + dt.timedelta(days=2))
        if fate == "fulfilled":
            fulfilled = posted + dt.timedelta(days=7)
            intake = session.scalar(
                sa.select(Intake).where(Intake.point_id == point.id,
                                        Intake.status == DocStatus.POSTED,
                                        Intake.received_on <= org_today(org, fulfilled))
                .order_by(Intake.received_on.desc(), Intake.id.desc()).limit(1))
            if intake is not None:
                services.fulfil_wish(actor, session, wish, intake.id, now=fulfilled)
    session.flush()
