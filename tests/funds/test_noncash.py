"""Non-cash gifts: valuation rules, receipts only where the law allows, the web form."""
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_babel import force_locale
from PIL import Image

from charity.core.errors import PermissionDenied, ValidationFailed
from charity.orgs import uscc
from charity.funds.models import (NonCashGift, Receipt, ReceiptKind, ReceiptSequence,
                                  StoredFile)
from charity.funds.services.noncash import record_gift, short_item
from charity.funds.uploads import FileStore, Upload, upload_dir
from tests.factories_funds import TODAY


def english(message) -> str:
    """A service message in English (the msgid), whatever the default locale."""
    with force_locale("en"):
        return str(message)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(out, "PNG")
    return out.getvalue()


def gift_data(donor=None, **extra):
    data = {"property_type": "securities", "description": "某上市公司股票 1000 股",
            "valuation_basis": "fair_value", "value": "12345.60",
            "received_on": dt.date(2026, 6, 1), "donor_id": donor.id if donor else None,
            "issue_receipt": True}
    data.update(extra)
    return data


def counts(db):
    return (db.scalar(sa.select(sa.func.count(NonCashGift.id))),
            db.scalar(sa.select(sa.func.count(StoredFile.id))),
            db.scalar(sa.select(sa.func.count(Receipt.id))),
            db.scalar(sa.select(sa.func.coalesce(sa.func.sum(ReceiptSequence.last_seq), 0))))


@pytest.fixture
def donor(make_donor):
    return make_donor(name="兰州某科技公司", kind="organization",
                      id_code=uscc.make("91620100MA0000000"))  # a valid GB 32100 code


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path)


def record(db, actor, org, data, files=(), store=None):
    return record_gift(actor, db, org, data, list(files), today=TODAY, store=store)


# --- valuation and receipts -------------------------------------------------------------------

def test_not_measurable_gift_is_recorded_without_receipt(db, actor, fundraising_org, donor):
    gift = record(db, actor, fundraising_org, gift_data(
        donor, property_type="service", description="法律咨询服务 20 小时",
        valuation_basis="not_measurable", value="", issue_receipt=False))
    assert gift.id and gift.value is None and gift.receipt_id is None


def test_not_measurable_gift_asking_for_a_receipt_is_told_why_not(db, actor, fundraising_org,
                                                                   donor):
    before = counts(db)
    with pytest.raises(ValidationFailed) as err:
        record(db, actor, fundraising_org, gift_data(
            donor, valuation_basis="not_measurable", value="", issue_receipt=True))
    assert err.value.field == "issue_receipt"
    assert "gets no receipt" in english(err.value.message)
    db.rollback()
    assert counts(db) == before


def test_not_measurable_gift_takes_no_value(db, actor, fundraising_org, donor):
    with pytest.raises(ValidationFailed) as err:
        record(db, actor, fundraising_org, gift_data(
            donor, valuation_basis="not_measurable", value="100", issue_receipt=False))
    assert err.value.field == "value"


def test_fair_value_without_evidence_is_refused(db, actor, fundraising_org, donor):
    db.commit()
    before = counts(db)
    for with_receipt in (True, False):
        with pytest.raises(ValidationFailed) as err:
            record(db, actor, fundraising_org, gift_data(donor, issue_receipt=with_receipt))
        assert err.value.field == "files"
        assert "fair value needs evidence" in english(err.value.message)
        db.rollback()
    assert counts(db) == before  # no gift, no receipt, no receipt number taken


def test_fair_value_with_a_png_gets_its_receipt(db, actor, fundraising_org, donor, store,
                                                tmp_path):
    gift = record(db, actor, fundraising_org, gift_data(donor),
                  [Upload("估值报告.png", png_bytes())], store=store)
    receipt = db.get(Receipt, gift.receipt_id)
    assert receipt.kind == ReceiptKind.NONCASH and receipt.total == Decimal("12345.60")
    assert receipt.payer_name == "兰州某科技公司" and receipt.payer_code == uscc.make("91620100MA0000000")
    assert receipt.issued_on == dt.date(2026, 6, 1)
    (line,) = receipt.lines
    assert (line.item, line.unit, line.quantity, line.amount) == (
        "某上市公司股票 1000 股", "项", Decimal("1"), Decimal("12345.60"))
    (stored,) = db.scalars(sa.select(StoredFile).where(StoredFile.noncash_gift_id == gift.id))
    assert stored.mime == "image/png" and stored.original_name == "估值报告.png"
    assert stored.organization_id == fundraising_org.id
    # Staged under a temporary name until the caller commits and publishes.
    assert [p.name for p in tmp_path.iterdir()] == [stored.stored_name + ".part"]
    store.publish()
    assert (tmp_path / stored.stored_name).read_bytes() == png_bytes()


