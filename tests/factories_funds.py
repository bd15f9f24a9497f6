import datetime as dt
from decimal import Decimal

import pytest

from charity.core.system import system_actor

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def actor():
    return system_actor()


@pytest.fixture
def fundraising_org(make_org):
    return make_org(can_fundraise_publicly=True, fundraising_cert_no="62000000000001")


@pytest.fixture
def make_campaign(db, fundraising_org):
    from charity.funds.services.campaigns import activate_campaign, create_campaign

    counter = iter(range(1, 10_000))

    def factory(org=None, active=True, **data):
        org = org or fundraising_org
        values = {
            "name": f"冬季送温暖{next(counter)}", "purpose": "为困难家庭筹集冬衣", "region": "兰州市城关区",
            "donation_methods": "银行转账、微信、现场捐赠", "bank_account": "中国银行 1234",
            "beneficiaries": "困难家庭", "intended_use": "购买冬衣", "leftover_plan": "转入下一年度",
            "filing_no": "5362010200001", "filing_date": dt.date(2026, 1, 1),
            "planned_start": dt.date(2026, 1, 1), "planned_end": dt.date(2026, 12, 31),
            "target_amount": Decimal("100000"),
        }
        values.update(data)
        campaign = create_campaign(system_actor(), db, org, values, today=TODAY)
        if active:
            activate_campaign(system_actor(), db, campaign, today=TODAY)
        db.commit()  # as a request would: a later request's rollback must not undo it
        return campaign

    return factory


@pytest.fixture
def make_project(db, fundraising_org):
    from charity.funds.services.campaigns import activate_project, create_project

    counter = iter(range(1, 10_000))

    def factory(org=None, campaigns=(), active=True, **data):
        org = org or fundraising_org
        values = {"name": f"助学项目{next(counter)}", "content": "资助学生", "area": "城关区",
                  "beneficiary_groups": "留守儿童", "planned_start": dt.date(2026, 1, 1),
                  "planned_end": None, "campaign_ids": [c.id for c in campaigns]}
        values.update(data)
        project = create_project(system_actor(), db, org, values)
        if active:
            activate_project(system_actor(), db, project)
        db.commit()
        return project

    return factory


@pytest.fixture
def make_donor(db, fundraising_org):
    from charity.people.services import create_donor

    def factory(org=None, **data):
        values = {"name": "张三", "phone": "13800001111", "id_code": "620102199001011234"}
        values.update(data)
        donor = create_donor(system_actor(), db, org or fundraising_org, values)
        db.commit()
        return donor

    return factory
