"""Food past its expiry date never leaves the shelf to a person — not handed out, not sold,
not transferred; it is written off (Food Safety Law Arts. 53–54, DOMAIN.md "Goods handling").

One test per path: the distribution, the sale and the transfer are refused with the item,
batch and date named next to the line and nothing written; first-expired-first-out skips
expired batches; every quantity offered (the counter's pickers, the stock page, the public
shelves and needs list, the trace) leaves them out; near-expiry batches are flagged and
offered first; `charity verify` reports any such movement; the staff home lists a point's
expired batches with a one-tap write-off; the scheduler checks daily.

The world: milk at point A in three batches — OLD (2 boxes, expired three days ago), SOON
(1 box, expires in 3 days) and NEW (5 boxes, in 30 days) — so 6 boxes may be handed out
and 2 may only be written off. Expected figures are computed here from the intake lines
(their expiry dates) and the movements, not read back from the code under test.
"""
import datetime as dt
import html as htmllib
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.core.system import system_actor
from charity.goods import services as documents
from charity.goods.expiry import ExpiryCheck
from charity.goods.models import (Distribution, IntakeLine, MovementKind, Sale, StockMovement,
                                  Transfer, WriteOff)
from charity.goods.services.distributions import post_distribution, reverse_distribution
from charity.goods.services.intake import post_intake
from charity.goods.services.stock_ledger import ExpiredStock, InsufficientStock

D = Decimal
A = system_actor()


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
def w(db, make_org, make_point, make_food, make_user, make_household, make_donor):
    org = make_org()
    today = org_today(org)
    a, b = make_point(org, name="张掖路慈善超市"), make_point(org, name="雁滩捐助站")
    milk = make_food(org, name="牛奶", unit="箱", sale_price=D("40.00"), point_price=5)
    donor = make_donor(org=org, name="乳业公司", publish_name=True)
    docs = {}
    # Received in good time (food past its date is refused at intake); OLD has expired since.
    for batch, qty, received, expiry in (("OLD", 2, 60, -3), ("SOON", 1, 20, 3),
                                         ("NEW", 5, 10, 30)):
        docs[batch] = post_intake(A, db, a, {
            "received_on": today - dt.timedelta(days=received), "donor_id": donor.id,
            "with_receipt": True, "lines": [{
                "item_type_id": milk.id, "quantity": str(qty), "batch": batch,
                "unit_value": "40", "valuation_basis": "出厂价", "inspected": True,
                "expiry_date": today + dt.timedelta(days=expiry)}]}, today=today)
    db.commit()
    return {"org": org, "today": today, "a": a, "b": b, "milk": milk, "docs": docs,
            "household": make_household(org, certified_until=today + dt.timedelta(days=90)),
            "volunteer": make_user("volunteer", org=org, points=[a]),
            "volunteer_b": make_user("volunteer", org=org, points=[b]),
            "manager": make_user("manager", org=org),
            "auditor": make_user("auditor", org=org)}


# --- independent readings of the ledger ------------------------------------------------------

def _expiry_of_batch():
    """A movement's batch's expiry date, from the intake lines (not the balances)."""
    return (sa.select(sa.func.min(IntakeLine.expiry_date))
            .where(IntakeLine.item_type_id == StockMovement.item_type_id,
                   IntakeLine.batch == StockMovement.batch).scalar_subquery())


def usable(db, point, item, on) -> int:
    """What may be handed out on `on`: the movements of batches within their expiry date
    (whole boxes here)."""
    expiry = _expiry_of_batch()
    return int(db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockMovement.quantity), 0)).where(
        StockMovement.point_id == point.id, StockMovement.item_type_id == item.id,
        sa.or_(expiry.is_(None), expiry >= on))))


def on_shelf(db, point, item, batch=None):
    stmt = sa.select(sa.func.coalesce(sa.func.sum(StockMovement.quantity), 0)).where(
        StockMovement.point_id == point.id, StockMovement.item_type_id == item.id)
    if batch is not None:
        stmt = stmt.where(StockMovement.batch == batch)
    return db.scalar(stmt)


def counts(db):
    return tuple(db.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Distribution, Sale, Transfer, WriteOff, StockMovement))