@pytest.mark.parametrize("basis", ["document_amount", "historical_cost"])
def test_other_bases_need_no_file(db, actor, fundraising_org, donor, basis):
    gift = record(db, actor, fundraising_org, gift_data(donor, valuation_basis=basis,
                                                        property_type="equity"))
    assert gift.receipt is not None and gift.receipt.total == Decimal("12345.60")


def test_receipt_item_is_a_short_description():
    long = "甲" * 100 + "\n第二行"
    item = short_item(long)
    assert len(item) == 60 and item.endswith("…")
    assert short_item("一行\n两行") == "一行"


@pytest.mark.parametrize("extra,field", [
    ({"value": ""}, "value"),
    ({"value": "abc"}, "value"),
    ({"value": "-5"}, "value"),
    ({"value": "1.234"}, "value"),
    ({"property_type": "spaceship"}, "property_type"),
    ({"valuation_basis": "guess"}, "valuation_basis"),
    ({"description": "   "}, "description"),
    ({"received_on": dt.date(2026, 11, 26)}, "received_on"),  # after TODAY
    ({"received_on": None}, "received_on"),
    ({"donor_id": 999999}, "donor_id"),
])
def test_bad_data_is_refused_next_to_its_field(db, actor, fundraising_org, donor, extra,
                                               field):
    data = gift_data(donor, valuation_basis="document_amount")
    data.update(extra)
    before = counts(db)
    with pytest.raises(ValidationFailed) as err:
        record(db, actor, fundraising_org, data)
    assert err.value.field == field
    db.rollback()
    assert counts(db) == before


def test_a_receipt_needs_a_donor(db, actor, fundraising_org):
    with pytest.raises(ValidationFailed) as err:
        record(db, actor, fundraising_org, gift_data(None, valuation_basis="document_amount"))
    assert err.value.field == "donor_id"
    gift = record(db, actor, fundraising_org, gift_data(
        None, valuation_basis="document_amount", issue_receipt=False))
    assert gift.donor_id is None and gift.receipt_id is None


def test_campaign_must_be_running_and_of_the_same_organisation(
        db, actor, fundraising_org, donor, make_campaign, make_org, make_project):
    planned = make_campaign(active=False)
    with pytest.raises(ValidationFailed) as err:
        record(db, actor, fundraising_org, gift_data(
            donor, valuation_basis="document_amount", campaign_id=planned.id))
    assert err.value.field == "campaign_id"
    other = make_org(can_fundraise_publicly=True, fundraising_cert_no="X9")
    foreign = make_campaign(org=other)
    with pytest.raises(ValidationFailed) as err:
        record(db, actor, fundraising_org, gift_data(
            donor, valuation_basis="document_amount", campaign_id=foreign.id))
    assert err.value.field == "campaign_id"
    running = make_campaign()
    project = make_project(campaigns=[running])
    gift = record(db, actor, fundraising_org, gift_data(
        donor, valuation_basis="document_amount", campaign_id=running.id,
        project_id=project.id))
    assert (gift.campaign_id, gift.project_id) == (running.id, project.id)


def test_only_managers_record_gifts(db, fundraising_org, donor, make_user, make_point):
    volunteer = make_user("volunteer", org=fundraising_org,
                          points=[make_point(fundraising_org)])
    with pytest.raises(PermissionDenied):
        record(db, volunteer, fundraising_org, gift_data(donor, valuation_basis="document_amount"))


# --- the web screens ------------------------------------------------------------------------

class FreshClient(FlaskClient):
    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")
    return c


@pytest.fixture
def manager(make_user, fundraising_org):
    return make_user("manager", org=fundraising_org)


def form_token(client, url="/staff/noncash/new"):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="submission_token" type="hidden" value="([^"]+)"', html).group(1)


def post(client, token, donor, files=(), **extra):
    data = {"submission_token": token, "organization_id": str(donor.organization_id),
            "property_type": "securities",
            "description": "某上市公司股票 1000 股", "valuation_basis": "fair_value",
            "value": "12345.60", "received_on": "2026-06-01",
            "donor_id": str(donor.id) if donor else "", "campaign_id": "", "project_id": "",
            "issue_receipt": "y", "files": list(files)}
    data.update(extra)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/staff/noncash/new", data=data, content_type="multipart/form-data")


