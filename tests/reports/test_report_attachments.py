"""Every PDF carries its data (issue 17 item 7): the JSON snapshot whose SHA-256 is the
published one, and its tables as CSV; amounts are printed with thousands separators and the
text layer keeps them whole."""
import csv
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.money import figures
from charity.core.system import system_actor
from charity.disclosure.models import Publication
from charity.disclosure.publishing import publish_correction
from charity.funds.services import ledger
from charity.ops.scheduler import tick
from charity.reports.attachments import snapshot_tables
from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_attachments, pdf_text

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
TODAY = dt.date(2026, 11, 25)


def post(db, org, kind, amount, day, **extra):
    return ledger.post_entry(system_actor(), db, org, {
        "kind": kind, "amount": Decimal(amount), "entry_date": day, **extra}, today=TODAY)


@pytest.fixture
def reports(db, fundraising_org, make_campaign, make_project):
    campaign = make_campaign(name="冬衣募捐", planned_start=dt.date(2026, 1, 1),
                             planned_end=dt.date(2026, 12, 31))
    project = make_project(name="助学", campaigns=[campaign],
                           planned_start=dt.date(2026, 1, 1), planned_end=None)
    post(db, fundraising_org, "donation", "12345.67", dt.date(2026, 1, 5),
         campaign_id=campaign.id, channel="wechat", counterparty="爱心人士")
    post(db, fundraising_org, "donation", "1000", dt.date(2026, 2, 5),
         campaign_id=campaign.id, channel="cash", counterparty="爱心人士")
    post(db, fundraising_org, "project_spending", "2400.50", dt.date(2026, 2, 20),
         campaign_id=campaign.id, project_id=project.id, purpose="购买冬衣",
         counterparty="兰州百货", voucher_no="V-1")
    db.commit()
    published = [db.get(Publication, i) for i in tick(db, dt.date(2026, 4, 1)).published]
    return {p.subject_type: p for p in published}


def check_snapshot_attached(pub):
    attached = pdf_attachments(pub.pdf)
    snapshot = attached["snapshot.json"]
    assert hashlib.sha256(snapshot).hexdigest() == pub.snapshot_sha256
    assert snapshot.decode("utf-8") == pub.snapshot
    return attached, json.loads(snapshot)


def test_campaign_report_attaches_snapshot_and_tables(reports):
    pub = reports["campaign"]
    attached, snapshot = check_snapshot_attached(pub)
    tables = snapshot_tables(snapshot, skip={"donors"})
    assert tables and set(tables) <= set(attached)
    rows = list(csv.DictReader(io.StringIO(
        attached["money-cumulative-donations_by_channel.csv"].decode("utf-8-sig"))))
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("13345.67")
    text = "".join(pdf_text(pub.pdf))
    assert "13,345.67" in text and "12,345.67" in text and "13345.67" not in text


def test_project_report_attaches_its_snapshot(reports):
    pub = reports["project"]
    attached, snapshot = check_snapshot_attached(pub)
    assert snapshot["subject"]["name"] == "助学"
    assert "2,400.50" in "".join(pdf_text(pub.pdf))


def test_correction_attaches_its_own_snapshot(db, reports):
    fix = publish_correction(system_actor(), db, reports["campaign"], "渠道分类有误",
                             dt.date(2026, 4, 5))
    db.commit()
    _attached, snapshot = check_snapshot_attached(fix)
    assert snapshot["kind"] == "correction"


@pytest.mark.parametrize("value, shown", [
    (Decimal("1234567.8"), "1,234,567.80"), ("-1234.5", "-1,234.50"), (0, "0.00"),
    ("—", "—"), (None, ""),
])
def test_figures_filter(value, shown):
    assert figures(value) == shown


def test_figures_filter_refuses_floats():
    with pytest.raises(TypeError):
        figures(1234.5)
