"""The money ledger screens: list with totals, the one posting form, one-time tokens,
corrections, transfers, exports and who may see what."""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import g, template_rendered
from flask.testing import FlaskClient
from flask_babel import gettext

from charity.audit.models import AuditLog
from charity.core.idempotency import SubmissionToken
from charity.core.clock import org_today
from charity.funds.services import ledger
from charity.funds.models import (FundBalance, FundEntry, Receipt, ReceiptSequence,
                                  ReceiptStatus)

D = Decimal
DAY = dt.date(2026, 3, 1)


# --- fixtures and helpers --------------------------------------------------------------------

class LedgerClient(FlaskClient):
    """A test client that behaves like separate requests in production:

    - what the test set up is committed first (to the test's outer transaction, which is
      still rolled back at the end), so a request that fails rolls back only its own work;
    - the user Flask-Login cached in `g` is forgotten (the `db` fixture keeps one app
      context pushed, so it would otherwise leak from one login to the next).
    """

    test_session = None

    def open(self, *args, **kwargs):
        if self.test_session is not None:
            self.test_session.commit()
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    ledger_client = LedgerClient(app, app.response_class, use_cookies=True)
    ledger_client.test_session = db
    return ledger_client


@pytest.fixture
def manager(make_user, fundraising_org):
    return make_user("manager", org=fundraising_org)


@pytest.fixture
def as_manager(login, manager):
    login(manager)
    return manager


@pytest.fixture
def rendered(app):
    """The templates rendered during the test, with their context."""
    seen = []

    def record(_sender, template, context, **_extra):
        seen.append((template.name, context))

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


def context_of(rendered, name):
    found = [ctx for tpl, ctx in rendered if tpl == name]
    assert found, f"{name} was not rendered"
    return found[-1]


def field_error(page: str, field_id: str) -> str | None:
    m = re.search(rf'<small id="{re.escape(field_id)}-error" class="field-error">([^<]*)</small>',
                  page)
    return html.unescape(m.group(1)).strip() if m else None


def input_value(page: str, name: str) -> str | None:
    m = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    if not m:
        return None
    v = re.search(r'value="([^"]*)"', m.group(0))
    return html.unescape(v.group(1)) if v else ""


def text(app, msgid, **kw) -> str:
    """A UI string as the pages show it in the default language."""
    with app.test_request_context():
        return gettext(msgid, **kw)


def snapshot(db) -> tuple:
    """Everything a posting may write; equal snapshots mean nothing was written."""
    def count(model):
        return db.scalar(sa.select(sa.func.count()).select_from(model))

    return (count(FundEntry), count(Receipt), count(AuditLog), count(SubmissionToken),
            db.scalar(sa.select(sa.func.coalesce(sa.func.sum(ReceiptSequence.last_seq), 0))),
            db.scalar(sa.select(sa.func.coalesce(sa.func.sum(FundBalance.entry_count), 0))))


_tokens = iter(range(1, 1_000_000))