def expired_outgoing_sql(db) -> int:
    """Outgoing movements of a batch past its expiry date that day, counted in plain SQL
    from the intake and transfer lines (independent of `charity verify`'s query)."""
    from tests.goods.test_demo_food_safety import EXPIRED_OUTGOING

    return db.execute(EXPIRED_OUTGOING).scalar()


def token_of(html):
    marker = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', marker).group(1)


def error_of(html, field_id):
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', html)
    return htmllib.unescape(match.group(1)) if match else None


def lines(data, rows):
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    return data


# --- the three ways out are refused ----------------------------------------------------------

def _assert_refused_on_the_line(db, w, response, before):
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    message = error_of(html, "lines-0-quantity")
    expiry = (w["today"] - dt.timedelta(days=3)).isoformat()
    assert message and "牛奶" in message and "OLD" in message and expiry in message, message
    assert counts(db) == before
    assert on_shelf(db, w["a"], w["milk"], "OLD") == 2


def test_distribution_of_an_expired_batch_is_refused(client, login, db, w):
    login(w["volunteer"])
    page = client.get(f"/staff/distributions/new?beneficiary={w['household'].id}")
    before = counts(db)
    response = client.post("/staff/distributions/new", data=lines({
        "submission_token": token_of(page.get_data(as_text=True)),
        "point_id": str(w["a"].id), "beneficiary_id": str(w["household"].id),
        "project_id": "", "distributed_on": ""},
        [{"item_type_id": str(w["milk"].id), "quantity": "1", "batch": "OLD"}]))
    _assert_refused_on_the_line(db, w, response, before)


def test_sale_of_an_expired_batch_is_refused(client, login, db, w):
    login(w["volunteer"])
    page = client.get("/staff/sales/new")
    before = counts(db)
    response = client.post("/staff/sales/new", data=lines({
        "submission_token": token_of(page.get_data(as_text=True)),
        "point_id": str(w["a"].id), "payment_method": "cash", "sold_on": ""},
        [{"item_type_id": str(w["milk"].id), "quantity": "1", "batch": "OLD",
          "unit_price": ""}]))
    _assert_refused_on_the_line(db, w, response, before)


def test_transfer_of_an_expired_batch_is_refused(client, login, db, w):
    login(w["volunteer"])
    page = client.get("/staff/transfers/new")
    before = counts(db)
    response = client.post("/staff/transfers/new", data=lines({
        "submission_token": token_of(page.get_data(as_text=True)),
        "from_point_id": str(w["a"].id), "to_point_id": str(w["b"].id)},
        [{"item_type_id": str(w["milk"].id), "quantity": "1", "batch": "OLD"}]))
    _assert_refused_on_the_line(db, w, response, before)


@pytest.mark.parametrize("post", ["distribution", "sale", "transfer"])
def test_the_ledger_refuses_every_way_out_and_allows_the_expiry_day(db, w, post):
    """The services (every caller, not only the forms) meet the rule in the ledger; on its
    expiry day a batch is still within it."""
    point, milk, today = w["a"], w["milk"], w["today"]

    def send(batch, day):
        line = [{"item_type_id": milk.id, "quantity": "1", "batch": batch}]
        if post == "distribution":
            return post_distribution(A, db, point, {
                "beneficiary_id": w["household"].id, "distributed_on": day, "lines": line},
                today=today)
        if post == "sale":
            return documents.post_sale(A, db, point, {
                "payment_method": "cash", "sold_on": day, "lines": line}, today=today)
        return documents.send_transfer(A, db, point, {
            "to_point_id": w["b"].id, "sent_on": day, "lines": line}, today=today)

    with pytest.raises(ExpiredStock) as refused, db.begin_nested():
        send("OLD", today)
    assert refused.value.field == "lines-0-quantity"
    # The day before OLD expired it could still go, and SOON can go until its last day.
    assert send("OLD", today - dt.timedelta(days=4)) is not None
    with pytest.raises(ExpiredStock), db.begin_nested():
        send("OLD", today - dt.timedelta(days=2))
    assert expired_outgoing_sql(db) == 0


