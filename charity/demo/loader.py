"""Demo data: a district charity federation in 兰州 with its supermarkets and stations.

Idempotent: every object is looked up by its natural key first, so a second run changes
nothing (not even the audit log). Later features add their own `load_*` steps here.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from charity.auth.models import User
from charity.auth.services import create_user
from charity.orgs import uscc
from charity.orgs.models import CharityPoint, Organization
from charity.orgs.services import create_organization, create_point
from charity.core.system import system_actor

ORG = {
    "name": "兰州市城关区慈善会",
    "uscc": uscc.make("51620102MJ7304215"),
    "registering_authority": "兰州市城关区民政局",
    "registered_on": dt.date(2024, 3, 18),
    "can_fundraise_publicly": True,
    "fundraising_cert_no": "62010200000012",
    "contact_person": "马文静",
    "phone": "0931-8412345",
    "email": "cishan@example.org",
    "address": "甘肃省兰州市城关区庆阳路 188 号",
    "timezone": "Asia/Shanghai",
}

POINTS = [
    {"kind": "supermarket", "name": "张掖路慈善超市", "district": "城关区", "community": "张掖路街道",
     "address": "张掖路 56 号", "opening_hours": "周一至周六 09:00-18:00", "phone": "0931-8411001"},
    {"kind": "supermarket", "name": "雁滩慈善超市", "district": "城关区", "community": "雁南街道",
     "address": "雁滩路 3120 号", "opening_hours": "周二至周日 09:30-17:30", "phone": "0931-8411002"},
    {"kind": "supermarket", "name": "东岗慈善超市", "district": "城关区", "community": "东岗西路街道",
     "address": "东岗西路 702 号", "opening_hours": "每天 08:30-17:00", "phone": "0931-8411003"},
    {"kind": "station", "name": "皋兰路社区捐助站", "district": "城关区", "community": "皋兰路街道",
     "address": "皋兰路 11 号社区服务中心一楼", "opening_hours": "周一至周五 09:00-12:00, 14:00-17:00",
     "phone": "0931-8411004"},
    {"kind": "station", "name": "嘉峪关路社区捐助站", "district": "城关区", "community": "嘉峪关路街道",
     "address": "嘉峪关西路 365 号", "opening_hours": "周一、三、五 09:00-16:00", "phone": "0931-8411005"},
]

# (username, display name, role, password, points served)
USERS = [
    ("admin", "系统管理员", "admin", "demo-admin-2026", []),
    ("manager", "马文静", "manager", "demo-manager-2026", []),
    ("volunteer", "李志强", "volunteer", "demo-volunteer-2026", ["张掖路慈善超市", "皋兰路社区捐助站"]),
    ("volunteer2", "王秀兰", "volunteer", "demo-volunteer-2026", ["雁滩慈善超市"]),
    ("auditor", "赵监督", "auditor", "demo-auditor-2026", []),
]


def load_demo(session: Session) -> list[tuple[str, str | None, str]]:
    """Create what is missing; return (username, password, role) for the printed logins
    (password None for an account that existed with another password)."""
    actor = system_actor()
    org = session.scalar(sa.select(Organization).where(Organization.uscc == ORG["uscc"]))
    if org is None:
        org = create_organization(actor, session, ORG)
    points = {}
    for data in POINTS:
        point = session.scalar(sa.select(CharityPoint).where(
            CharityPoint.organization_id == org.id, CharityPoint.name == data["name"]))
        points[data["name"]] = point or create_point(actor, session, org, data)
    logins = []
    for username, display, role, password, served in USERS:
        existing = session.scalar(sa.select(User).where(User.username == username))
        # An account made before the demo (`charity init --username admin`) keeps its own
        # password: the printed login must not claim the demo's.
        logins.append((username, password if existing is None or check_password_hash(
            existing.password_hash, password) else None, role))
        if existing is None:
            create_user(actor, session, {
                "username": username, "display_name": display, "role": role,
                "password": password,
                "organization_id": None if role == "admin" else org.id,
                "point_ids": [points[n].id for n in served]})
    session.flush()
    from charity.demo.money import load_money_demo

    load_money_demo(session, org)
    from charity.demo.goods import load_goods_demo

    load_goods_demo(session, org)
    from charity.demo.timebank import load_timebank_demo

    load_timebank_demo(session, org)
    from charity.demo.units import load_units_demo

    load_units_demo(session, org)
    from charity.demo.complaints import load_complaints_demo
    from charity.demo.wishes import load_wishes_demo

    load_complaints_demo(session, org)
    load_wishes_demo(session, org)
    from charity.demo.annual import load_annual_demo

    load_annual_demo(session, org)  # before the replay, which publishes the annual reports
    from charity.demo.boxes import load_boxes_demo

    load_boxes_demo(session, org)
    session.commit()  # the scheduler replay below works in its own transactions
    from charity.demo.disclosure import load_disclosure_demo

    load_disclosure_demo(session, org)
    # After the replay: the weak organisation's annual report for 2025 is overdue now (the
    # replayed scheduler would have published it, late).
    from charity.demo.transparency import load_transparency_demo

    load_transparency_demo(session)
    from charity.demo.annual import load_weak_annual_demo

    load_weak_annual_demo(session)
    return logins