def donation_form(campaign=None, **overrides) -> dict:
    data = {"kind": "donation", "entry_date": DAY.isoformat(), "amount": "100.00",
            "campaign_id": str(campaign.id) if campaign else "", "project_id": "",
            "donor_id": "", "counterparty": "李四", "channel": "wechat", "activity": "",
            "purpose": "", "voucher_no": "", "reference": "WX-0001", "note": "",
            "issue_receipt": "y", "submission_token": f"test-token-{next(_tokens)}"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def spending_form(campaign, project, amount, **overrides) -> dict:
    return donation_form(campaign, kind="project_spending", amount=amount,
                         project_id=str(project.id), counterparty="兰州百货",
                         purpose="购买冬衣", voucher_no="V-001", channel="", reference="",
                         issue_receipt=None, **overrides)


def give(db, actor, org, campaign=None, amount="100.00", receipt=True, **extra):
    data = {"kind": "donation", "amount": D(amount), "entry_date": DAY, "channel": "wechat",
            "counterparty": "李四", "campaign_id": campaign.id if campaign else None}
    data.update(extra)
    return ledger.post_donation(actor, db, org, data, with_receipt=receipt)


def spend(db, actor, org, campaign, project, amount, **extra):
    data = {"kind": "project_spending", "amount": D(amount), "entry_date": DAY,
            "campaign_id": campaign.id if campaign else None, "project_id": project.id,
            "purpose": "购买冬衣", "counterparty": "兰州百货", "voucher_no": "V-9"}
    data.update(extra)
    return ledger.post_entry(actor, db, org, data)


# --- the list --------------------------------------------------------------------------------

def test_list_newest_first_with_marks_and_totals(app, client, db, as_manager, actor,
                                                  fundraising_org, make_campaign, make_project,
                                                  rendered):
    org = fundraising_org
    c = make_campaign()
    p = make_project(campaigns=[c])
    first = give(db, actor, org, c, "1000.00")
    give(db, actor, org, None, "500.00")  # the general fund pays the other spending
    ledger.post_entry(actor, db, org, {"kind": "activity_income", "amount": D("200.00"),
                                       "entry_date": dt.date(2026, 3, 2), "activity": "auction",
                                       "campaign_id": c.id, "counterparty": "义拍会"})
    spend(db, actor, org, c, p, "300.00", entry_date=dt.date(2026, 3, 3))
    ledger.post_entry(actor, db, org, {"kind": "other_spending", "amount": D("50.00"),
                                       "entry_date": dt.date(2026, 3, 4), "purpose": "办公"})
    ledger.post_entry(actor, db, org, {"kind": "fundraising_cost", "amount": D("20.00"),
                                       "entry_date": dt.date(2026, 3, 5), "purpose": "宣传单"})
    wrong = give(db, actor, org, c, "80.00")
    rev, _new = ledger.reverse_entry(actor, db, wrong, "录重了")

    statements = []

    def capture(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        response = client.get("/staff/funds/")
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    ctx = context_of(rendered, "funds/ledger_list.html")
    items = ctx["page"].items
    assert items[0].id == rev.id  # the reversal is dated today: newest
    dates = [e.entry_date for e in items]
    assert dates == sorted(dates, reverse=True)
    assert first.id in {e.id for e in items}
    assert ctx["reversed_ids"] == {wrong.id}
    totals = ctx["totals"]
    assert totals["donation_income"] == D("1700.00")  # 1000 + 500 + 200 + 80 - 80
    assert totals["commercial_income"] == D("0.00")
    assert totals["spent_projects"] == D("300.00")
    assert totals["by_project"] == [[p.name, D("300.00")]]
    assert totals["spent_other"] == D("50.00")
    assert totals["fundraising_costs"] == D("20.00")
    # Unfiltered, the totals come from the kept fund balances: no sum over the ledger.
    grouped = [s for s in statements if "GROUP BY" in s.upper() and "sum(" in s.lower()]
    assert len(grouped) == 0, grouped
    assert text(app, "Reversal") in page and text(app, "Reversed") in page
    assert "-¥80.00" in page or "-CN¥80.00" in page
    assert first.receipt.number in page
    assert "/staff/funds/export.csv" in page and "/staff/funds/export.xlsx" in page


def test_list_filters(client, db, as_manager, actor, fundraising_org, make_campaign,
                      make_project, rendered):
    org = fundraising_org
    c1, c2 = make_campaign(), make_campaign()
    p = make_project(campaigns=[c1])
    a = give(db, actor, org, c1, "10.00", channel="cash", reference="BANK-777")
    b = give(db, actor, org, c2, "20.00", entry_date=dt.date(2026, 4, 1), counterparty="赵六")
    s = spend(db, actor, org, c1, p, "5.00", voucher_no="PZ-42")

    def ids(query):
        rendered.clear()
        assert client.get("/staff/funds/" + query).status_code == 200
        return {e.id for e in context_of(rendered, "funds/ledger_list.html")["page"].items}

    assert ids("") == {a.id, b.id, s.id}
    assert ids(f"?campaign={c1.id}") == {a.id, s.id}
    assert ids(f"?project={p.id}") == {s.id}
    assert ids("?kind=project_spending") == {s.id}
    assert ids("?channel=cash") == {a.id}
    assert ids("?from=2026-03-15") == {b.id}
    assert ids("?to=2026-03-15") == {a.id, s.id}
    assert ids("?q=赵六") == {b.id}
    assert ids("?q=PZ-42") == {s.id}
    assert ids("?q=BANK-777") == {a.id}
    # nonsense in the query string is ignored, never a 500
    assert ids("?campaign=abc&kind=nope&from=2026-13-45&channel=x&page=zz") == {a.id, b.id, s.id}
    totals = context_of(rendered, "funds/ledger_list.html")["totals"]
    rendered.clear()
    client.get(f"/staff/funds/?campaign={c2.id}")
    assert context_of(rendered, "funds/ledger_list.html")["totals"]["donation_income"] == D("20.00")
    assert totals["donation_income"] == D("30.00")


def test_list_is_scoped_to_the_organisation(client, db, login, actor, make_org, make_user,
                                            fundraising_org, rendered):
    mine = give(db, actor, fundraising_org, None, "10.00")
    other_org = make_org()
    theirs = give(db, actor, other_org, None, "20.00")
    login(make_user("manager", org=other_org))
    client.get("/staff/funds/")
    ctx = context_of(rendered, "funds/ledger_list.html")
    assert {e.id for e in ctx["page"].items} == {theirs.id}
    assert ctx["totals"]["donation_income"] == D("20.00")
    assert mine.id not in {e.id for e in ctx["page"].items}

    client.post("/logout")
    login(make_user("admin"))
    rendered.clear()
    client.get("/staff/funds/")
    seen = {e.id for e in context_of(rendered, "funds/ledger_list.html")["page"].items}
    assert {mine.id, theirs.id} <= seen


def test_other_organisation_cannot_view_or_correct(client, db, login, actor, make_org,
                                                   make_user, fundraising_org):
    entry = give(db, actor, fundraising_org, None, "10.00")
    login(make_user("manager", org=make_org()))
    before = snapshot(db)
    assert client.get(f"/staff/funds/{entry.id}").status_code == 403
    assert client.get(f"/staff/funds/{entry.id}/correct").status_code == 403
    response = client.post(f"/staff/funds/{entry.id}/correct",
                           data={"reason": "偷改", "submission_token": "x1"})
    assert response.status_code == 403
    assert snapshot(db) == before
    assert client.get("/staff/funds/999999").status_code == 404
    assert client.get("/staff/funds/99999999999999999999").status_code == 404
    assert client.get("/staff/funds/2147483648/correct").status_code == 404


def test_auditor_reads_but_cannot_post(client, db, login, actor, make_user, fundraising_org):
    entry = give(db, actor, fundraising_org, None, "10.00")
    login(make_user("auditor", org=fundraising_org))
    assert client.get("/staff/funds/").status_code == 200
    assert client.get(f"/staff/funds/{entry.id}").status_code == 200
    assert client.get("/staff/funds/export.csv").status_code == 200
    before = snapshot(db)
    assert client.post("/staff/funds/new", data=donation_form()).status_code == 403
    assert client.get(f"/staff/funds/{entry.id}/correct").status_code == 403
    assert snapshot(db) == before


# --- the posting form ------------------------------------------------------------------------

def test_new_form_defaults(client, db, as_manager, fundraising_org, make_campaign, make_org,
                           rendered):
    mine = make_campaign()
    planned = make_campaign(active=False)
    foreign = make_campaign(org=make_org(can_fundraise_publicly=True, fundraising_cert_no="Z9"))
    response = client.get("/staff/funds/new")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert input_value(page, "entry_date") == org_today(fundraising_org).isoformat()
    token = input_value(page, "submission_token")
    assert token and len(token) >= 20
    assert re.search(r'<input(?=[^>]*name="issue_receipt")[^>]*checked', page)
    assert re.search(r'<input(?=[^>]*name="amount")[^>]*inputmode="decimal"', page)
    form = context_of(rendered, "funds/ledger_form.html")["form"]
    offered = {c.value for c in form.campaign_id.choices}
    assert str(mine.id) in offered
    assert str(planned.id) not in offered and str(foreign.id) not in offered
    assert {c.value for c in form.kind.choices} == {
        "donation", "activity_income", "project_spending", "other_spending", "fundraising_cost",
        "management_cost"}


def test_a_management_cost_is_posted_from_the_general_fund(client, db, as_manager,
                                                           fundraising_org):
    """管理费用 (issue 17 item 2): a spending kind of its own, with its purpose, out of the
    general fund; the balances still verify against the ledger."""
    ledger.post_entry(as_manager, db, fundraising_org, {
        "kind": "donation", "amount": D("500.00"), "entry_date": DAY, "channel": "cash",
        "counterparty": "张三"})
    db.commit()
    form = donation_form(kind="management_cost", amount="120.00", channel="", reference="",
                         issue_receipt=None, counterparty="物业公司", purpose="")
    refused = client.post("/staff/funds/new", data=form)
    assert refused.status_code == 200 and 'id="purpose-error"' in refused.get_data(as_text=True)
    form.update(purpose="办公室租金", submission_token="test-token-management")
    assert client.post("/staff/funds/new", data=form).status_code == 302
    entry = db.scalar(sa.select(FundEntry).order_by(FundEntry.id.desc()))
    assert (entry.kind, entry.amount, entry.campaign_id) == ("management_cost", D("120.00"), None)
    general = db.scalar(sa.select(FundBalance).where(FundBalance.scope == "general",
                                                     FundBalance.scope_id == fundraising_org.id))
    assert general.remaining == D("380.00")
    assert ledger.verify_balances(db) == []


def test_post_donation_with_receipt(app, client, db, as_manager, fundraising_org, make_campaign,
                                    make_donor):
    c = make_campaign()
    donor = make_donor(name="捐赠人甲")
    response = client.post("/staff/funds/new", data=donation_form(
        c, amount="1,234.50", donor_id=str(donor.id), counterparty=""))
    assert response.status_code == 302
    entry = db.scalar(sa.select(FundEntry).order_by(FundEntry.id.desc()))
    assert response.location.endswith(f"/staff/funds/{entry.id}")
    assert (entry.amount, entry.campaign_id, entry.donor_id, entry.counterparty) == (
        D("1234.50"), c.id, donor.id, "捐赠人甲")
    assert entry.posted_by_id == as_manager.id
    assert entry.receipt is not None and entry.receipt.payer_name == "捐赠人甲"
    assert ledger.balance(db, fundraising_org.id, "campaign", c.id).income == D("1234.50")
    detail = client.get(response.location).get_data(as_text=True)
    assert text(app, "Entry posted.") in detail
    assert entry.receipt.number in detail
    if "receipts.receipt_view" in app.view_functions:
        assert f"/staff/receipts/{entry.receipt.id}" in detail
    assert ledger.verify_balances(db) == []


def test_post_without_receipt_and_spending_never_gets_one(client, db, as_manager,
                                                          fundraising_org, make_campaign,
                                                          make_project):
    c = make_campaign()
    p = make_project(campaigns=[c])
    response = client.post("/staff/funds/new", data=donation_form(c, issue_receipt=None,
                                                                  amount="500"))
    assert response.status_code == 302
    gift = db.scalar(sa.select(FundEntry).order_by(FundEntry.id.desc()))
    assert gift.receipt_id is None
    data = spending_form(c, p, "120.00")
    data["issue_receipt"] = "y"  # ticked by habit: spending never gets a receipt
    assert client.post("/staff/funds/new", data=data).status_code == 302
    spent = db.scalar(sa.select(FundEntry).order_by(FundEntry.id.desc()))
    assert (spent.kind.value, spent.amount, spent.receipt_id) == ("project_spending",
                                                                 D("120.00"), None)
    assert ledger.balance(db, fundraising_org.id, "campaign", c.id).remaining == D("380.00")


def test_activity_income(client, db, as_manager, make_campaign):
    c = make_campaign()
    response = client.post("/staff/funds/new", data=donation_form(
        c, kind="activity_income", activity="performance", channel="", counterparty="义演晚会"))
    assert response.status_code == 302
    entry = db.scalar(sa.select(FundEntry).order_by(FundEntry.id.desc()))
    assert entry.activity.value == "performance" and entry.receipt is not None


def test_double_submit_posts_once(client, db, as_manager, make_campaign):
    c = make_campaign()
    data = donation_form(c, amount="66.00")
    first = client.post("/staff/funds/new", data=data)
    assert first.status_code == 302
    before = snapshot(db)
    second = client.post("/staff/funds/new", data=data)
    assert second.status_code == 302
    assert second.location == first.location
    assert snapshot(db) == before
    assert db.scalar(sa.select(sa.func.count()).select_from(FundEntry)
                     .where(FundEntry.amount == D("66.00"))) == 1


def test_failed_posting_frees_its_token(client, db, as_manager, make_campaign):
    c = make_campaign()
    data = donation_form(c, amount="abc")
    assert client.post("/staff/funds/new", data=data).status_code == 200
    data["amount"] = "12.00"
    assert client.post("/staff/funds/new", data=data).status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(FundEntry)) == 1


def _future(org):
    return (org_today(org) + dt.timedelta(days=1)).isoformat()


BAD_INPUT = {
    "negative": ({"amount": "-5"}, "amount"),
    "zero": ({"amount": "0"}, "amount"),
    "too large": ({"amount": "1000000000000"}, "amount"),
    "three decimals": ({"amount": "1.005"}, "amount"),
    "not a number": ({"amount": "abc"}, "amount"),
    "empty amount": ({"amount": ""}, "amount"),
    "future date": ({"entry_date": "FUTURE"}, "entry_date"),
    "no date": ({"entry_date": ""}, "entry_date"),
    "not a date": ({"entry_date": "2026-02-30"}, "entry_date"),
    "unknown campaign": ({"campaign_id": "999999"}, "campaign_id"),
    "campaign not a number": ({"campaign_id": "abc"}, "campaign_id"),
    "campaign id out of range": ({"campaign_id": "99999999999999999999"}, "campaign_id"),
    "project id out of range": ({"project_id": "2147483648"}, "project_id"),
    "foreign campaign": ({"campaign_id": "FOREIGN"}, "campaign_id"),
    "unknown kind": ({"kind": "transfer_in"}, "kind"),
    "no channel": ({"channel": ""}, "channel"),
    "unknown donor": ({"donor_id": "999999"}, "donor_id"),
    "anonymous with receipt": ({"counterparty": ""}, "counterparty"),
    "restricted without fund": ({"restricted": "y", "campaign_id": ""}, "restricted"),
}


@pytest.mark.parametrize("overrides, field", list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_is_answered_next_to_the_field(client, db, as_manager, fundraising_org,
                                                 make_campaign, make_org, overrides, field):
    c = make_campaign()
    foreign = make_campaign(org=make_org(can_fundraise_publicly=True, fundraising_cert_no="Z9"))
    give(db, ledger_actor(), fundraising_org, c, "100.00")
    overrides = dict(overrides)
    if overrides.get("entry_date") == "FUTURE":
        overrides["entry_date"] = _future(fundraising_org)
    if overrides.get("campaign_id") == "FOREIGN":
        overrides["campaign_id"] = str(foreign.id)
    before = snapshot(db)
    response = client.post("/staff/funds/new", data=donation_form(c, **overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, field), f"no message next to {field}"
    assert snapshot(db) == before
    if field == "amount" and overrides["amount"]:
        assert input_value(page, "amount") == overrides["amount"]  # what was typed stays


def ledger_actor():
    from charity.core.system import system_actor

    return system_actor()


SPENDING_BAD = {
    "campaign money on a project it does not fund": ("OTHER_PROJECT", "10.00", "project_id"),
    "overspending": ("PROJECT", "100.01", "amount"),
    "no project": ("", "10.00", "project_id"),
    "no voucher": ("PROJECT_NO_VOUCHER", "10.00", "voucher_no"),
}


@pytest.mark.parametrize("which, amount, field", list(SPENDING_BAD.values()),
                         ids=list(SPENDING_BAD))
def test_bad_spending_is_refused(client, db, as_manager, actor, fundraising_org, make_campaign,
                                 make_project, which, amount, field):
    c = make_campaign()
    funded = make_project(campaigns=[c])
    other = make_project()
    give(db, actor, fundraising_org, c, "100.00", restricted=True)
    data = spending_form(c, other if which == "OTHER_PROJECT" else funded, amount)
    if which == "":
        data["project_id"] = ""
    if which == "PROJECT_NO_VOUCHER":
        data["voucher_no"] = ""
    before = snapshot(db)
    response = client.post("/staff/funds/new", data=data)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), field)
    assert snapshot(db) == before
    assert ledger.balance(db, fundraising_org.id, "campaign", c.id).remaining == D("100.00")


def test_admin_picks_the_organisation(client, db, login, make_user, fundraising_org, make_org,
                                      make_campaign):
    c = make_campaign()
    other = make_org()
    login(make_user("admin"))
    before = snapshot(db)
    response = client.post("/staff/funds/new", data=donation_form(c))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "organization_id")
    response = client.post("/staff/funds/new", data=donation_form(
        c, organization_id="99999999999999999999"))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "organization_id")
    assert snapshot(db) == before
    # the campaign of one organisation cannot be booked to another
    response = client.post("/staff/funds/new", data=donation_form(
        c, organization_id=str(other.id)))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "campaign_id")
    assert snapshot(db) == before
    response = client.post("/staff/funds/new", data=donation_form(
        c, organization_id=str(fundraising_org.id)))
    assert response.status_code == 302
    entry = db.scalar(sa.select(FundEntry).order_by(FundEntry.id.desc()))
    assert entry.organization_id == fundraising_org.id
    assert client.get(f"/staff/funds/new?org={fundraising_org.id}").status_code == 200