def test_reversals_write_offs_and_arrivals_stay_allowed(db, w):
    """Only handing out, selling and sending on are refused: a correction, a write-off and
    goods arriving from a transfer sent in time still post."""
    a, b, milk, today = w["a"], w["b"], w["milk"], w["today"]
    early = today - dt.timedelta(days=5)  # OLD was still good then
    handed = post_distribution(A, db, a, {
        "beneficiary_id": w["household"].id, "distributed_on": early,
        "lines": [{"item_type_id": milk.id, "quantity": "1", "batch": "OLD"}]}, today=today)
    sent = documents.send_transfer(A, db, a, {
        "to_point_id": b.id, "sent_on": early,
        "lines": [{"item_type_id": milk.id, "quantity": "1", "batch": "OLD"}]}, today=today)
    reverse_distribution(A, db, handed, "发错了", today=today)  # back on the shelf: expired
    documents.receive_transfer(A, db, sent, {}, today=today)  # arrives expired at B
    documents.post_write_off(A, db, b, {"reason": "expired", "item_type_id": milk.id,
                                        "batch": "OLD", "quantity": "1"}, today=today)
    assert on_shelf(db, a, milk, "OLD") == 1 and on_shelf(db, b, milk, "OLD") == 0
    assert documents.verify_stock(db) == []


def test_a_batch_donated_twice_expires_on_its_earliest_date(db, w):
    """Two donations under one batch name (the same production day) with different expiry
    dates: no unit of the batch leaves after the earlier date."""
    a, milk, today = w["a"], w["milk"], w["today"]
    for expiry in (20, 2):
        post_intake(A, db, a, {"received_on": today - dt.timedelta(days=1), "lines": [{
            "item_type_id": milk.id, "quantity": "1", "batch": "TWICE", "inspected": True,
            "expiry_date": today + dt.timedelta(days=expiry)}]}, today=today)
    later = today + dt.timedelta(days=3)
    with pytest.raises(ExpiredStock), db.begin_nested():
        post_distribution(A, db, a, {
            "beneficiary_id": w["household"].id, "distributed_on": later,
            "lines": [{"item_type_id": milk.id, "quantity": "1", "batch": "TWICE"}]},
            today=later)


# --- first-expired-first-out skips what has expired -------------------------------------------

def test_fefo_pick_skips_expired_batches(db, w):
    a, milk, today = w["a"], w["milk"], w["today"]
    dist = post_distribution(A, db, a, {
        "beneficiary_id": w["household"].id,
        "lines": [{"item_type_id": milk.id, "quantity": "3"}]}, today=today)
    taken = db.execute(sa.select(StockMovement.batch, StockMovement.quantity).where(
        StockMovement.document_type == "distribution", StockMovement.document_id == dist.id)
        .order_by(StockMovement.id)).all()
    assert taken == [("SOON", D("-1")), ("NEW", D("-2"))]  # soonest good batch first
    assert on_shelf(db, a, milk, "OLD") == 2
    # More than is within its date: refused, and the message says why the shelf looks fuller.
    with pytest.raises(InsufficientStock) as short, db.begin_nested():
        documents.post_sale(A, db, a, {"payment_method": "cash",
                                       "lines": [{"item_type_id": milk.id, "quantity": "4"}]},
                            today=today)
    assert "3" in str(short.value.message) and "2" in str(short.value.message)
    assert "已过期" in str(short.value.message)  # in the default language, Chinese
    assert expired_outgoing_sql(db) == 0


# --- every quantity offered leaves expired stock out ------------------------------------------

def _option_label(html, item_id):
    match = re.search(rf'<option[^>]*value="{item_id}"[^>]*>([^<]*)</option>', html)
    return htmllib.unescape(match.group(1))


