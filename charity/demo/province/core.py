"""The province's fixed cast: organisations and their points (through the real services, so
they are audited and validated), staff accounts, the catalogue, donors, beneficiaries,
campaigns and projects (bulk: there are hundreds of thousands)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from charity.auth.services import create_user
from charity.demo.goods import ITEMS
from charity.funds.models import (Campaign, CampaignChange, CampaignStatus, Project,
                                  ProjectStatus, project_campaign)
from charity.goods.models import ItemCategory, ItemType
from charity.orgs import uscc
from charity.orgs.services import create_organization, create_point
from charity.people.identity import hash_id, make_id
from charity.people.models import Beneficiary, Donor
from charity.demo.province.bulk import insert
from charity.demo.province.world import CITIES, Item, Org, Subject, World
from charity.core.system import system_actor

PASSWORD = "demo-province-2026"
USCC_PREFIX = "5162"  # social organisation (5), registered in Gansu (62)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国红梅玉珍志斌宁波"
COMPANIES = ["商贸有限公司", "建筑工程有限公司", "食品有限公司", "科技有限公司", "农业发展有限公司",
             "医药连锁有限公司", "物流有限公司", "餐饮管理有限公司"]
CAMPAIGN_THEMES = ["温暖过冬", "助学圆梦", "爱心午餐", "关爱空巢老人", "助残行动", "留守儿童陪伴",
                   "乡村振兴", "应急救灾", "母婴关爱", "重病救助"]
PROJECT_THEMES = ["社区助老餐桌", "困难家庭物资帮扶", "学生助学金发放", "残疾人康复辅具",
                  "冬季取暖补贴", "儿童阅读角", "应急物资储备", "慈善超市运营"]
BENEFICIARY_CATEGORIES = ["dibao", "tekun", "solitary_elderly", "empty_nest_elderly",
                          "left_behind_child", "disabled", "temporary"]


def _name(world: World) -> str:
    rng = world.rng
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def create_cast(world: World) -> None:
    """Organisations, points, staff, catalogue, donors, beneficiaries, campaigns, projects."""
    s = world.session
    actor = system_actor()
    n_orgs = world.scaled("organizations", minimum=2)
    points_per_org = max(2, world.scaled("points") // n_orgs)
    create_user(actor, s, {"username": "admin", "display_name": "省级管理员", "role": "admin",
                           "password": PASSWORD, "organization_id": None, "point_ids": []})
    for i in range(n_orgs):
        city, districts = CITIES[i % len(CITIES)]
        region = f"{i % len(CITIES) + 1:02d}{i // len(CITIES) + 1:02d}"
        org = create_organization(actor, s, {
            "name": f"{city}{districts[i // len(CITIES) % 2]}慈善会" if i < 2 * len(CITIES)
            else f"{city}第{i // len(CITIES) + 1}慈善服务中心",
            "uscc": uscc.make(f"{USCC_PREFIX}{region}MJ{i + 1:07d}"),
            "registering_authority": f"{city}民政局", "can_fundraise_publicly": i % 3 != 2,
            "fundraising_cert_no": f"6200{i + 1:010d}" if i % 3 != 2 else "",
            "contact_person": _name(world), "phone": f"0931-86{i:05d}",
            "address": f"甘肃省{city}{districts[0]}民主路 {i + 1} 号", "timezone": "Asia/Shanghai"})
        info = Org(id=org.id, city=city, districts=districts)
        for p in range(points_per_org):
            district = districts[p % 2]
            kind = "supermarket" if p % 3 == 0 else "station"
            point = create_point(actor, s, org, {
                "kind": kind, "name": f"{district}{'慈善超市' if kind == 'supermarket' else '社区捐助站'}"
                f"{p + 1}号", "district": district, "community": f"{district}第{p % 7 + 1}社区",
                "address": f"{city}{district}建设路 {p * 3 + 1} 号",
                "opening_hours": "周一至周六 09:00-17:30" if p % 2 else "每天 09:00-18:00"})
            info.points.append(point.id)
            if kind == "supermarket":
                info.supermarkets.append(point.id)
        user = create_user(actor, s, {"username": f"manager{i + 1:02d}",
                                      "display_name": f"{city}管理员", "role": "manager",
                                      "password": PASSWORD, "organization_id": org.id,
                                      "point_ids": []})
        info.manager_id = user.id
        world.orgs.append(info)
    s.flush()
    world.add("organizations", n_orgs)
    world.add("points", n_orgs * points_per_org)
    _catalogue(world)
    _donors(world)
    _beneficiaries(world)
    _subjects(world)


def _catalogue(world: World) -> None:
    s = world.session
    cats = dict(s.execute(sa.select(ItemCategory.code, ItemCategory.id)).all())
    rows = []
    for org in world.orgs:
        for item_id, (name, cat, unit, value, points, price, perishable, limit) in zip(
                world.ids.take(ItemType.__table__, len(ITEMS)), ITEMS):
            rows.append({"id": item_id, "organization_id": org.id, "category_id": cats[cat],
                         "name": name, "unit": unit, "countable": True,
                         "default_fair_value": Decimal(value), "point_price": points,
                         "sale_price": Decimal(price) if price else None,
                         "perishable": perishable,
                         "monthly_limit": Decimal(limit) if limit else None, "active": True})
            org.items.append(Item(item_id, cat, Decimal(value),
                                  Decimal(price) if price else None, perishable))
    insert(s, ItemType.__table__, rows)
    world.add("item_types", len(rows))


def _people(world: World, key: str, table):
    """(organisation, n, id) for each of the organisations' people of one kind (donors or
    beneficiaries), ids taken in one block per organisation and kept on it."""
    per_org = max(5, world.scaled(key) // len(world.orgs))
    for org in world.orgs:
        ids = world.ids.take(table, per_org)
        getattr(org, key).extend(ids)
        yield from ((org, n, person_id) for n, person_id in enumerate(ids))


def _donors(world: World) -> None:
    rng = world.rng

    def rows():
        for org, n, donor_id in _people(world, "donors", Donor.__table__):
            company = n % 25 == 0
            consent = rng.random() < 0.45
            yield {"id": donor_id, "organization_id": org.id,
                   "kind": "organization" if company else "person",
                   "name": (f"{org.city[:2]}{rng.choice(GIVEN)}{rng.choice(GIVEN)}"
                            f"{rng.choice(COMPANIES)}") if company else _name(world),
                   "phone": f"139{org.id % 100:02d}{n:06d}"[:11],
                   "address": f"{org.city}{rng.choice(org.districts)}幸福路 {n % 300 + 1} 号",
                   "id_code": "", "publish_name": consent, "publish_address": False,
                   "publish_contact": False, "related_party": n % 500 == 1, "note": "",
                   "created_at": world.moment(world.day())}

    world.add("donors", insert(world.session, Donor.__table__, rows()))


def _beneficiaries(world: World) -> None:
    rng = world.rng

    def rows():
        for org, n, ben_id in _people(world, "beneficiaries", Beneficiary.__table__):
            id_number = make_id(f"6201021950{ben_id:07d}")
            yield {"id": ben_id, "organization_id": org.id, "name": _name(world),
                   "categories": [rng.choice(BENEFICIARY_CATEGORIES)],
                   "members": rng.randint(1, 5),
                   "community": f"{rng.choice(org.districts)}第{n % 7 + 1}社区",
                   "phone": f"138{ben_id:08d}"[:11], "address": f"{org.city}安居小区 {n % 40 + 1} 栋",
                   "id_number_hash": hash_id(id_number), "id_number_last4": id_number[-4:],
                   "certified_until": world.today + dt.timedelta(days=rng.randint(30, 700)),
                   "monthly_points": rng.choice([0, 100, 200, 300]),
                   "consent_note": "本人书面同意（省级演示数据）", "active": True,
                   "created_at": world.moment(world.day())}

    world.add("beneficiaries", insert(world.session, Beneficiary.__table__, rows()))


def _window(world: World, long_share: float) -> tuple[dt.date, dt.date]:
    """A subject's planned dates: most run 3–6 months, some 7–12 (those are disclosed
    every three months while they run)."""
    rng = world.rng
    start = world.day(world.today - dt.timedelta(days=720), world.today - dt.timedelta(days=20))
    months = rng.randint(7, 12) if rng.random() < long_share else rng.randint(2, 6)
    return start, start + dt.timedelta(days=months * 30)


def _subjects(world: World) -> None:
    s = world.session
    rng = world.rng
    total = world.scaled("subjects", minimum=4)
    per_org = max(1, total // 2 // len(world.orgs))
    campaigns, changes, projects, links = [], [], [], []
    for org in world.orgs:
        for n, cid in enumerate(world.ids.take(Campaign.__table__, per_org)):
            start, end = _window(world, 0.25)
            ended = end < world.today
            theme = CAMPAIGN_THEMES[n % len(CAMPAIGN_THEMES)]
            campaigns.append({
                "id": cid, "organization_id": org.id, "name": f"{theme}·{start.year}年第{n + 1}期",
                "purpose": f"为{org.city}困难群众开展“{theme}”公开募捐", "region": org.city,
                "donation_methods": "现场捐赠、银行转账、微信、支付宝",
                "bank_account": f"中国农业银行{org.city}分行 6228 4800 {cid:08d}",
                "beneficiaries": "低保、特困及临时困难家庭", "intended_use": "购买过冬及生活物资",
                "cost_budget": Decimal("2000.00"), "leftover_plan": "转入同类慈善项目",
                "responsible_person": _name(world), "contact": f"0931-86{org.id:05d}",
                "filing_no": f"{org.id:02d}{cid:06d}", "filing_date": start - dt.timedelta(days=7),
                "planned_start": start, "planned_end": end, "actual_end": end if ended else None,
                "target_amount": Decimal(rng.choice([50000, 100000, 200000, 500000])),
                "goods_wanted": "棉衣、棉被、米面油", "emergency": theme == "应急救灾",
                "status": (CampaignStatus.ENDED if ended else CampaignStatus.ACTIVE).value,
                "version": 1, "created_by_id": org.manager_id,
                "created_at": world.moment(start - dt.timedelta(days=10))})
            changes.append({"id": world.ids.one(CampaignChange.__table__), "campaign_id": cid,
                            "version": 1, "kind": "create", "changed_by_id": org.manager_id,
                            "changed_at": world.moment(start - dt.timedelta(days=10)),
                            "changed_on": start - dt.timedelta(days=10),
                            "reason": "", "changes": {}})
            org.campaigns.append(Subject(cid, "campaign", start, end, ended))
        for n, pid in enumerate(world.ids.take(Project.__table__, per_org)):
            start, end = _window(world, 0.35)
            ended = end < world.today
            closed_on = end + dt.timedelta(days=rng.randint(0, 5)) if ended else None
            if closed_on is not None and closed_on >= world.today:
                closed_on = end
            projects.append({
                "id": pid, "organization_id": org.id,
                "name": f"{PROJECT_THEMES[n % len(PROJECT_THEMES)]}（{start.year}·{n + 1}）",
                "content": "为困难家庭提供生活物资和服务", "area": org.city,
                "beneficiary_groups": "低保户、特困人员、留守儿童", "planned_start": start,
                "planned_end": end, "actual_end": end if ended else None,
                "budget": Decimal(rng.choice([30000, 80000, 150000])),
                "status": (ProjectStatus.CLOSED if ended else ProjectStatus.ACTIVE).value,
                "leftover_property": "无" if ended else "", "leftover_handling": "",
                "closed_by_id": org.manager_id if ended else None,
                "closed_at": world.moment(closed_on) if ended else None, "closed_on": closed_on,
                "created_by_id": org.manager_id,
                "created_at": world.moment(start - dt.timedelta(days=5))})
            org.projects.append(Subject(pid, "project", start, end, ended))
            # Each project is funded by a campaign of its organisation that overlaps it.
            overlapping = [c for c in org.campaigns if c.start <= end and c.end >= start]
            if overlapping:
                links.append({"project_id": pid, "campaign_id": rng.choice(overlapping).id})
    insert(s, Campaign.__table__, campaigns)
    insert(s, CampaignChange.__table__, changes)
    insert(s, Project.__table__, projects)
    insert(s, project_campaign, links)
    world.add("campaigns", len(campaigns))
    world.add("projects", len(projects))