def test_manager_cannot_post_to_another_organisation(client, db, as_manager, fundraising_org,
                                                     make_org):
    other = make_org()
    response = client.post("/staff/funds/new", data=donation_form(
        None, organization_id=str(other.id)))
    assert response.status_code == 302
    entry = db.scalar(sa.select(FundEntry).order_by(FundEntry.id.desc()))
    assert entry.organization_id == fundraising_org.id  # the field is ignored for managers


# --- one entry and its correction ------------------------------------------------------------

def test_entry_view_shows_receipt_links_and_history(app, client, db, as_manager, actor,
                                                    fundraising_org, make_campaign):
    c = make_campaign()
    entry = give(db, actor, fundraising_org, c, "200.00")
    rev, new = ledger.reverse_entry(actor, db, entry, "金额录错", replacement={
        "kind": "donation", "amount": D("210.00"), "entry_date": DAY, "channel": "wechat",
        "counterparty": "李四", "campaign_id": c.id})
    page = client.get(f"/staff/funds/{entry.id}").get_data(as_text=True)
    assert entry.receipt.number in page
    assert f"/staff/funds/{rev.id}" in page and f"/staff/funds/{new.id}" in page
    assert text(app, "Fund entry posted") in page  # the audit trail, in words
    assert "金额录错" in page
    assert f"/staff/funds/{entry.id}/correct" not in page  # already corrected
    rev_page = client.get(f"/staff/funds/{rev.id}").get_data(as_text=True)
    assert f"/staff/funds/{entry.id}" in rev_page
    assert text(app, "Fund entry reversed") in rev_page
    new_page = client.get(f"/staff/funds/{new.id}").get_data(as_text=True)
    assert f"/staff/funds/{entry.id}" in new_page
    assert f"/staff/funds/{new.id}/correct" in new_page