def test_counter_pickers_offer_only_what_is_within_its_date(client, login, db, w):
    expected = usable(db, w["a"], w["milk"], w["today"])
    assert expected == 6 and on_shelf(db, w["a"], w["milk"]) == 8
    login(w["volunteer"])
    for url in (f"/staff/distributions/new?beneficiary={w['household'].id}",
                "/staff/sales/new", "/staff/transfers/new"):
        html = client.get(url).get_data(as_text=True)
        label = _option_label(html, w["milk"].id)
        assert f"{expected} on hand" in label and "8 on hand" not in label, (url, label)
    # The batch suggestions do not offer the expired batch.
    html = client.get("/staff/sales/new").get_data(as_text=True)
    datalist = re.search(r"<datalist.*?</datalist>", html, re.S).group(0)
    assert 'value="SOON"' in datalist and 'value="NEW"' in datalist
    assert 'value="OLD"' not in datalist


def test_near_expiry_batches_are_flagged_and_offered_first(client, login, db, w, make_item,
                                                          stock):
    coat = make_item(w["org"], name="棉衣")
    stock(w["a"], coat, 3)  # on the shelf too, and catalogued before food
    login(w["volunteer"])
    for url in (f"/staff/distributions/new?beneficiary={w['household'].id}",
                "/staff/sales/new"):
        html = client.get(url).get_data(as_text=True)
        soon = re.search(r'<section[^>]*id="expiring-soon".*?</section>', html, re.S).group(0)
        # Within the default 7 days: SOON (3 days); not NEW (30), never OLD (expired).
        assert re.findall(r'data-batch="([^"]*)"', soon) == ["SOON"]
        assert "expires in 3 days" in soon
        label = _option_label(html, w["milk"].id)
        expiry = (w["today"] + dt.timedelta(days=3)).isoformat()
        assert f"1 expire by {expiry}" in label
        # Offered first: milk is the first item of every line's picker.
        first = re.search(r'<select[^>]*name="lines-0-item_type_id"[^>]*>\s*<option[^>]*>'
                          r'[^<]*</option>\s*<option[^>]*value="(\d+)"', html).group(1)
        assert first == str(w["milk"].id) != str(coat.id)
    # The organisation widens its window to 40 days: NEW is flagged too.
    from charity.orgs.services import update_organization

    from charity.orgs.models import Organization

    # (A fresh copy: the requests above ended the session the fixture's objects were in.)
    update_organization(A, db, db.get(Organization, w["org"].id), {"expiry_warning_days": 40})
    db.commit()
    html = client.get("/staff/sales/new").get_data(as_text=True)
    soon = re.search(r'<section[^>]*id="expiring-soon".*?</section>', html, re.S).group(0)
    assert re.findall(r'data-batch="([^"]*)"', soon) == ["SOON", "NEW"]


def test_organisation_warning_window_is_checked(db, w):
    from charity.orgs.services import update_organization

    for bad in (-1, 91, "7"):
        with pytest.raises(ValidationFailed) as refused, db.begin_nested():
            update_organization(A, db, w["org"], {"expiry_warning_days": bad})
        assert refused.value.field == "expiry_warning_days"
    update_organization(A, db, w["org"], {"expiry_warning_days": 0})
    assert w["org"].expiry_warning_days == 0


def test_manager_sets_the_warning_window_on_the_organisation_form(client, login, db, w):
    from charity.orgs.models import Organization

    login(w["manager"])
    org = w["org"]
    page = client.get(f"/admin/orgs/{org.id}/edit").get_data(as_text=True)
    assert 'name="expiry_warning_days"' in page and 'value="7"' in page
    form = {"name": org.name, "uscc": org.uscc, "timezone": org.timezone,
            "registering_authority": org.registering_authority}
    bad = client.post(f"/admin/orgs/{org.id}/edit", data={**form, "expiry_warning_days": "120"})
    assert bad.status_code == 200
    assert db.scalar(sa.select(Organization.expiry_warning_days).where(
        Organization.id == org.id)) == 7
    done = client.post(f"/admin/orgs/{org.id}/edit", data={**form, "expiry_warning_days": "14"})
    assert done.status_code == 302
    assert db.scalar(sa.select(Organization.expiry_warning_days).where(
        Organization.id == org.id)) == 14


