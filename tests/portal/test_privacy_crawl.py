"""Privacy proof: crawl everything the public can reach on the demo installation — every page,
feed, API answer, CSV, PDF (with its attachments), every receipt's trace page — and look for
private data: beneficiaries' names, phones, addresses and ID numbers, the names, phones and
addresses of donors who did not consent to their publication, the contacts of complainants and
wish claimants, and anything shaped like a valid ID-card number or a private mobile number.

The needles come from the database itself, so the test follows the demo as it grows; a
positive control proves the detector finds them where they legitimately are (staff pages).
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
import sqlalchemy as sa

from charity.core.extensions import db
from charity.people.identity import is_valid_id, make_id

MAX_URLS = 2500
MAX_PAGE = 3  # of any paginated list: the pages are alike, the first few show the pattern
SKIP_PREFIXES = ("/static/", "/staff", "/login", "/logout", "/set-language", "/language")
ID_SHAPE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")  # not inside a hex digest


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value and tag != "form":
                self.links.append(value)
        if tag == "form" and dict(attrs).get("method", "get").lower() == "get":
            pass  # search forms: their result pages are reached through the links anyway


def _squash(text: str) -> str:
    """Whitespace removed: PDF text extraction puts spaces between CJK glyphs."""
    return re.sub(r"\s+", "", text)


def _pdf_texts(data: bytes) -> list[str]:
    """The text of the PDF and of every file attached to it (the donor list CSV)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    texts = []
    for _name, contents in reader.attachments.items():
        texts.extend(c.decode("utf-8-sig", "replace") for c in contents)
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
            fh.write(data)
            fh.flush()
            texts.append(subprocess.run(["pdftotext", "-enc", "UTF-8", fh.name, "-"],
                                        capture_output=True, check=True).stdout.decode())
    else:
        texts.append("".join(page.extract_text() or "" for page in reader.pages))
    return texts


def _normalise(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "localhost"):
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    for key, value in query:
        if key == "page" and value.isdigit() and int(value) > MAX_PAGE:
            return None
    return path + ("?" + urlencode(sorted(query)) if query else "")


def crawl(client, seeds):
    """Breadth-first over every same-site GET link; returns {url: [texts]} and type counts."""
    seen, found, kinds = set(), {}, Counter()
    queue = deque(u for u in map(_normalise, seeds) if u)
    while queue and len(seen) < MAX_URLS:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200:
            continue
        ctype = response.mimetype
        links: list[str] = []
        if ctype == "application/pdf":
            kinds["pdf"] += 1
            texts = _pdf_texts(response.data)
        elif ctype == "application/json":
            kinds["json"] += 1
            data = response.get_json()
            texts = [json.dumps(data, ensure_ascii=False)]
            links = [s for s in _strings(data) if s.startswith(("/", "http://localhost"))]
        else:
            text = response.get_data(as_text=True)
            texts = [text]
            if ctype == "text/html":
                kinds["html"] += 1
                parser = _Links()
                parser.feed(text)
                links = parser.links
            elif "xml" in ctype:
                kinds["feed" if "atom" in ctype or url.endswith(".atom") else "xml"] += 1
                links = re.findall(r'href="([^"]+)"', text)
            elif ctype == "text/csv":
                kinds["csv"] += 1
            else:
                kinds[ctype] += 1
        found[url] = texts
        for link in links:
            target = _normalise(urljoin("http://localhost" + url, link.replace("&amp;", "&")))
            if target and target not in seen:
                queue.append(target)
    return found, kinds


def _strings(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)
    elif isinstance(data, str):
        yield data


def _needles_and_public(session) -> tuple[dict[str, str], list[str]]:
    """Private value → what it is, minus values that are legitimately public elsewhere; and
    the public values (longest first) that `_leaks` blanks out
    before searching: a household named 马文 is not leaked by the contact person 马文静."""
    from charity.orgs.models import CharityPoint, Organization
    from charity.people.models import Beneficiary, Donor

    private: dict[str, str] = {}
    public: set[str] = set()
    for b in session.scalars(sa.select(Beneficiary)):
        for field in ("name", "phone", "address", "id_number_hash"):
            value = getattr(b, field) or ""
            private[value] = f"beneficiary {b.id} {field}"
    for d in session.scalars(sa.select(Donor)):
        for field, consent in (("name", d.publish_name), ("phone", d.publish_contact),
                               ("address", d.publish_address), ("id_code", False)):
            value = getattr(d, field) or ""
            if consent:
                public.add(value)
            else:
                private[value] = f"donor {d.id} {field} (no consent)"
    for model, fields in _contact_fields():
        for row in session.scalars(sa.select(model)):
            for field in fields:
                private[getattr(row, field) or ""] = f"{model.__tablename__} {row.id} {field}"
    for org in session.scalars(sa.select(Organization)):
        public.update({org.name, org.phone, org.address, org.contact_person})
    for p in session.scalars(sa.select(CharityPoint)):
        public.update({p.name, p.phone, p.address, p.community, p.district})
    needles = {v: why for v, why in private.items()
               if len(_squash(v)) >= 2 and v not in public}
    return needles, sorted((_squash(v) for v in public if v and len(_squash(v)) >= 2),
                           key=len, reverse=True)