def test_history_reads_as_translated_labels_and_values_without_nones(app, client, db,
                                                                    as_manager, actor,
                                                                    fundraising_org):
    """Issue 15: the history said "fund.post kind: donation; …project_id: None"."""
    entry = give(db, actor, fundraising_org, None, "200.00")
    db.commit()
    logged = db.scalar(sa.select(AuditLog).where(AuditLog.action == "fund.post",
                                                 AuditLog.object_id == str(entry.id)))
    assert logged.summary["project_id"] is None  # what the log keeps: codes and Nones
    page = client.get(f"/staff/funds/{entry.id}").get_data(as_text=True)
    history = page.split(text(app, "History"), 1)[1]
    row = re.search(r"<tr>.*?</tr>", history.split("<tbody>", 1)[1], re.S).group(0)
    changes = html.unescape(re.sub(r"<[^>]+>", "", row.rsplit("<td", 1)[1].split(">", 1)[1]))
    assert "fund.post" not in row and text(app, "Fund entry posted") in row
    # Kind and amount as the ledger has them, in the page's language; no empty project.
    assert changes.strip() == (f"{text(app, 'Kind')}: {text(app, 'Donation')}; "
                               f"{text(app, 'Amount')}: {entry.amount}")
    assert "None" not in changes and "project_id" not in changes and "donation" not in changes


