"""The open data API: envelope, pagination, filters, errors, drafts, caching, CSV, and every
answer validated against the served OpenAPI description."""
import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from charity.portal.open_data import openapi
from charity.reports.pdf import ICC_RESOURCE_WARNING
from charity.core.system import system_actor
from tests.portal.api_world import PRIVATE, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
BASE = "http://localhost/api/v1"


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["id"] for row in response.json["data"]]


# --- envelope and pagination -----------------------------------------------------------------

def test_list_envelope_and_pagination_links(client, world):
    p1, p3 = world["p1"].id, world["p3"].id
    first = client.get("/api/v1/points?per_page=1")
    assert first.json == {
        "data": [{"id": p1, "organization_id": world["org"].id, "kind": "supermarket",
                  "name": "城关慈善超市", "address": world["p1"].address, "district": "城关区",
                  "community": "社区", "opening_hours": "9:00-17:00", "phone": ""}],
        "meta": {"page": 1, "per_page": 1, "total": 2},
        "links": {"self": f"{BASE}/points?page=1&per_page=1",
                  "next": f"{BASE}/points?page=2&per_page=1", "prev": None}}
    second = client.get("/api/v1/points?page=2&per_page=1")
    assert ids(second) == [p3]
    assert second.json["links"] == {"self": f"{BASE}/points?page=2&per_page=1", "next": None,
                                    "prev": f"{BASE}/points?page=1&per_page=1"}
    beyond = client.get("/api/v1/points?page=7&per_page=1")
    assert ids(beyond) == [] and beyond.json["meta"]["total"] == 2
    assert beyond.json["links"]["prev"] == f"{BASE}/points?page=2&per_page=1"


def test_links_keep_the_filters(client, world):
    r = client.get(f"/api/v1/publications?subject=project&per_page=1")
    assert r.json["meta"]["total"] == 2
    assert r.json["links"]["next"] == f"{BASE}/publications?subject=project&page=2&per_page=1"


def test_default_page_size_is_50(client, world):
    assert client.get("/api/v1/obligations").json["meta"] == {"page": 1, "per_page": 50,
                                                               "total": 10}


# --- filters ---------------------------------------------------------------------------------

def test_filters(client, world):
    org, other = world["org"].id, world["other"].id
    c1, pr1, pr3 = world["c1"].id, world["pr1"].id, world["pr3"].id
    assert ids(client.get("/api/v1/campaigns")) == [c1]  # the draft is not there
    assert ids(client.get("/api/v1/campaigns?status=active&year=2026")) == [c1]
    assert ids(client.get("/api/v1/campaigns?status=ended")) == []
    assert ids(client.get("/api/v1/campaigns?year=2025")) == []
    assert ids(client.get(f"/api/v1/campaigns?organization={other}")) == []
    assert ids(client.get("/api/v1/projects")) == [pr3, pr1]
    assert ids(client.get("/api/v1/projects?status=closed")) == [pr3]
    assert ids(client.get("/api/v1/projects?year=2027")) == [pr1]  # open-ended runs on
    assert ids(client.get(f"/api/v1/points?organization={other}")) == [world["p3"].id]
    assert ids(client.get("/api/v1/points?kind=supermarket")) == [world["p1"].id]
    assert ids(client.get(f"/api/v1/organizations?organization={org}")) == [org]
    pubs = world["pubs"]
    assert ids(client.get("/api/v1/publications?subject=campaign")) == [
        pubs[("campaign", c1, "periodic")].id]
    assert ids(client.get(f"/api/v1/publications?subject=project&subject_id={pr3}")) == [
        pubs[("project", pr3, "final")].id]
    assert ids(client.get("/api/v1/publications?kind=final&year=2026")) == [
        pubs[("project", pr3, "final")].id]
    assert ids(client.get("/api/v1/publications?year=2027")) == []
    late = client.get("/api/v1/obligations?status=published_late").json["data"]
    assert [(o["subject_type"], o["subject_id"], o["kind"], o["due"], o["published_on"],
             o["publication_id"]) for o in late] == [
        ("project", pr3, "final", "2026-04-30", "2026-05-01",
         pubs[("project", pr3, "final")].id)]
    due_2027 = client.get(f"/api/v1/obligations?year=2027&subject=campaign&subject_id={c1}")
    assert [(o["kind"], o["seq"], o["due"], o["status"]) for o in due_2027.json["data"]] == [
        ("final", 0, "2027-03-31", "upcoming")]


