"""The managers' parts of the annual report (issue 17 item 2; Charity Law Art. 13): staff
pay, overseas cooperation, asset changes, related parties and the audit report, entered on
a staff screen before the deadline. The audit report is a PDF (judged by its content); an
organisation that may fundraise publicly and has none publishes "未提供审计报告", and the
transparency score counts the gap."""
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.core.i18n import _l
from charity.disclosure.annual.models import AnnualStatement
from charity.disclosure.models import Obligation
from charity.disclosure.obligations import refresh_all
from charity.disclosure.publishing import publish_obligation
from charity.reports.pdf import ICC_RESOURCE_WARNING
from charity.transparency.measures import Context, annual_report
from tests.disclosure.test_campaign_content import squashed

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
DUE = dt.date(2026, 5, 31)
PDF = b"%PDF-1.4\n% an auditor's report\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def _field_error(response, field_id) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>',
                      response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


@pytest.fixture
def annual(db, make_org, make_user, login):
    def build(public=True):
        org = make_org(registered_on=dt.date(2025, 1, 1), org_type="foundation",
                       can_fundraise_publicly=public,
                       fundraising_cert_no="62000000000011" if public else "")
        refresh_all(db, dt.date(2026, 5, 1))
        db.commit()
        ob = db.scalar(sa.select(Obligation).where(Obligation.organization_id == org.id,
                                                   Obligation.kind == "annual"))
        assert (ob.seq, ob.due) == (2025, DUE)
        login(make_user("manager", org=org))
        return org, ob
    return build


def _save(client, ob, audit=None, **texts):
    data = {"staff_pay": "", "overseas_cooperation": "", "asset_changes": "",
            "related_parties": "", **texts}
    if audit is not None:
        data["audit_report"] = (io.BytesIO(audit[1]), audit[0])
    return client.post(f"/staff/disclosure/{ob.id}/annual", data=data,
                       content_type="multipart/form-data")


def test_the_upload_refuses_a_non_pdf_with_the_error_next_to_the_field(app, db, client,
                                                                       annual):
    _org, ob = annual()
    response = _save(client, ob, audit=("审计报告.pdf", PNG), staff_pay="专职 3 人")
    assert response.status_code == 200
    with app.test_request_context():
        assert _field_error(response, "audit_report") == str(
            _l("The audit report must be a PDF file."))
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count(AnnualStatement.id))) == 0  # nothing saved


def test_the_saved_parts_and_the_audit_report_go_into_the_published_report(app, db, client,
                                                                           annual):
    org, ob = annual()
    response = _save(client, ob, audit=("2025年度审计报告.pdf", PDF),
                     staff_pay="专职工作人员3人，工资福利合计186000元",
                     overseas_cooperation="无", asset_changes="购置冷藏柜一台",
                     related_parties="无关联交易")
    assert response.status_code == 302
    db.expire_all()
    row = db.scalar(sa.select(AnnualStatement).where(AnnualStatement.organization_id == org.id))
    assert (row.year, row.audit_name, row.audit_size) == (2025, "2025年度审计报告.pdf", len(PDF))
    download = client.get(f"/staff/disclosure/{ob.id}/annual/audit-report")
    assert download.data == PDF
    download.close()
    assert db.scalar(sa.select(sa.func.count(AuditLog.id)).where(
        AuditLog.action == "annual.statement_save")) == 1
    text = squashed(publish_obligation(db, db.get(Obligation, ob.id), DUE).pdf)
    for part in ("工作人员工资福利专职工作人员3人，工资福利合计186000元",
                 "与境外组织或者个人开展合作无", "重大资产变动购置冷藏柜一台", "关联交易无关联交易",
                 "已提供审计报告：2025年度审计报告.pdf"):
        assert part in text, part
    assert "未提供审计报告" not in text
    # Published: the parts can no longer change.
    assert _save(client, db.get(Obligation, ob.id), staff_pay="改").status_code == 200
    db.expire_all()
    assert db.get(AnnualStatement, row.id).staff_pay.startswith("专职")


def test_without_an_audit_report_the_report_says_so_and_the_score_counts_it(app, db, client,
                                                                             annual):
    org, ob = annual()
    pub = publish_obligation(db, ob, DUE)
    assert "未提供审计报告" in squashed(pub.pdf)
    db.commit()
    with app.test_request_context():
        from flask import url_for

        url = url_for("disclosures.publication_view", pub_id=pub.id)
    page = client.get(url)  # the public page prints the same body
    assert page.status_code == 200 and "未提供审计报告" in page.get_data(as_text=True)
    measure = annual_report(Context(db, dt.date(2026, 6, 1)), org)
    # The one annual report in the window, on time, but unaudited: half of what it counts.
    assert measure.applicable and str(measure.fraction) == "0.5000"
    assert any(g.endpoint == "annual_statement.statement_edit" for g in measure.gaps)
    db.add(AnnualStatement(organization_id=org.id, year=2025, audit_stored_name="f" * 32,
                           audit_name="a.pdf"))
    db.flush()
    assert annual_report(Context(db, dt.date(2026, 6, 1)), org).fraction == 1


def test_an_organisation_without_public_fundraising_needs_no_audit_report(db, annual):
    org, ob = annual(public=False)
    text = squashed(publish_obligation(db, ob, DUE).pdf)
    assert "本机构不具有公开募捐资格，未提供审计报告" in text
    assert annual_report(Context(db, dt.date(2026, 6, 1)), org).fraction == 1