def _contact_fields():
    """Complainants' and wish claimants' contacts: private by definition."""
    from charity.complaints.models import Complaint
    from charity.wishes.models import Wish

    return [(Complaint, ("contact_name", "contact_phone", "contact_email")),
            (Wish, ("claimant_name", "claimant_phone"))]


def _leaks(texts, needles, allowed_mobiles, public=()):
    found = []
    for text in texts:
        flat = _squash(text)
        for value in public:
            flat = flat.replace(value, "\0")
        for value, why in needles.items():
            if _squash(value) in flat:
                found.append(f"{why}: {value!r}")
        for match in ID_SHAPE.findall(text):
            if is_valid_id(match):
                found.append(f"an ID-card number: {match}")
        for match in MOBILE.findall(text):
            if match not in allowed_mobiles:
                found.append(f"a mobile number: {match}")
    return found


@pytest.fixture(scope="module")
def site(demo_app):
    from charity.funds.models import Receipt
    from charity.orgs.models import CharityPoint, Organization
    from charity.people.models import Donor

    with demo_app.app_context():
        session = db.session
        needles, public = _needles_and_public(session)
        allowed = {m for d in session.scalars(sa.select(Donor).where(Donor.publish_contact))
                   for m in MOBILE.findall(d.phone or "")}
        for row in session.execute(sa.select(Organization.phone).union_all(
                sa.select(CharityPoint.phone))):
            allowed.update(MOBILE.findall(row[0] or ""))
        receipts = [(r.number, r.check_code) for r in session.scalars(sa.select(Receipt))]
        seeds = ["/", "/feed.atom", "/api/v1/", "/api/v1/openapi.json", "/api/", "/disclosures/",
                 "/disclosures/compliance", "/points/", "/campaigns/", "/wishes/",
                 "/complaints/new", "/complaints/stats", "/open-data"]
        seeds += [f"/trace?{urlencode({'r': n, 'c': c})}" for n, c in receipts]
        seeds += _tracking_seeds(session)
        seeds += _api_detail_seeds(session)
        db.session.remove()
    client = demo_app.test_client()
    found, kinds = crawl(client, seeds)
    return {"found": found, "kinds": kinds, "needles": needles, "allowed": allowed,
            "receipts": receipts, "public": public}


def _api_detail_seeds(session):
    """Every object's API detail answer (drafts answer 404, which is fine)."""
    from charity.disclosure.models import Obligation, Publication
    from charity.funds.models import Campaign, Project
    from charity.orgs.models import CharityPoint, Organization

    seeds = []
    for name, model in (("organizations", Organization), ("points", CharityPoint),
                        ("campaigns", Campaign), ("projects", Project),
                        ("publications", Publication), ("obligations", Obligation)):
        seeds += [f"/api/v1/{name}/{i}" for i in session.scalars(sa.select(model.id))]
    return seeds


def _tracking_seeds(session):
    """Each complaint's public tracking page (the complainant's view)."""
    from charity.complaints.models import Complaint

    return [f"/complaints/track?{urlencode({'no': n})}"
            for n in session.scalars(sa.select(Complaint.tracking_no))]


def test_the_crawl_reaches_every_kind_of_public_output(site):
    kinds, found = site["kinds"], site["found"]
    print(f"\ncrawled {len(found)} public URLs: {dict(kinds)}")
    assert kinds["html"] >= 50, kinds
    assert kinds["pdf"] >= 3, kinds
    assert kinds["json"] >= 5, kinds
    assert kinds["feed"] >= 1, kinds
    assert kinds["csv"] >= 1, kinds
    traced = [u for u in found if u.startswith("/trace?")]
    assert len(traced) == len(site["receipts"]) >= 10
    assert len(site["needles"]) >= 100  # beneficiaries, non-consenting donors, contacts


def test_no_private_data_anywhere_public(site):
    leaks = {}
    for url, texts in site["found"].items():
        found = _leaks(texts, site["needles"], site["allowed"], site["public"])
        if found:
            leaks[url] = sorted(set(found))[:5]
    assert not leaks, f"private data on {len(leaks)} public URLs: " + json.dumps(
        dict(list(leaks.items())[:10]), ensure_ascii=False, indent=1)


def test_the_detector_finds_private_data_where_it_belongs(demo_app, site):
    """Positive control: staff pages show households, so the same detector must fire there."""
    from charity.people.models import Beneficiary

    client = demo_app.test_client()
    login = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.get_data(as_text=True))
    response = client.post("/login", data={"username": "manager", "password": "demo-manager-2026",
                                           "csrf_token": token.group(1) if token else ""})
    assert response.status_code == 302
    with demo_app.app_context():
        household = db.session.scalars(sa.select(Beneficiary).order_by(Beneficiary.id)).first()
        hid = household.id
        db.session.remove()
    page = client.get(f"/staff/beneficiaries/{hid}").get_data(as_text=True)
    assert _leaks([page], site["needles"], site["allowed"]), \
        "the detector found nothing on a household's own staff page"
    fake = make_id("62010219900101123")
    assert _leaks([f"证件号 {fake} 在此"], {}, set()) == [f"an ID-card number: {fake}"]
    assert _leaks(["电话 13912345678。"], {}, set()) == ["a mobile number: 13912345678"]
