"""Handing goods to a household at the counter: the web form, its refusals next to the
right field with nothing written, the point scope, the one-time token and the slip."""
import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.core.clock import org_today
from charity.goods.services.distributions import post_distribution
from charity.goods.models import Distribution, DocStatus, StockBalance, StockMovement
from charity.people.models import PointsEntry
from charity.core.system import system_actor


class FreshClient(FlaskClient):
    """Each request in its own app context, as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")  # assert on the English msgids
    return c


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def today(org):
    return org_today(org)


@pytest.fixture
def point(make_point, org):
    return make_point(org)


@pytest.fixture
def other_point(make_point, org):
    return make_point(org)


@pytest.fixture
def volunteer(make_user, org, point):
    return make_user("volunteer", org=org, points=[point])


@pytest.fixture
def manager(make_user, org):
    return make_user("manager", org=org)


@pytest.fixture
def coat(make_item, org, point, stock):
    item = make_item(org)  # 10 points per 件
    stock(point, item, 5)
    return item


@pytest.fixture
def household(make_household, org, today):
    return make_household(org, certified_until=today + dt.timedelta(days=180))


def counts(db):
    return tuple(db.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Distribution, StockMovement, PointsEntry))


def on_hand(db, point, item):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.quantity), 0)).where(
        StockBalance.point_id == point.id, StockBalance.item_type_id == item.id))


def points_this_month(db, household, today):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(PointsEntry.amount), 0)).where(
        PointsEntry.beneficiary_id == household.id, PointsEntry.month == f"{today:%Y-%m}"))


def token_of(html):
    marker = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', marker).group(1)


def open_form(client, household):
    page = client.get(f"/staff/distributions/new?beneficiary={household.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html, token_of(html)


def form_data(token, point, household, lines, **extra):
    data = {"submission_token": token, "point_id": str(point.id),
            "beneficiary_id": str(household.id), "project_id": "", "distributed_on": ""}
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{i}-{key}"] = value
    data.update(extra)
    return data


def error_of(html, field_id):
    match = re.search(rf'id="{field_id}-error"[^>]*>([^<]*)<', html)
    return match.group(1) if match else None


def test_volunteer_hands_out_at_own_point(client, login, db, volunteer, point, coat, household,
                                          today):
    login(volunteer)
    html, token = open_form(client, household)
    assert point.name in html and household.name in html
    assert "Points left this month:" in html and "<strong>100</strong>" in html
    response = client.post("/staff/distributions/new", data=form_data(
        token, point, household, [{"item_type_id": str(coat.id), "quantity": "2"}]))
    assert response.status_code == 302
    dist = db.scalar(sa.select(Distribution))
    assert response.location.endswith(f"/staff/distributions/{dist.id}")
    assert dist.point_id == point.id and dist.beneficiary_id == household.id
    assert dist.points_total == 20 and dist.posted_by_id == volunteer.id
    assert on_hand(db, point, coat) == 3
    assert points_this_month(db, household, today) == 80


def test_the_volunteers_only_point_is_preselected_and_search_finds_by_name(
        client, login, volunteer, point, coat, household):
    login(volunteer)
    html = client.get("/staff/distributions/new").get_data(as_text=True)
    assert re.search(r'name="point_id" value="%d"' % point.id, html)
    found = client.get(f"/staff/distributions/new?point={point.id}&q={household.name}")
    assert f"beneficiary={household.id}" in found.get_data(as_text=True)
    # Volunteers cannot look a household up by its phone number.
    by_phone = client.get(f"/staff/distributions/new?point={point.id}&q={household.phone}")
    assert f"beneficiary={household.id}" not in by_phone.get_data(as_text=True)


@pytest.mark.parametrize("case", ["stock", "points", "monthly_limit", "uncertified"])
def test_refusals_are_shown_next_to_the_field_and_nothing_is_written(
        client, login, db, volunteer, point, make_item, stock, make_household, org, today, case):
    item = make_item(org, point_price=10, monthly_limit=Decimal("2") if case == "monthly_limit"
                     else None)
    stock(point, item, 5)
    household = make_household(
        org, monthly_points=15 if case == "points" else 100,
        certified_until=today - dt.timedelta(days=1) if case == "uncertified"
        else today + dt.timedelta(days=90))
    quantity = {"stock": "6", "points": "2", "monthly_limit": "3", "uncertified": "1"}[case]
    login(volunteer)
    _html, token = open_form(client, household)
    before = counts(db)
    # The line is the third of the form: blank lines before it must not shift the errors.
    lines = [{}, {}, {"item_type_id": str(item.id), "quantity": quantity}]
    response = client.post("/staff/distributions/new",
                           data=form_data(token, point, household, lines))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = {"stock": ("lines-2-quantity", "Not enough"),
                "points": ("lines", "Not enough points"),
                "monthly_limit": ("lines-2-quantity", "Monthly limit"),
                "uncertified": ("beneficiary_id", "certification has expired")}[case]
    message = error_of(html, expected[0])
    assert message is not None and expected[1] in message, html[:3000]
    # What was typed is still there, with the same one-time token.
    assert re.search(r'name="lines-2-quantity"[^>]*value="%s"' % quantity, html) or \
        re.search(r'value="%s"[^>]*name="lines-2-quantity"' % quantity, html)
    assert token_of(html) == token
    assert counts(db) == before
    assert on_hand(db, point, item) == 5


def test_a_quantity_without_an_item_is_not_dropped(client, login, db, volunteer, point, coat,
                                                   household):
    login(volunteer)
    _html, token = open_form(client, household)
    response = client.post("/staff/distributions/new", data=form_data(
        token, point, household, [{"item_type_id": str(coat.id), "quantity": "1"},
                                  {"item_type_id": "", "quantity": "2"}]))
    assert response.status_code == 200
    assert "Choose the item" in error_of(response.get_data(as_text=True),
                                          "lines-1-item_type_id")
    assert db.scalar(sa.select(sa.func.count(Distribution.id))) == 0


def test_each_posted_line_counts_once_even_with_gaps(client, login, db, volunteer, point, coat,
                                                     household, make_item, org, stock):
    hat = make_item(org, point_price=0)
    stock(point, hat, 5)
    login(volunteer)
    _html, token = open_form(client, household)
    lines = [{"item_type_id": str(coat.id), "quantity": "1"}, {},
             {"item_type_id": str(hat.id), "quantity": "2"}]
    response = client.post("/staff/distributions/new",
                           data=form_data(token, point, household, lines))
    assert response.status_code == 302
    dist = db.scalar(sa.select(Distribution))
    assert sorted((ln.item_type_id, ln.quantity) for ln in dist.lines) == sorted(
        [(coat.id, 1), (hat.id, 2)])
    assert on_hand(db, point, coat) == 4 and on_hand(db, point, hat) == 3


def test_at_another_point_is_forbidden_and_writes_nothing(client, login, db, volunteer, point,
                                                          other_point, coat, household, stock):
    stock(other_point, coat, 5)
    login(volunteer)
    _html, token = open_form(client, household)
    before = counts(db)
    response = client.post("/staff/distributions/new", data=form_data(
        token, other_point, household, [{"item_type_id": str(coat.id), "quantity": "1"}]))
    assert response.status_code == 403
    assert counts(db) == before
    assert on_hand(db, other_point, coat) == 5
    assert client.get(f"/staff/distributions/new?point={other_point.id}").status_code == 403


def test_double_submit_posts_once(client, login, db, volunteer, point, coat, household):
    login(volunteer)
    _html, token = open_form(client, household)
    data = form_data(token, point, household, [{"item_type_id": str(coat.id), "quantity": "1"}])
    first = client.post("/staff/distributions/new", data=data)
    second = client.post("/staff/distributions/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.scalar(sa.select(sa.func.count(Distribution.id))) == 1
    assert on_hand(db, point, coat) == 4


def test_more_lines_keeps_the_typing_and_posts_nothing(client, login, db, volunteer, point, coat,
                                                       household):
    login(volunteer)
    _html, token = open_form(client, household)
    response = client.post("/staff/distributions/new", data=form_data(
        token, point, household, [{"item_type_id": str(coat.id), "quantity": "3"}], more="1"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # One line was posted; "add line" adds one (issue 15: forms start with one line).
    assert 'name="lines-1-quantity"' in html and 'name="lines-2-quantity"' not in html
    selected = r'<option selected value="%d"|<option value="%d" selected' % (coat.id, coat.id)
    assert re.search(selected, html)
    assert db.scalar(sa.select(sa.func.count(Distribution.id))) == 0


def test_slip_names_the_household_without_private_data(client, login, db, volunteer, point, coat,
                                                       household, today):
    dist = post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id, "lines": [{"item_type_id": coat.id, "quantity": "2"}]},
        today=today)
    login(volunteer)
    response = client.get(f"/staff/distributions/{dist.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert household.name in html and household.community in html
    assert coat.name in html and point.name in html
    assert "领取人签字" in html and "经办人签字" in html and "css/slip.css" in html
    for private in (household.phone, household.masked_phone, household.address,
                    household.id_number_last4):
        assert private not in html


def test_volunteer_sees_only_own_points_in_the_list(client, login, db, volunteer, point,
                                                    other_point, coat, household, make_household,
                                                    org, stock, today):
    elsewhere = make_household(org, certified_until=today + dt.timedelta(days=90))
    stock(other_point, coat, 2)
    mine = post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id, "lines": [{"item_type_id": coat.id, "quantity": "1"}]},
        today=today)
    theirs = post_distribution(system_actor(), db, other_point, {
        "beneficiary_id": elsewhere.id, "lines": [{"item_type_id": coat.id, "quantity": "1"}]},
        today=today)
    login(volunteer)
    html = client.get("/staff/distributions/").get_data(as_text=True)
    assert household.name in html and elsewhere.name not in html
    assert client.get(f"/staff/distributions/{mine.id}").status_code == 200
    assert client.get(f"/staff/distributions/{theirs.id}").status_code == 403
    filtered = client.get(f"/staff/distributions/?from={(today + dt.timedelta(days=1))}")
    assert household.name not in filtered.get_data(as_text=True)


def test_manager_reverses_with_a_reason(client, login, db, manager, volunteer, point, coat,
                                        household, today):
    dist = post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id, "lines": [{"item_type_id": coat.id, "quantity": "2"}]},
        today=today)
    login(volunteer)
    assert client.post(f"/staff/distributions/{dist.id}/reverse",
                       data={"reason": "录错"}).status_code == 403
    client.post("/logout")
    login(manager)
    no_reason = client.post(f"/staff/distributions/{dist.id}/reverse", data={"reason": " "})
    assert no_reason.status_code == 200
    assert error_of(no_reason.get_data(as_text=True), "reason")
    assert db.get(Distribution, dist.id).status == DocStatus.POSTED
    done = client.post(f"/staff/distributions/{dist.id}/reverse", data={"reason": "录错家庭"})
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Distribution, dist.id).status == DocStatus.REVERSED
    assert on_hand(db, point, coat) == 5
    assert points_this_month(db, household, today) == 100


def test_a_running_project_can_be_named(client, login, db, volunteer, point, coat, household,
                                        make_project, org):
    winter = make_project(org=org, name="冬季送温暖")
    planned = make_project(org=org, name="明年的项目", active=False)
    login(volunteer)
    html, token = open_form(client, household)
    assert "冬季送温暖" in html and "明年的项目" not in html
    refused = client.post("/staff/distributions/new", data=form_data(
        token, point, household, [{"item_type_id": str(coat.id), "quantity": "1"}],
        project_id=str(planned.id)))
    assert refused.status_code == 200
    assert error_of(refused.get_data(as_text=True), "project_id")
    response = client.post("/staff/distributions/new", data=form_data(
        token, point, household, [{"item_type_id": str(coat.id), "quantity": "1"}],
        project_id=str(winter.id)))
    assert response.status_code == 302
    dist = db.scalar(sa.select(Distribution))
    assert dist.project_id == winter.id
    listed = client.get(f"/staff/distributions/?project={winter.id}").get_data(as_text=True)
    assert household.name in listed
    other = client.get(f"/staff/distributions/?project={planned.id}").get_data(as_text=True)
    assert household.name not in other


def test_a_future_date_is_refused_next_to_the_date(client, login, db, volunteer, point, coat,
                                                   household, today):
    login(volunteer)
    _html, token = open_form(client, household)
    response = client.post("/staff/distributions/new", data=form_data(
        token, point, household, [{"item_type_id": str(coat.id), "quantity": "1"}],
        distributed_on=(today + dt.timedelta(days=1)).isoformat()))
    assert response.status_code == 200
    assert "future" in error_of(response.get_data(as_text=True), "distributed_on")
    assert db.scalar(sa.select(sa.func.count(Distribution.id))) == 0
