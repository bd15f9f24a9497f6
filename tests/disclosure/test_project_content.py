"""Project reports (issue 17 item 5): households and goods counted from the distributions
linked to the project — by name or through a point attached to it on that day — income by
source with goods and sales, funding campaigns of the period only, and the missing
progress narrative stated. Expected figures are counted here from the document rows."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.errors import ValidationFailed
from charity.core.system import system_actor
from charity.disclosure.models import Narrative, Obligation
from charity.disclosure.publishing import publish_obligation
from charity.funds.models import ProjectPoint
from charity.funds.services.project_points import attach_point
from charity.goods.models import Distribution, Intake, Sale
from charity.goods.services.distributions import post_distribution
from charity.goods.services.intake import post_intake
from charity.goods.services.sales import post_sale
from charity.ops.scheduler import tick
from charity.reports.pdf import ICC_RESOURCE_WARNING
from tests.disclosure.test_campaign_content import squashed

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
D = Decimal
A = system_actor
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def supermarket(db, fundraising_org, make_project, make_campaign, make_point, make_item,
                make_household):
    org = fundraising_org
    winter = make_campaign(name="冬季募捐", planned_start=dt.date(2026, 1, 1),
                           planned_end=dt.date(2026, 3, 31))
    summer = make_campaign(name="夏季募捐", planned_start=dt.date(2026, 6, 1),
                           planned_end=dt.date(2026, 8, 31))
    project = make_project(name="慈善超市运营", campaigns=[winter, summer])
    shop, elsewhere = make_point(org=org), make_point(org=org)
    attach_point(A(), db, project, {"point_id": shop.id, "start_on": dt.date(2026, 1, 1),
                                    "end_on": None})
    jacket = make_item(org, name="棉衣")
    for point in (shop, elsewhere):
        post_intake(A(), db, point, {"received_on": dt.date(2026, 1, 2), "lines": [
            {"item_type_id": jacket.id, "quantity": "40", "condition": "new"}]}, today=TODAY)
    homes = [make_household(org) for _ in range(4)]
    plan = [(shop, homes[0], None), (shop, homes[0], None), (shop, homes[1], None),
            (shop, homes[2], None), (elsewhere, homes[3], None),
            (elsewhere, homes[3], project)]
    for i, (point, home, named) in enumerate(plan):
        post_distribution(A(), db, point, {
            "beneficiary_id": home.id, "distributed_on": dt.date(2026, 2, 1 + i),
            "project_id": named.id if named else None,
            "lines": [{"item_type_id": jacket.id, "quantity": "1"}]}, today=TODAY)
    for point in (shop, elsewhere):
        post_sale(A(), db, point, {"sold_on": dt.date(2026, 2, 20), "payment_method": "cash",
                                   "lines": [{"item_type_id": jacket.id, "quantity": "2"}]},
                  today=TODAY)
    db.commit()
    return {"project": project, "shop": shop}


def _periodic(db, project, on):
    tick(db, on)
    return db.scalar(sa.select(Obligation).where(
        Obligation.subject_type == "project", Obligation.subject_id == project.id,
        Obligation.kind == "periodic", Obligation.seq == 1))


def test_project_report_counts_households_goods_and_sales_of_its_point(db, supermarket):
    project, shop = supermarket["project"], supermarket["shop"]
    ob = _periodic(db, project, dt.date(2026, 3, 31))
    pub = publish_obligation(db, ob, dt.date(2026, 4, 1))
    text = squashed(pub.pdf)
    counted = db.scalars(sa.select(Distribution).where(sa.or_(
        Distribution.project_id == project.id,
        sa.and_(Distribution.project_id.is_(None), Distribution.point_id == shop.id)))).all()
    households = {d.beneficiary_id for d in counted}
    assert len(households) == 4 and len(counted) == 5
    assert f"本期受助家庭{len(households)}户" in text
    sales = sum((s.total for s in db.scalars(sa.select(Sale).where(Sale.point_id == shop.id))),
                D(0))
    goods = sum((i.total_value for i in db.scalars(
        sa.select(Intake).where(Intake.point_id == shop.id, Intake.campaign_id.is_(None)))),
        D(0))
    assert f"慈善超市销售收入（商业收入）{sales:.2f}{sales:.2f}" in text
    assert f"物资捐赠（公允价值）{goods:.2f}{goods:.2f}" in text
    assert "冬季募捐" in text and "夏季募捐" not in text  # summer started after the period
    assert "本期未提供进展说明" in text


def test_a_written_narrative_replaces_the_gap_notice(db, supermarket):
    project = supermarket["project"]
    ob = _periodic(db, project, dt.date(2026, 3, 31))
    db.add(Narrative(subject_type="project", subject_id=project.id, kind="periodic", seq=1,
                     text="本季度超市开放 60 天。"))
    db.flush()
    text = squashed(publish_obligation(db, ob, dt.date(2026, 4, 1)).pdf)
    assert "本季度超市开放60天。" in text and "本期未提供进展说明" not in text


def test_a_point_serves_one_project_at_a_time(db, supermarket, make_project, make_org,
                                             make_point):
    other = make_project(name="助学")
    shop = supermarket["shop"]
    with pytest.raises(ValidationFailed) as err:
        attach_point(A(), db, other, {"point_id": shop.id, "start_on": dt.date(2026, 5, 1),
                                      "end_on": None})
    assert err.value.field == "start_on"
    foreign = make_point(org=make_org())
    with pytest.raises(ValidationFailed) as err:
        attach_point(A(), db, other, {"point_id": foreign.id, "start_on": dt.date(2026, 5, 1),
                                      "end_on": None})
    assert err.value.field == "point_id"
    assert db.scalar(sa.select(sa.func.count(ProjectPoint.id))) == 1


def test_managers_are_reminded_and_a_report_without_narrative_counts_as_a_gap(
        client, db, supermarket, make_user, login, fundraising_org):
    from charity.disclosure.queries import narrative_gaps

    project = supermarket["project"]
    ob = _periodic(db, project, dt.date(2026, 3, 26))  # due 04-01: within 7 days
    assert ob.status == "due"
    login(make_user("manager", org=fundraising_org))
    db.commit()
    page = client.get("/staff/").get_data(as_text=True)
    assert f"/staff/disclosure/{ob.id}#text" in page
    db.add(Narrative(subject_type="project", subject_id=project.id, kind="periodic", seq=1,
                     text="   "))  # blank is not a narrative
    db.commit()
    assert f"/staff/disclosure/{ob.id}#text" in client.get("/staff/").get_data(
        as_text=True)
    assert narrative_gaps(db, fundraising_org.id) == 0
    publish_obligation(db, ob, dt.date(2026, 4, 1))
    assert narrative_gaps(db, fundraising_org.id) == 1
    assert narrative_gaps(db, fundraising_org.id, dt.date(2026, 4, 2),
                          dt.date(2026, 12, 31)) == 0


def test_the_public_project_page_counts_the_same_households(client, db, supermarket):
    import re

    response = client.get(f"/projects/{supermarket['project'].id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    # 服务家庭: "Households served" (four: three at the attached shop, one by name).
    assert re.search(r'<h3>服务家庭</h3><p class="stat">4</p>', page)