def test_stock_pages_show_expired_apart(client, login, db, w):
    login(w["volunteer"])
    html = client.get(f"/staff/stock/?point={w['a'].id}").get_data(as_text=True)
    row = re.search(r'<td data-label="Category">[^<]*</td>.*?</tr>', html, re.S).group(0)
    assert D(re.search(r'data-qty="([^"]+)"', row).group(1)) == \
        usable(db, w["a"], w["milk"], w["today"])
    assert D(re.search(r'data-expired="([^"]+)"', row).group(1)) == 2
    assert "plus 2 expired, to write off" in row
    balances = client.get(f"/staff/stock/balances?point={w['a'].id}").get_data(as_text=True)
    old_row = [r for r in re.findall(r"<tr.*?</tr>", balances, re.S) if ">OLD<" in r][0]
    assert "expired: not available, to write off" in old_row
    new_row = [r for r in re.findall(r"<tr.*?</tr>", balances, re.S) if ">NEW<" in r][0]
    assert "expired" not in new_row


def test_public_shelves_and_needs_list_leave_expired_food_out(client, db, w):
    from charity.goods.services.targets import set_wanted_level

    # 7 wanted: 8 boxes on the shelf, but only 6 may be handed out — milk is needed.
    set_wanted_level(A, db, w["a"], w["milk"].id, "7")
    db.commit()
    html = client.get(f"/points/{w['a'].id}").get_data(as_text=True)
    needs = html[html.index('id="needs-h"'):html.index('id="shelves-h"')]
    assert "牛奶" in needs
    have = usable(db, w["a"], w["milk"], w["today"])
    assert f">{7 - have} 箱<" in needs and f">{have} 箱<" in needs
    shelves = html[html.index('id="shelves-h"'):]
    assert f"{have} 箱" in shelves and "8 箱" not in shelves
    # The public home's "wanted" list follows the same rule.
    from charity.portal.queries.home import wanted_items

    [wanted] = [i for i in wanted_items(db, today=w["today"]) if i.name == "牛奶"]
    assert wanted.shortfall == 7 - have


def test_trace_says_expired_food_is_not_on_the_shelf(client, db, w):
    from charity.funds.models import Receipt

    old, new = (db.get(Receipt, w["docs"][batch].receipt_id) for batch in ("OLD", "NEW"))
    html = client.get("/trace", query_string={"r": old.number, "c": old.check_code,
                                              "lang": "en"}).get_data(as_text=True)
    assert "2 箱 at 张掖路慈善超市 passed its expiry date: it is not handed out and will be " \
        "written off" in html
    assert "still on the shelves" not in html
    html = client.get("/trace", query_string={"r": new.number, "c": new.check_code,
                                              "lang": "en"}).get_data(as_text=True)
    assert "5 箱 still on the shelves at 张掖路慈善超市" in html


# --- charity verify ----------------------------------------------------------------------------

def test_verify_reports_an_expired_batch_handed_out(app, db, w):
    """A movement that got past the rule (an old row, a bulk import) is reported, until a
    reversal undoes it."""
    from charity.ops.verify import run_checks

    check = "no expired food handed out, sold or transferred"
    assert run_checks(db)[check] == []
    dist = Distribution(organization_id=w["org"].id, point_id=w["a"].id,
                        beneficiary_id=w["household"].id, distributed_on=w["today"])
    db.add(dist)
    db.flush()
    legacy = StockMovement(organization_id=w["org"].id, point_id=w["a"].id,
                           item_type_id=w["milk"].id, batch="OLD",
                           kind=MovementKind.DISTRIBUTION, quantity=D("-1"),
                           movement_date=w["today"], document_type="distribution",
                           document_id=dist.id)
    db.add(legacy)
    db.commit()  # `charity verify` rolls its session back when done
    assert expired_outgoing_sql(db) == 1
    [problem] = run_checks(db)[check]
    assert f"stock movement {legacy.id}" in problem and "'OLD'" in problem
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 1 and f"FAIL {check}: 1" in result.output
    db.add(StockMovement(organization_id=w["org"].id, point_id=w["a"].id,
                         item_type_id=w["milk"].id, batch="OLD", kind=MovementKind.REVERSAL,
                         quantity=D("1"), movement_date=w["today"],
                         document_type="distribution", document_id=dist.id,
                         reverses_id=legacy.id))
    db.flush()
    assert run_checks(db)[check] == [] and expired_outgoing_sql(db) == 0