def test_correction_flow(client, db, as_manager, actor, fundraising_org, make_campaign):
    c = make_campaign()
    entry = give(db, actor, fundraising_org, c, "200.00")
    form = client.get(f"/staff/funds/{entry.id}/correct").get_data(as_text=True)
    assert input_value(form, "amount") == "200.00"
    assert input_value(form, "counterparty") == "李四"
    token = input_value(form, "submission_token")
    data = donation_form(c, amount="250.00", submission_token=token, replace="y",
                         issue_receipt=None)

    before = snapshot(db)
    response = client.post(f"/staff/funds/{entry.id}/correct", data={**data, "reason": ""})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "reason")
    response = client.post(f"/staff/funds/{entry.id}/correct",
                           data={**data, "reason": "金额录错", "amount": "2.505"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "amount")
    assert snapshot(db) == before

    response = client.post(f"/staff/funds/{entry.id}/correct",
                           data={**data, "reason": "金额录错"})
    assert response.status_code == 302
    new = db.scalar(sa.select(FundEntry).where(FundEntry.replaces_id == entry.id))
    rev = db.scalar(sa.select(FundEntry).where(FundEntry.reverses_id == entry.id))
    assert response.location.endswith(f"/staff/funds/{new.id}")
    assert rev.amount == D("-200.00") and rev.correction_reason == "金额录错"
    assert new.amount == D("250.00") and new.receipt is not None
    assert db.get(Receipt, entry.receipt_id).status == ReceiptStatus.VOIDED
    assert ledger.balance(db, fundraising_org.id, "campaign", c.id).income == D("250.00")
    # the same form again: posted once
    again = client.post(f"/staff/funds/{entry.id}/correct", data={**data, "reason": "金额录错"})
    assert again.status_code == 302 and again.location == response.location
    assert db.scalar(sa.select(sa.func.count()).select_from(FundEntry)) == 3
    # refused: already corrected, and a reversal
    before = snapshot(db)
    for target in (entry, rev):
        response = client.get(f"/staff/funds/{target.id}/correct")
        assert response.status_code == 302
        assert response.location.endswith(f"/staff/funds/{target.id}")
        response = client.post(f"/staff/funds/{target.id}/correct",
                               data={"reason": "再来", "submission_token": "fresh"})
        assert response.status_code == 302
    assert snapshot(db) == before
    assert ledger.verify_balances(db) == []


def test_reversal_without_replacement(client, db, as_manager, actor, fundraising_org,
                                      make_campaign, make_project):
    c = make_campaign()
    p = make_project(campaigns=[c])
    give(db, actor, fundraising_org, c, "100.00")
    spent = spend(db, actor, fundraising_org, c, p, "40.00")
    response = client.post(f"/staff/funds/{spent.id}/correct",
                           data={"reason": "作废", "submission_token": "t-rev-1",
                                 **{k: v for k, v in spending_form(c, p, "999").items()
                                    if k != "submission_token"}})
    assert response.status_code == 302
    assert response.location.endswith(f"/staff/funds/{spent.id}")
    assert db.scalar(sa.select(sa.func.count()).select_from(FundEntry)
                     .where(FundEntry.replaces_id == spent.id)) == 0
    assert ledger.balance(db, fundraising_org.id, "campaign", c.id).remaining == D("100.00")


def test_reversing_income_already_spent_is_refused(client, db, as_manager, actor,
                                                   fundraising_org, make_campaign, make_project):
    c = make_campaign()
    p = make_project(campaigns=[c])
    gift = give(db, actor, fundraising_org, c, "100.00")
    spend(db, actor, fundraising_org, c, p, "60.00")
    before = snapshot(db)
    response = client.post(f"/staff/funds/{gift.id}/correct",
                           data={"reason": "退款", "submission_token": "t-x"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "reason")
    assert snapshot(db) == before


# --- transfers -------------------------------------------------------------------------------

def transfer_form(src, dst, amount="40.00", **overrides):
    data = {"from_campaign_id": str(src.id) if src else "",
            "to_campaign_id": str(dst.id) if dst else "", "amount": amount,
            "entry_date": DAY.isoformat(), "reason": "调剂",
            "submission_token": f"t-transfer-{next(_tokens)}"}
    data.update(overrides)
    return data


def test_transfer(client, db, as_manager, actor, fundraising_org, make_campaign):
    a, b = make_campaign(), make_campaign()
    give(db, actor, fundraising_org, a, "100.00")
    page = client.get("/staff/funds/transfer").get_data(as_text=True)
    assert input_value(page, "entry_date") == org_today(fundraising_org).isoformat()
    data = transfer_form(a, b)
    response = client.post("/staff/funds/transfer", data=data)
    assert response.status_code == 302
    out = db.scalar(sa.select(FundEntry).where(FundEntry.kind == "transfer_out"))
    assert response.location.endswith(f"/staff/funds/{out.id}")
    assert ledger.balance(db, fundraising_org.id, "campaign", a.id).remaining == D("60.00")
    assert ledger.balance(db, fundraising_org.id, "campaign", b.id).remaining == D("40.00")
    before = snapshot(db)
    assert client.post("/staff/funds/transfer", data=data).location == response.location
    assert snapshot(db) == before
    # to the general fund
    response = client.post("/staff/funds/transfer", data=transfer_form(b, None, "15"))
    assert response.status_code == 302
    to_general = db.scalar(sa.select(FundEntry).where(FundEntry.kind == "transfer_out")
                           .order_by(FundEntry.id.desc()))
    assert ledger.balance(db, fundraising_org.id, "general",
                          fundraising_org.id).remaining == D("15.00")
    assert ledger.verify_balances(db) == []
    # the transfer's page links its other side; correcting it reverses both sides
    detail = client.get(f"/staff/funds/{out.id}").get_data(as_text=True)
    into = db.scalar(sa.select(FundEntry).where(FundEntry.transfer_group == out.transfer_group,
                                                FundEntry.id != out.id))
    assert f"/staff/funds/{into.id}" in detail
    # the first transfer cannot be undone any more: b passed part of it on
    before = snapshot(db)
    response = client.post(f"/staff/funds/{out.id}/correct",
                           data={"reason": "调错了", "submission_token": "t-tr-rev"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "reason")
    assert snapshot(db) == before
    response = client.post(f"/staff/funds/{to_general.id}/correct",
                           data={"reason": "调错了", "submission_token": "t-tr-rev"})
    assert response.status_code == 302
    assert ledger.balance(db, fundraising_org.id, "campaign", b.id).remaining == D("40.00")
    assert ledger.balance(db, fundraising_org.id, "general",
                          fundraising_org.id).remaining == D("0.00")
    assert ledger.verify_balances(db) == []


TRANSFER_BAD = {
    "same fund": ({"to_campaign_id": "SRC"}, "to_campaign_id"),
    "overdrawn": ({"amount": "100.01"}, "amount"),
    "zero": ({"amount": "0"}, "amount"),
    "not a number": ({"amount": "abc"}, "amount"),
    "no reason": ({"reason": ""}, "reason"),
    "future": ({"entry_date": "FUTURE"}, "entry_date"),
    "no date": ({"entry_date": ""}, "entry_date"),
    "unknown campaign": ({"to_campaign_id": "999999"}, "to_campaign_id"),
}


@pytest.mark.parametrize("overrides, field", list(TRANSFER_BAD.values()), ids=list(TRANSFER_BAD))
def test_bad_transfer(client, db, as_manager, actor, fundraising_org, make_campaign, overrides,
                      field):
    a, b = make_campaign(), make_campaign()
    give(db, actor, fundraising_org, a, "100.00")
    overrides = dict(overrides)
    if overrides.get("to_campaign_id") == "SRC":
        overrides["to_campaign_id"] = str(a.id)
    if overrides.get("entry_date") == "FUTURE":
        overrides["entry_date"] = _future(fundraising_org)
    before = snapshot(db)
    response = client.post("/staff/funds/transfer", data=transfer_form(a, b, **overrides))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), field)
    assert snapshot(db) == before


# --- export ----------------------------------------------------------------------------------

@pytest.fixture
def booked(db, actor, fundraising_org, make_campaign, make_project):
    """A small ledger with awkward amounts: cents that float would get wrong, a huge gift,
    a reversal."""
    c = make_campaign()
    p = make_project(campaigns=[c])
    amounts = ["0.10", "0.20", "987654321098.76", "1234.50", "33.33"]
    entries = [give(db, actor, fundraising_org, c, a) for a in amounts]
    spend(db, actor, fundraising_org, c, p, "0.30")
    ledger.reverse_entry(actor, db, entries[-1], "重复")
    return {"campaign": c, "project": p}


def _ledger_sum(db, org, **where):
    stmt = sa.select(sa.func.sum(FundEntry.amount)).where(FundEntry.organization_id == org.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(FundEntry, key) == value)
    return D(db.scalar(stmt))


def test_export_csv(app, client, db, as_manager, fundraising_org, booked):
    response = client.get("/staff/funds/export.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="ledger-\d{4}-\d{2}-\d{2}\.csv"', disposition)
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[4] == text(app, "Amount (yuan)")
    assert len(body) == db.scalar(sa.select(sa.func.count()).select_from(FundEntry))
    amounts = [row[4] for row in body]
    assert all(re.fullmatch(r"-?\d+\.\d{2}", a) for a in amounts), amounts
    assert "987654321098.76" in amounts and "-33.33" in amounts
    assert sum(D(a) for a in amounts) == _ledger_sum(db, fundraising_org)
    donations = [D(row[4]) for row in body if row[3] == text(app, "Donation")]
    assert sum(donations) == _ledger_sum(db, fundraising_org, kind="donation")
    reversal = [row for row in body if row[4] == "-33.33"][0]
    original = [row for row in body if row[4] == "33.33"][0]
    assert reversal[15] == original[0] and original[16] == reversal[0]


def test_export_csv_uses_the_filter(client, db, as_manager, fundraising_org, booked):
    response = client.get("/staff/funds/export.csv?kind=project_spending")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))[1:]
    assert [row[4] for row in rows] == ["0.30"]