def test_form_offers_the_organisations_choices(client, login, manager, donor, make_campaign):
    running = make_campaign()
    login(manager)
    html = client.get(f"/staff/noncash/new?donor_id={donor.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html and "multiple" in html
    assert f'<option selected value="{donor.id}">' in html  # preselected from ?donor_id=
    assert running.name in html


def test_web_gift_with_png_issues_a_receipt(client, login, db, app, manager, donor):
    login(manager)
    token = form_token(client)
    response = post(client, token, donor, [(io.BytesIO(png_bytes()), "报告.png")])
    assert response.status_code == 302
    gift = db.scalar(sa.select(NonCashGift).order_by(NonCashGift.id.desc()))
    assert response.location.endswith(f"/staff/noncash/{gift.id}")
    assert gift.receipt_id is not None
    (stored,) = gift.files
    assert (upload_dir(app.instance_path) / stored.stored_name).is_file()
    page = client.get(f"/staff/noncash/{gift.id}").get_data(as_text=True)
    assert "报告.png" in page and f"/staff/noncash/files/{stored.id}" in page
    assert db.get(Receipt, gift.receipt_id).number in page
    listing = client.get("/staff/noncash/").get_data(as_text=True)
    assert "某上市公司股票" in listing


def test_web_fair_value_without_file_is_answered_on_the_form(client, login, db, manager, donor):
    login(manager)
    token = form_token(client)
    before = counts(db)
    response = post(client, token, donor)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = html[html.index('id="files-error"'):][:400]
    assert "fair value needs evidence" in error
    assert 'value="12345.60"' in html and "某上市公司股票 1000 股" in html
    assert counts(db) == before


def test_web_not_measurable_with_receipt_ticked_is_explained(client, login, db, manager, donor):
    login(manager)
    token = form_token(client)
    before = counts(db)
    response = post(client, token, donor, valuation_basis="not_measurable", value="")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "gets no receipt" in html[html.index('id="issue_receipt-error"'):][:300]
    assert counts(db) == before
    response = post(client, token, donor, valuation_basis="not_measurable", value="",
                    issue_receipt=None)
    assert response.status_code == 302
    gift = db.scalar(sa.select(NonCashGift).order_by(NonCashGift.id.desc()))
    assert gift.receipt_id is None and gift.value is None


def test_web_double_submission_records_once(client, login, db, manager, donor):
    login(manager)
    token = form_token(client)
    first = post(client, token, donor, valuation_basis="document_amount")
    second = post(client, token, donor, valuation_basis="document_amount")
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.scalar(sa.select(sa.func.count(NonCashGift.id))) == 1
    assert db.scalar(sa.select(sa.func.count(Receipt.id))) == 1


def test_web_bad_value_keeps_typing(client, login, db, manager, donor):
    login(manager)
    token = form_token(client)
    before = counts(db)
    response = post(client, token, donor, valuation_basis="document_amount", value="12,3a")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="value-error"' in html and 'value="12,3a"' in html
    assert counts(db) == before


@pytest.mark.parametrize("role,status", [("volunteer", 403), ("auditor", 403)])
def test_only_managers_open_the_form(client, login, make_user, make_point, fundraising_org,
                                     role, status):
    login(make_user(role, org=fundraising_org,
                    points=[make_point(fundraising_org)] if role == "volunteer" else ()))
    assert client.get("/staff/noncash/new").status_code == status


def test_auditor_reads_gifts_but_other_organisations_do_not(client, login, db, actor,
                                                            fundraising_org, donor, make_user,
                                                            make_org):
    gift = record(db, actor, fundraising_org, gift_data(donor, valuation_basis="document_amount"))
    login(make_user("auditor", org=fundraising_org))
    assert client.get(f"/staff/noncash/{gift.id}").status_code == 200
    other = FreshClient(client.application, client.application.response_class)
    outsider = make_user("manager", org=make_org())
    other.post("/login", data={"username": outsider.username,
                               "password": "correct-horse-battery"})
    assert other.get(f"/staff/noncash/{gift.id}").status_code == 403
    assert "某上市公司股票" not in other.get("/staff/noncash/").get_data(as_text=True)