# --- the staff home's one-tap write-off and the daily check -----------------------------------

def test_staff_home_lists_expired_food_and_writes_it_all_off(client, login, db, w,
                                                             make_food):
    a, milk, today = w["a"], w["milk"], w["today"]
    rice = make_food(w["org"], name="大米")
    post_intake(A, db, a, {"received_on": today - dt.timedelta(days=30), "lines": [{
        "item_type_id": rice.id, "quantity": "4", "batch": "R1", "inspected": True,
        "expiry_date": today - dt.timedelta(days=1)}]}, today=today)
    db.commit()
    login(w["volunteer"])
    home = client.get("/staff/").get_data(as_text=True)
    section = re.search(r'<section id="expired-food".*?</section>', home, re.S).group(0)
    assert "张掖路慈善超市" in section and "OLD" in section and "NEW" not in section
    assert "大米" in section and "R1" in section
    assert (today - dt.timedelta(days=3)).isoformat() in section
    form = re.search(r'<form[^>]*action="/staff/stock/write-off-expired".*?</form>', section,
                     re.S).group(0)
    data = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert data["point_id"] == str(a.id) and data["back"] == "home"
    before = db.scalar(sa.select(sa.func.count(WriteOff.id)))
    done = client.post("/staff/stock/write-off-expired", data=data)
    assert done.status_code == 302 and done.location.endswith("/staff/")
    # One write-off per expired batch, whole, reason expired; the good batches untouched.
    offs = db.execute(sa.select(WriteOff.batch, WriteOff.quantity, WriteOff.reason).where(
        WriteOff.point_id == a.id).order_by(WriteOff.batch)).all()
    assert [(b, q, r.value) for b, q, r in offs] == [("OLD", D("2"), "expired"),
                                                     ("R1", D("4"), "expired")]
    assert on_shelf(db, a, milk, "OLD") == 0 and on_shelf(db, a, milk, "NEW") == 5
    assert documents.verify_stock(db) == []
    # A second tap of the same button posts nothing more.
    again = client.post("/staff/stock/write-off-expired", data=data)
    assert again.status_code == 302
    assert db.scalar(sa.select(sa.func.count(WriteOff.id))) == before + 2
    home = client.get("/staff/").get_data(as_text=True)
    assert 'id="expired-food"' not in home and "Expired food written off: 2 batches." in home


def test_write_off_all_is_scoped_to_the_users_points(client, login, db, w):
    data = {"point_id": str(w["a"].id), "back": "home", "submission_token": "t" * 20}
    login(w["volunteer_b"])  # serves B only
    assert client.post("/staff/stock/write-off-expired", data=data).status_code == 403
    home = client.get("/staff/").get_data(as_text=True)
    assert 'id="expired-food"' not in home
    client.post("/logout")
    client.get("/?lang=en")
    login(w["auditor"])  # reads, changes nothing: sees the list, no button
    assert client.post("/staff/stock/write-off-expired", data=data).status_code == 403
    home = client.get("/staff/").get_data(as_text=True)
    assert 'id="expired-food"' in home and "write-off-expired" not in home
    assert on_shelf(db, w["a"], w["milk"], "OLD") == 2


def test_the_scheduler_checks_every_point_daily(db, w):
    from charity.ops.scheduler import tick

    today = w["today"]
    assert tick(db, today, requests_only=True).expired_food == {}
    assert db.scalar(sa.select(sa.func.count(ExpiryCheck.id))) == 0
    result = tick(db, today)
    assert result.expired_food == {w["a"].id: 1}
    checks = {c.point_id: c.expired_batches for c in db.scalars(
        sa.select(ExpiryCheck).where(ExpiryCheck.checked_on == today))}
    assert checks[w["a"].id] == 1 and checks[w["b"].id] == 0
    tick(db, today)  # twice a day (an hourly tick, a second scheduler): recorded once
    assert db.scalar(sa.select(sa.func.count(ExpiryCheck.id)).where(
        ExpiryCheck.point_id == w["a"].id)) == 1
    # Before OLD expired, the check found nothing at A.
    assert tick(db, today - dt.timedelta(days=5)).expired_food == {}