def test_export_xlsx(app, client, db, as_manager, fundraising_org, booked):
    from openpyxl import load_workbook

    response = client.get("/staff/funds/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "ledger-" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=False))
    header, body = rows[0], rows[1:]
    assert header[4].value == text(app, "Amount (yuan)")
    assert len(body) == db.scalar(sa.select(sa.func.count()).select_from(FundEntry))
    assert all(row[4].number_format == "0.00" for row in body)
    assert all(isinstance(row[4].value, (int, float)) for row in body)
    total = sum(D(str(row[4].value)).quantize(D("0.01")) for row in body)
    assert total == _ledger_sum(db, fundraising_org)
    assert isinstance(body[0][1].value, dt.datetime)  # dates are real dates
    book.close()


def test_export_is_scoped(client, db, login, actor, make_org, make_user, fundraising_org,
                          booked):
    other = make_org()
    give(db, actor, other, None, "7.00")
    login(make_user("auditor", org=other))
    rows = list(csv.reader(io.StringIO(
        client.get("/staff/funds/export.csv").get_data().decode("utf-8-sig"))))[1:]
    assert [row[4] for row in rows] == ["7.00"]
    assert client.get("/staff/funds/export.pdf").status_code == 404


def test_correcting_sales_income_keeps_its_kind(client, db, as_manager, actor, fundraising_org):
    sale = ledger.post_entry(actor, db, fundraising_org, {
        "kind": "sale_income", "amount": D("12.00"), "entry_date": DAY, "purpose": "义卖旧衣"})
    page = client.get(f"/staff/funds/{sale.id}/correct").get_data(as_text=True)
    assert re.search(r'<option selected value="sale_income">', page)
    response = client.post(f"/staff/funds/{sale.id}/correct", data={
        "reason": "金额错", "replace": "y", "kind": "sale_income", "amount": "21.00",
        "entry_date": DAY.isoformat(), "purpose": "义卖旧衣", "submission_token": "t-sale"})
    assert response.status_code == 302
    new = db.scalar(sa.select(FundEntry).where(FundEntry.replaces_id == sale.id))
    assert (new.kind.value, new.amount) == ("sale_income", D("21.00"))
    assert ledger.balance(db, fundraising_org.id, "org", fundraising_org.id).commercial_income \
        == D("21.00")


def test_totals_name_the_projects_that_spent_most(app, client, db, as_manager, actor,
                                                  fundraising_org, make_campaign, make_project,
                                                  rendered):
    """Issue 21: an administrator's thousand projects are not listed in the totals; the ten
    that spent most are, and the page says how many more there are (the filter shows each)."""
    org, c = fundraising_org, make_campaign()
    give(db, actor, org, c, "10000.00")
    spent = {}
    for i in range(12):
        p = make_project(campaigns=[c])
        amount = D(100 + 7 * ((i * 5) % 12))  # twelve different amounts, not in creation order
        spend(db, actor, org, c, p, str(amount))
        spent[p.name] = amount
    db.commit()
    for query in ("", f"?org={org.id}&kind=project_spending"):  # kept and summed totals
        html = client.get("/staff/funds/" + query).get_data(as_text=True)
        totals = context_of(rendered, "funds/ledger_list.html")["totals"]
        biggest = sorted(spent.items(), key=lambda kv: -kv[1])[:10]
        assert totals["by_project"] == [[name, amount] for name, amount in biggest]
        assert totals["more_projects"] == 2
        assert totals["spent_projects"] == sum(spent.values())
        assert text(app, "and %(n)d more projects: choose one in the filter above to see its "
                    "spending.", n=2) in html
        rendered.clear()
