"""CHARITY_PUBLIC_URL (issue 15 item 4): every QR code and absolute link that leaves the
screen — receipts and their PDFs, drop-off codes, the Atom feed, API answers — carries the
configured public address, even when the request came to the counter PC's 127.0.0.1; the
staff home warns an administrator while it is unset and the site is not on loopback."""
import io
import re
import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient

from charity.core.config import ConfigError
from charity.reports.pdf import ICC_RESOURCE_WARNING
from charity.reports.qr import qr_svg
from charity.web.public_url import is_loopback
from tests.portal.api_world import world  # noqa: F401  (fixture)

PUBLIC = "https://charity.example.org"
COUNTER = "127.0.0.1:5000"  # the counter PC's browser
A = "{http://www.w3.org/2005/Atom}"


class FreshClient(FlaskClient):
    """Each request in its own app context, as in production; with `host` set, every request
    says it came to that host (a Host header: the cookies stay those of the test client)."""

    host: str | None = None

    def open(self, *args, **kwargs):
        if self.host and not isinstance(kwargs.get("headers"), list):
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "Host": self.host}
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")
    return c


@pytest.fixture
def counter(client):
    on_host(client, COUNTER)
    return client


@pytest.fixture
def public(app, monkeypatch):
    monkeypatch.setitem(app.config, "CHARITY_PUBLIC_URL", PUBLIC)


def on_host(client, host: str) -> None:
    client.host = host


# --- the setting -------------------------------------------------------------------------

def test_the_setting_is_read_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("CHARITY_PUBLIC_URL", "https://charity.example.org/lanzhou/")
    assert make_app().config["CHARITY_PUBLIC_URL"] == "https://charity.example.org/lanzhou"
    monkeypatch.setenv("CHARITY_PUBLIC_URL", "")
    assert make_app().config["CHARITY_PUBLIC_URL"] is None


@pytest.mark.parametrize("value", ["charity.example.org", "ftp://charity.example.org",
                                   "https://", "https://x.org/?a=1", "https://x.org/#top",
                                   "https://user:pw@x.org"])
def test_a_malformed_address_stops_the_start(make_app, value):
    with pytest.raises(ConfigError, match="CHARITY_PUBLIC_URL"):
        make_app(PUBLIC_URL=value)


@pytest.mark.parametrize("host,loopback", [
    ("127.0.0.1", True), ("127.0.0.1:5000", True), ("localhost:8000", True),
    ("[::1]:5000", True), ("::1", True), ("127.8.9.1", True), ("LOCALHOST", True),
    ("192.168.1.20:5000", False), ("charity.example.org", False), ("[2001:db8::1]", False),
    ("10.0.0.1", False), ("localhost.example.org", False)])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


# --- receipts ----------------------------------------------------------------------------

@pytest.fixture
def receipt(db, actor, fundraising_org, make_donor):
    import datetime as dt
    from decimal import Decimal

    from charity.funds.services import ledger
    from tests.factories_funds import TODAY

    entry = ledger.post_donation(actor, db, fundraising_org, {
        "kind": "donation", "amount": Decimal("88.00"), "entry_date": dt.date(2026, 3, 1),
        "channel": "bank_transfer", "donor_id": make_donor().id}, today=TODAY)
    return entry.receipt


def qr_modules(markup) -> list[str]:
    """The drawn modules (the path data) of each QR code in `markup`."""
    return re.findall(r'<path d="([^"]+)"', str(markup))


def trace_link(base: str, receipt) -> str:
    return f"{base}/trace?r={receipt.number}&c={receipt.check_code}"


def test_the_receipt_page_qr_and_link_use_the_public_address(counter, login, make_user,
                                                             fundraising_org, receipt, public):
    login(make_user("manager", org=fundraising_org))
    html = counter.get(f"/staff/receipts/{receipt.id}").get_data(as_text=True)
    expected = trace_link(PUBLIC, receipt)
    assert expected.replace("&", "&amp;") in html
    # The QR code drawn is the one of the public link, module for module.
    assert qr_modules(qr_svg(expected)) in [[m] for m in qr_modules(html)]
    assert "127.0.0.1" not in html


def test_without_the_setting_the_request_address_is_used(counter, login, make_user,
                                                         fundraising_org, receipt):
    login(make_user("manager", org=fundraising_org))
    html = counter.get(f"/staff/receipts/{receipt.id}").get_data(as_text=True)
    assert trace_link("http://127.0.0.1:5000", receipt).replace("&", "&amp;") in html


@pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
def test_the_receipt_pdf_links_to_the_public_address(counter, login, make_user,
                                                     fundraising_org, receipt, public):
    from pypdf import PdfReader

    login(make_user("manager", org=fundraising_org))
    response = counter.get(f"/staff/receipts/{receipt.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    flat = "".join(text.split())  # the link may be wrapped across lines
    assert trace_link(PUBLIC, receipt) in flat
    assert "127.0.0.1" not in flat


# --- drop-off codes, the feed, the API -----------------------------------------------------

def test_the_drop_off_qr_opens_the_intake_form_at_the_public_address(counter, db, make_org,
                                                                     make_point, public):
    import sqlalchemy as sa

    from charity.goods.models import PreRegistration

    point = make_point(make_org())
    page = counter.get("/dropoff/").get_data(as_text=True)
    token = re.search(r'name="submission_token"[^>]*value="([^"]+)"', page).group(1)
    response = counter.post("/dropoff/", data={
        "submission_token": token, "point_id": str(point.id), "items": "两袋冬衣",
        "donor_name": "", "donor_phone": "", "expected_on": "", "website": ""})
    assert response.status_code == 302
    code = db.scalar(sa.select(PreRegistration.code))
    html = counter.get(response.location).get_data(as_text=True)
    expected = f"{PUBLIC}/staff/intake/new?code={code}"
    assert qr_modules(qr_svg(expected)) in [[m] for m in qr_modules(html)]


@pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
def test_the_feed_links_to_the_public_address(counter, world, public):  # noqa: F811
    response = counter.get("/feed.atom")
    root = ET.fromstring(response.data)
    hrefs = [link.get("href") for link in root.iter(f"{A}link")]
    assert root.findtext(f"{A}id") == f"{PUBLIC}/feed.atom"
    assert f"{PUBLIC}/disclosures/" in hrefs
    pub = max(world["pubs"].values(), key=lambda p: p.chain_seq)
    assert f"{PUBLIC}/disclosures/{pub.id}.pdf" in hrefs
    assert hrefs and all(h.startswith(PUBLIC + "/") for h in hrefs), hrefs


def test_api_answers_link_to_the_public_address(counter, public):
    answer = counter.get("/api/v1/transparency").get_json()
    assert answer["links"]["self"] == f"{PUBLIC}/api/v1/transparency"


# --- the warning on the staff home -----------------------------------------------------

WARNING = 'id="public-url-warning"'


def test_an_administrator_on_another_machine_is_warned(client, login, make_user):
    on_host(client, "192.168.1.20:5000")
    login(make_user("admin"))
    html = client.get("/staff/").get_data(as_text=True)
    assert WARNING in html and "CHARITY_PUBLIC_URL" in html and "192.168.1.20:5000" in html


@pytest.mark.parametrize("host", ["127.0.0.1:5000", "localhost", "[::1]:8000"])
def test_no_warning_on_loopback(client, login, make_user, host):
    on_host(client, host)
    login(make_user("admin"))
    assert WARNING not in client.get("/staff/").get_data(as_text=True)


def test_no_warning_once_the_address_is_set(client, login, make_user, public):
    on_host(client, "192.168.1.20:5000")
    login(make_user("admin"))
    assert WARNING not in client.get("/staff/").get_data(as_text=True)


def test_only_administrators_are_warned(client, login, make_user, make_org):
    on_host(client, "192.168.1.20:5000")
    login(make_user("manager", org=make_org()))
    assert WARNING not in client.get("/staff/").get_data(as_text=True)


def test_absolute_links_are_built_in_one_place():
    """A new `url_for(..., _external=True)` or `request.host_url` would bypass the setting."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    allowed = {"charity/web/public_url.py",
               "charity/web/public_page.py"}  # the page cache's key, not a link
    found = [str(path.relative_to(root)) for folder in ("charity", "templates")
             for path in (root / folder).rglob("*") if path.suffix in {".py", ".html", ".xml"}
             and str(path.relative_to(root)) not in allowed
             and re.search(r"_external\s*=\s*True|request\.(host_url|url_root)",
                           path.read_text(encoding="utf-8"))]
    assert found == []
