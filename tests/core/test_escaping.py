"""User-entered text is text everywhere: on public pages, in the API, the Atom feed and the
disclosure PDF. A campaign and a consenting donor get names full of markup; every output
shows the characters literally and none of them becomes markup (the PDF renderer would also
refuse the ``file:`` image outright if it ever reached it as HTML). Named donors appear on
the disclosure page and in the CSV attached to its PDF, not on the campaign page."""
import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_attachments, pdf_text
from tests.core.test_templates_csp import inline_code

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)

CAMPAIGN = '<script>alert(1)</script> 冬衣 & <img src="file:///etc/passwd">'
DONOR = "<b onmouseover=alert(2)>王&善</b>"
ESCAPED_CAMPAIGN = "&lt;script&gt;alert(1)&lt;/script&gt; 冬衣 &amp; &lt;img src="
ESCAPED_DONOR = "&lt;b onmouseover=alert(2)&gt;王&amp;善&lt;/b&gt;"


@pytest.fixture
def hostile(db, fundraising_org, make_campaign, make_donor):
    from charity.disclosure.models import Publication
    from charity.funds.services import ledger
    from charity.ops.scheduler import tick
    from charity.core.system import system_actor

    campaign = make_campaign(name=CAMPAIGN)
    donor = make_donor(name=DONOR, publish_name=True)
    ledger.post_donation(system_actor(), db, fundraising_org, {
        "kind": "donation", "amount": Decimal("500.00"), "entry_date": dt.date(2026, 1, 5),
        "campaign_id": campaign.id, "donor_id": donor.id, "channel": "wechat"},
        today=dt.date(2026, 11, 25))
    db.commit()
    published = tick(db, dt.date(2026, 4, 1)).published
    db.commit()
    pubs = db.scalars(sa.select(Publication).where(Publication.id.in_(published))).all()
    assert pubs, "the scheduler published nothing"
    return {"campaign": campaign, "donor": donor, "pubs": pubs}


def test_public_campaign_page_shows_the_names_as_text(client, hostile):
    response = client.get(f"/campaigns/{hostile['campaign'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ESCAPED_CAMPAIGN in html
    assert "<script>alert" not in html and "<img src=\"file:" not in html
    assert inline_code(html) == []


def test_api_json_carries_the_exact_text(client, hostile):
    response = client.get(f"/api/v1/campaigns/{hostile['campaign'].id}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert json.loads(response.get_data(as_text=True))["data"]["name"] == CAMPAIGN
    listed = client.get("/api/v1/campaigns").json["data"]
    assert [c["name"] for c in listed if c["id"] == hostile["campaign"].id] == [CAMPAIGN]


def test_atom_feed_escapes_the_titles(client, hostile):
    response = client.get("/feed.atom")
    assert response.status_code == 200
    root = ET.fromstring(response.data)  # well-formed: nothing broke out of the XML
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title")
              for e in root.findall("{http://www.w3.org/2005/Atom}entry")]
    assert any(t.startswith(CAMPAIGN + " · ") for t in titles), titles
    raw = response.get_data(as_text=True)
    assert ESCAPED_CAMPAIGN in raw and "<script>" not in raw


def test_disclosure_page_and_pdf_show_the_names_as_text(client, hostile):
    pub = next(p for p in hostile["pubs"] if p.subject_id == hostile["campaign"].id)
    page = client.get(f"/disclosures/{pub.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ESCAPED_CAMPAIGN in html and ESCAPED_DONOR in html  # the named-donor table
    assert "<script>alert" not in html and "<b onmouseover" not in html
    assert inline_code(html) == []
    response = client.get(f"/disclosures/{pub.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    # The browser's PDF viewer runs without a document CSP (see charity/security.py).
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    text = "".join(pdf_text(response.data))
    flat = "".join(text.split())  # the PDF wraps long names over lines
    assert "".join(CAMPAIGN.split()) in flat
    # The named donors travel as the attached CSV: the consented name, literally.
    donors = pdf_attachments(response.data)["donors.csv"].decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(donors)))[1] == [DONOR, "500.00", "1"]