@pytest.mark.parametrize("url, name", [
    ("/api/v1/campaigns?page=0", "page"),
    ("/api/v1/campaigns?page=x", "page"),
    ("/api/v1/points?per_page=201", "per_page"),
    ("/api/v1/campaigns?status=planned", "status"),
    ("/api/v1/projects?year=abc", "year"),
    ("/api/v1/obligations?year=1800", "year"),
    ("/api/v1/publications?subject=donor", "subject"),
    ("/api/v1/publications?organization=-1", "organization"),
    ("/api/v1/points.csv?kind=shop", "kind"),
    ("/api/v1/stats?year=20260", "year"),
])
def test_malformed_parameters_answer_400_json(client, db, url, name):
    r = client.get(url)
    assert r.status_code == 400
    assert r.mimetype == "application/json"
    assert r.json["error"]["code"] == 400
    assert f"“{name}”" in r.json["error"]["message"]


def test_unknown_and_draft_ids_answer_404_json(client, world):
    for url in (f"/api/v1/campaigns/{world['draft_campaign'].id}",
                f"/api/v1/projects/{world['draft_project'].id}",
                f"/api/v1/points/{world['closed_point'].id}",
                "/api/v1/publications/999999", "/api/v1/obligations/99999999999",
                "/api/v1/organizations/0", "/api/v1/nothing"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.json == {"error": {"code": 404, "message": "该页面不存在或已被移动。"}}


def test_detail(client, world):
    c1 = world["c1"]
    r = client.get(f"/api/v1/campaigns/{c1.id}")
    assert r.json["links"] == {"self": f"{BASE}/campaigns/{c1.id}"}
    data = r.json["data"]
    assert (data["name"], data["status"], data["target_amount"], data["income"], data["used"],
            data["remaining"], data["planned_end"], data["actual_end"]) == (
        "冬衣 <募捐> & 助学", "active", "100000.00", "1234.56", "0.00", "1234.56",
        "2026-12-31", None)
    project = client.get(f"/api/v1/projects/{world['pr1'].id}").json["data"]
    assert project["campaign_ids"] == [c1.id]  # the draft campaign is not named
    pub = world["pubs"][("project", world["pr3"].id, "final")]
    data = client.get(f"/api/v1/publications/{pub.id}").json["data"]
    assert {k: data[k] for k in ("report_no", "kind", "late", "due", "published_on",
                                 "pdf_sha256", "html_url", "pdf_url")} == {
        "report_no": f"GK-{pub.chain_seq:06d}", "kind": "final", "late": True,
        "due": "2026-04-30", "published_on": "2026-05-01", "pdf_sha256": pub.pdf_sha256,
        "html_url": f"http://localhost/disclosures/{pub.id}",
        "pdf_url": f"http://localhost/disclosures/{pub.id}.pdf"}


def test_no_private_data_anywhere(client, world):
    urls = [f"/api/v1/{name}{suffix}" for name in openapi.RESOURCE_SCHEMAS
            for suffix in ("", ".csv")]
    urls += [f"/api/v1/campaigns/{world['c1'].id}", "/api/v1/stats?year=2026", "/feed.atom"]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        leaked = [value for value in PRIVATE if value in body]
        assert not leaked, f"{url}: {leaked}"


# --- caching ---------------------------------------------------------------------------------

def test_etag_and_conditional_get(client, world, db):
    from charity.funds.services import ledger

    r = client.get("/api/v1/campaigns")
    etag = r.headers["ETag"]
    assert r.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/api/v1/campaigns", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    ledger.post_donation(system_actor(), db, world["org"], {
        "kind": "donation", "amount": Decimal("10.00"), "entry_date": dt.date(2026, 3, 1),
        "campaign_id": world["c1"].id, "counterparty": "爱心人士", "channel": "cash"},
        with_receipt=False, today=dt.date(2026, 11, 25))
    db.commit()
    changed = client.get("/api/v1/campaigns", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.json["data"][0]["income"] == "1244.56"


def test_last_modified_is_the_newest_publication(client, world):
    newest = max(p.published_at for p in world["pubs"].values())
    r = client.get("/api/v1/publications")
    assert r.last_modified == newest.replace(microsecond=0)
    since = r.headers["Last-Modified"]
    assert client.get("/api/v1/publications",
                      headers={"If-Modified-Since": since}).status_code == 304
    assert client.get("/api/v1/obligations").last_modified >= newest.replace(microsecond=0)


# --- CSV -------------------------------------------------------------------------------------

def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_every_row_with_the_schema_columns(client, world, make_point):
    for n in range(3):
        make_point(world["org"], name=f"新站点{n}")
    r = client.get("/api/v1/points.csv")
    assert r.headers["Content-Disposition"] == 'attachment; filename="points.csv"'
    rows = read_csv(r)
    assert rows[0] == openapi.columns("points")
    assert [row[3] for row in rows[1:]] == ["城关慈善超市", "七里河捐助站", "新站点0", "新站点1",
                                            "新站点2"]


def test_csv_follows_the_filters_and_formats(client, world):
    rows = read_csv(client.get("/api/v1/campaigns.csv?status=active"))
    header, [row] = rows[0], rows[1:]
    values = dict(zip(header, row))
    assert (values["name"], values["income"], values["target_amount"], values["cost_budget"],
            values["emergency"]) == ("冬衣 <募捐> & 助学", "1234.56", "100000.00", "", "0")
    projects = read_csv(client.get("/api/v1/projects.csv?status=active"))
    assert dict(zip(projects[0], projects[1]))["campaign_ids"] == str(world["c1"].id)
    assert read_csv(client.get("/api/v1/campaigns.csv?status=ended")) == [
        openapi.columns("campaigns")]


# --- statistics ------------------------------------------------------------------------------

def test_stats(client, world):
    r = client.get("/api/v1/stats?year=2026")
    data = r.json["data"]
    assert data["year"] == 2026
    assert (data["installation"]["organization_id"], data["installation"]["money_donated"],
            data["installation"]["donation_count"], data["installation"]["active_campaigns"],
            data["installation"]["active_projects"]) == (None, "1234.56", 2, 1, 1)
    assert [(o["organization_id"], o["name"], o["money_donated"]) for o in
            data["organizations"]] == [(world["org"].id, world["org"].name, "1234.56"),
                                       (world["other"].id, "第二慈善会", "0.00")]
    one = client.get(f"/api/v1/stats?year=2025&organization={world['other'].id}").json
    assert [o["name"] for o in one["data"]["organizations"]] == ["第二慈善会"]
    assert one["data"]["installation"]["money_donated"] == "0.00"
    assert one["meta"] == {"year": 2025, "organization": world["other"].id}
    assert client.get("/api/v1/stats?organization=99999").status_code == 404


# --- the OpenAPI description and the answers against it --------------------------------------

@pytest.fixture
def served_document(client, db):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.headers["ETag"]
    return r.json


def validator_for(document, schema_name):
    registry = Registry().with_resource(
        "urn:api", Resource.from_contents(document, default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"urn:api#/components/schemas/{schema_name}"},
                                registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_document_is_valid_openapi_31(served_document):
    validate_openapi(served_document)
    assert served_document["openapi"] == "3.1.0"


def test_the_document_lists_exactly_the_api_routes(app, served_document):
    routes = set()
    for rule in app.url_map.iter_rules():
        if (rule.endpoint.startswith(("api.", "log_api."))
                and rule.endpoint != "api.index"):
            routes.add(re.sub(r"<int:(\w+)>", r"{\1}", rule.rule))
    assert {r for r in routes if r.startswith("/api/v1/log/")} == {
        "/api/v1/log/head", "/api/v1/log/key", "/api/v1/log/entries",
        "/api/v1/log/proof/inclusion", "/api/v1/log/proof/consistency"}
    assert routes == set(served_document["paths"])


def test_every_answer_validates_against_its_schema(client, world, served_document):
    checks = [("/api/v1/stats?year=2026", "Stats"),
              (f"/api/v1/stats?organization={world['org'].id}", "Stats"),
              ("/api/v1/campaigns?page=x", "Error"), ("/api/v1/campaigns/999999", "Error")]
    for name, schema in openapi.RESOURCE_SCHEMAS.items():
        listing = client.get(f"/api/v1/{name}?per_page=200")
        assert listing.json["data"], name  # real rows, not an empty list
        checks.append((f"/api/v1/{name}?per_page=200", f"{schema}List"))
        checks.append((f"/api/v1/{name}/{listing.json['data'][-1]['id']}", f"{schema}Item"))
    for url, schema in checks:
        errors = [e.message for e in validator_for(served_document, schema).iter_errors(
            client.get(url).json)]
        assert not errors, f"{url}: {errors[:3]}"


def documented_schema(document, path, status):
    """The schema the document names for `path`'s answer `status` (not one the test picks)."""
    ref = document["paths"][path]["get"]["responses"][status]["content"][
        "application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def test_every_log_answer_validates_against_its_documented_schema(client, world,
                                                                    served_document):
    size = len(world["pubs"])  # every publication is a leaf, and the last one is signed
    checks = [("/api/v1/log/head", "200"), ("/api/v1/log/key", "200"),
              ("/api/v1/log/entries?start=0", "200"),
              (f"/api/v1/log/entries?start=1&end={size - 1}", "200"),
              ("/api/v1/log/proof/inclusion?index=0", "200"),
              (f"/api/v1/log/proof/inclusion?index=1&tree_size={size}", "200"),
              ("/api/v1/log/proof/consistency?first=1", "200"),
              (f"/api/v1/log/proof/consistency?first={size}&second={size}", "200"),
              ("/api/v1/log/entries", "400"), (f"/api/v1/log/entries?start={size}", "400"),
              (f"/api/v1/log/proof/inclusion?index={size}", "400"),
              ("/api/v1/log/proof/consistency?first=0", "400")]
    for url, status in checks:
        answer = client.get(url)
        assert answer.status_code == int(status), (url, answer.data)
        schema = documented_schema(served_document, url.split("?")[0], status)
        errors = [e.message for e in validator_for(served_document, schema).iter_errors(
            answer.json)]
        assert not errors, f"{url}: {errors[:3]}"
    head = client.get("/api/v1/log/head").json
    assert head["tree_size"] == size
    entries = client.get("/api/v1/log/entries?start=0").json["entries"]
    assert len(entries) == size
    leaf_validator = validator_for(served_document, "LogLeaf")
    for entry in entries:  # the leaf's own format is documented too (contentSchema)
        errors = [e.message for e in leaf_validator.iter_errors(json.loads(entry["leaf"]))]
        assert not errors, f"leaf {entry['index']}: {errors[:3]}"
    # Proof the validation can fail: a field more, a hash in capitals, a short signature.
    head_validator = validator_for(served_document, "LogHead")
    assert head_validator.is_valid(head)
    assert not head_validator.is_valid({**head, "note": "x"})
    assert not head_validator.is_valid({**head, "root_hash": head["root_hash"].upper()})
    assert not head_validator.is_valid({**head, "signature": head["signature"][:64]})
    assert not head_validator.is_valid({**head, "timestamp": head["timestamp"][:-1]})


def test_the_log_before_its_first_head_answers_the_documented_404(client, db,
                                                                   served_document):
    for url in ("/api/v1/log/head", "/api/v1/log/proof/inclusion?index=0",
                "/api/v1/log/proof/consistency?first=1"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        schema = documented_schema(served_document, url.split("?")[0], "404")
        assert validator_for(served_document, schema).is_valid(answer.json), url


def test_the_schema_catches_an_unlisted_field(client, world, served_document):
    """Proof the validation can fail: an extra field or a float amount is refused."""
    answer = client.get(f"/api/v1/campaigns/{world['c1'].id}").json
    validator = validator_for(served_document, "CampaignItem")
    assert validator.is_valid(answer)
    assert not validator.is_valid({**answer, "data": {**answer["data"], "contact": "x"}})
    assert not validator.is_valid({**answer, "data": {**answer["data"], "income": 1234.56}})


# --- the human page --------------------------------------------------------------------------

def test_open_data_page(client, db):
    r = client.get("/open-data")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "开放数据" in html and "CC BY 4.0" in html
    assert 'href="/api/v1/openapi.json"' in html and 'href="/api/v1/campaigns.csv"' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert "<script>" not in html and 'style="' not in html
