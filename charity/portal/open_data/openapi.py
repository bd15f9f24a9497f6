"""The OpenAPI 3.1 description of the open data API, served at /api/v1/openapi.json.

The component schemas are the contract: the tests validate every real answer against them
(JSON Schema 2020-12), the CSV columns are their property names in order, and each object
schema forbids properties it does not list, so a field cannot leak into the API unnoticed.
"""
from __future__ import annotations

import copy
from functools import cache

PREFIX = "/api/v1"
DATA_LICENCE = {"name": "Creative Commons Attribution 4.0", "identifier": "CC-BY-4.0"}
RESOURCE_SCHEMAS = {"organizations": "Organization", "points": "Point",
                    "campaigns": "Campaign", "projects": "Project",
                    "obligations": "Obligation", "publications": "Publication"}

STR = {"type": "string"}
INT = {"type": "integer"}
ID = {"type": "integer", "minimum": 1}
BOOL = {"type": "boolean"}
MONEY = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$",
         "description": "CNY, exact, two decimals (a string: never a float)"}
QUANTITY = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
DATE = {"type": "string", "format": "date"}
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
URL = {"type": "string", "format": "uri"}


def nullable(schema: dict) -> dict:
    out = dict(schema)
    out["type"] = [schema["type"], "null"]
    return out


def obj(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "required": list(properties),
              "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def enum(*values) -> dict:
    return {"type": "string", "enum": list(values)}


SUBJECT = enum("campaign", "project", "organization")
COUNT = {"type": "integer", "minimum": 0}
UNITS = {"type": "array", "items": {"$ref": "#/components/schemas/UnitQuantity"}}
TOTALS = {
    "organization_id": nullable(ID), "money_donated": MONEY, "donation_count": COUNT,
    "goods_intake_count": COUNT, "households_helped": COUNT, "active_campaigns": COUNT,
    "active_projects": COUNT, "goods_received_quantity": QUANTITY,
    "goods_received_by_unit": UNITS, "goods_distributed_quantity": QUANTITY,
    "goods_distributed_by_unit": UNITS}
FIGURES = {"income": MONEY, "used": MONEY, "remaining": MONEY}

SCHEMAS = {
    "Organization": obj({
        "id": ID, "name": STR, "uscc": {"type": "string", "pattern": "^[0-9A-Z]{18}$"},
        "registering_authority": STR, "can_fundraise_publicly": BOOL,
        "fundraising_cert_no": STR, "address": STR, "website": STR, "timezone": STR,
        "active": BOOL}, "A charity organisation (慈善组织)."),
    "Point": obj({
        "id": ID, "organization_id": ID, "kind": enum("supermarket", "station"), "name": STR,
        "address": STR, "district": STR, "community": STR, "opening_hours": STR,
        "phone": STR}, "An open charity supermarket or donation station."),
    "Campaign": obj({
        "id": ID, "organization_id": ID, "name": STR, "status": enum("active", "ended"),
        "purpose": STR, "region": STR, "donation_methods": STR, "bank_account": STR,
        "beneficiaries": STR, "intended_use": STR, "leftover_plan": STR, "goods_wanted": STR,
        "filing_no": STR, "filing_date": nullable(DATE), "planned_start": DATE,
        "planned_end": DATE, "actual_end": nullable(DATE), "emergency": BOOL,
        "target_amount": nullable(MONEY), "cost_budget": nullable(MONEY), **FIGURES},
        "A public fundraising campaign (募捐活动) with its money so far: income (donation "
        "and commercial), used (spending and fundraising costs) and remaining."),
    "Project": obj({
        "id": ID, "organization_id": ID, "name": STR, "status": enum("active", "closed"),
        "content": STR, "area": STR, "beneficiary_groups": STR, "planned_start": DATE,
        "planned_end": nullable(DATE), "actual_end": nullable(DATE),
        "budget": nullable(MONEY), "leftover_property": STR, "leftover_handling": STR,
        "campaign_ids": {"type": "array", "items": ID}, **FIGURES},
        "A charity project (慈善项目); an open planned_end means an ongoing programme."),
    "Obligation": obj({
        "id": ID, "organization_id": ID, "subject_type": SUBJECT, "subject_id": ID,
        "kind": enum("periodic", "final", "annual"), "seq": {"type": "integer", "minimum": 0},
        "period_start": DATE, "period_end": DATE, "due": DATE,
        "status": enum("upcoming", "due", "overdue", "published_on_time", "published_late"),
        "published_on": nullable(DATE), "publication_id": nullable(ID)},
        "A disclosure an organisation owes (公开义务), with its deadline and status."),
    "Publication": obj({
        "id": ID, "report_no": {"type": "string", "pattern": "^GK-[0-9]{6,}$"},
        "organization_id": ID, "subject_type": SUBJECT, "subject_id": ID,
        "kind": enum("periodic", "final", "annual", "correction"),
        "seq": {"type": "integer", "minimum": 0}, "title": STR, "period_start": DATE,
        "period_end": DATE, "due": nullable(DATE), "published_on": DATE,
        "published_at": {"type": "string", "format": "date-time"}, "late": BOOL,
        "corrects_id": nullable(ID), "correction_reason": STR, "pdf_sha256": SHA256,
        "snapshot_sha256": SHA256, "entry_hash": SHA256, "prev_hash": STR,
        "html_url": URL, "pdf_url": URL},
        "A published disclosure (信息公开): immutable, its PDF's SHA-256 and its place in the "
        "hash chain (prev_hash → entry_hash)."),
    "Meta": obj({"page": ID, "per_page": ID, "total": {"type": "integer", "minimum": 0}}),
    "Links": obj({"self": URL, "next": nullable(URL), "prev": nullable(URL)}),
    "ItemLinks": obj({"self": URL}),
    "Error": obj({"error": obj({"code": INT, "message": STR})}),
    "UnitQuantity": obj({"unit": STR, "quantity": QUANTITY}),
    "Totals": obj(TOTALS, "A year's totals: donation income, counts, goods in each item's own "
                  "unit (the overall quantity mixes units). Households are counted, never "
                  "named. organization_id is null for the whole installation."),
    "OrganizationTotals": obj({"name": STR, **TOTALS}),
    "Stats": obj({
        "data": obj({"year": INT, "installation": {"$ref": "#/components/schemas/Totals"},
                     "organizations": {"type": "array", "items": {
                         "$ref": "#/components/schemas/OrganizationTotals"}}}),
        "meta": obj({"year": INT, "organization": nullable(ID)}),
        "links": {"$ref": "#/components/schemas/ItemLinks"}}),
}

_SCORE = {"type": "string", "pattern": r"^[0-9]{1,3}\.[0-9]{2}$"}
SCORE = {
    "organization_id": ID, "organization": STR, "computed_on": DATE, "score": _SCORE,
    "grade": enum("A+", "A", "B+", "B", "C", "D", "ND"),
    "groups": obj({g: nullable(_SCORE) for g in ("fundraising", "projects", "finance",
                                                  "governance")}),
    "indicators": {"type": "array", "items": obj({
        "id": STR, "group": enum("fundraising", "projects", "finance", "governance"),
        "weight": COUNT, "status": enum("met", "partly_met", "missed", "not_applicable"),
        "points": {"type": "string", "pattern": r"^[0-9]{1,3}\.[0-9]{2}$"}})},
}
SCHEMAS["TransparencyScore"] = obj(SCORE, "An organisation's transparency score (0–100, "
                                   "two decimals, as text) with its grade, group scores and "
                                   "each indicator's result; recomputed daily.")
SCHEMAS["TransparencyList"] = obj({
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/TransparencyScore"}},
    "meta": obj({"total": COUNT}), "links": {"$ref": "#/components/schemas/ItemLinks"}})
SCHEMAS["TransparencyItem"] = obj({
    "data": obj({**SCORE, "trend": {"type": "array", "items": obj({
        "day": DATE, "score": _SCORE, "grade": enum("A+", "A", "B+", "B", "C", "D", "ND")})}}),
    "links": {"$ref": "#/components/schemas/ItemLinks"}})

# --- the transparency log (charity/log, docs/decisions/0008-transparency-log.md) ---------------

HEX_SIGNATURE = {"type": "string", "pattern": "^[0-9a-f]{128}$"}
TIMESTAMP = {"type": "string", "format": "date-time",
             "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
             "description": "UTC, whole seconds, exactly as signed (YYYY-MM-DDTHH:MM:SSZ)"}
TREE_SIZE = {"type": "integer", "minimum": 0}
LEAF_INDEX = {"type": "integer", "minimum": 0}
REPORT_NO = {"type": "string", "pattern": "^GK-[0-9]{6,}$"}
HASH_PATH = {"type": "array", "items": SHA256}
SCHEMAS["LogHead"] = obj({
    "tree_size": TREE_SIZE, "root_hash": SHA256, "timestamp": TIMESTAMP,
    "signature": HEX_SIGNATURE, "key_id": SHA256},
    "A signed tree head. `signature` is Ed25519 (hex) over four lines of UTF-8 text, each "
    "ending in a newline: `charity-transparency-log/v1`, tree_size (decimal), root_hash, "
    "timestamp. `key_id` is the SHA-256 of the raw public key (GET /api/v1/log/key).")
SCHEMAS["LogKey"] = obj({
    "algorithm": enum("Ed25519"), "key_id": SHA256,
    "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{4}( [0-9a-f]{4}){15}$",
                    "description": "The key id in groups of four, as printed and shown."},
    "public_key": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                   "description": "The raw 32-byte Ed25519 public key, hex."},
    "public_key_pem": STR, "signature_encoding": enum("hex"),
    "signed_message": {"type": "string", "description": "The text a head signature covers."}},
    "The log's public signing key. Its fingerprint is per installation: compare it with the "
    "one the installation publishes elsewhere (its open-data page, its PDFs, its letters).")
SCHEMAS["LogLeaf"] = obj({
    "v": {"type": "integer", "const": 1}, "report_no": REPORT_NO, "publication_id": ID,
    "organization_id": ID, "organization_name": STR, "subject_type": SUBJECT,
    "subject_id": ID, "kind": enum("periodic", "final", "annual", "correction"),
    "seq": {"type": "integer", "minimum": 0}, "title": STR, "period_start": DATE,
    "period_end": DATE, "due": nullable(DATE), "published_on": DATE, "pdf_sha256": SHA256,
    "snapshot_sha256": SHA256, "corrects": nullable(REPORT_NO)},
    "What a leaf states about one publication (format version 1): its canonical JSON "
    "(sorted keys, no spaces, UTF-8) is the leaf the tree hashes.")
SCHEMAS["LogEntry"] = obj({
    "index": LEAF_INDEX,
    "leaf": {"type": "string", "contentMediaType": "application/json",
             "contentSchema": {"$ref": "#/components/schemas/LogLeaf"},
             "description": "The leaf's exact bytes (canonical JSON of a LogLeaf): hash "
                            "these, never a re-serialisation."},
    "leaf_hash": {**SHA256, "description": "SHA-256(0x00 ‖ leaf), RFC 9162 §2.1.1"},
    "publication_id": ID, "publication_url": URL, "pdf_url": URL})
SCHEMAS["LogEntries"] = obj({
    "entries": {"type": "array", "items": {"$ref": "#/components/schemas/LogEntry"},
                "maxItems": 100},
    "tree_size": TREE_SIZE}, "Entries start..end (end inclusive, as RFC 6962 get-entries), "
    "at most 100 per call and never beyond the signed tree size: ask again from the next "
    "index for more.")
SCHEMAS["LogInclusionProof"] = obj({
    "index": LEAF_INDEX, "tree_size": {"type": "integer", "minimum": 1}, "leaf_hash": SHA256,
    "inclusion_path": HASH_PATH},
    "The audit path of RFC 9162 §2.1.3: the leaf is in the tree of that size.")
SCHEMAS["LogConsistencyProof"] = obj({
    "first": {"type": "integer", "minimum": 1}, "second": {"type": "integer", "minimum": 1},
    "consistency_path": HASH_PATH},
    "The consistency proof of RFC 9162 §2.1.4: the tree of size `first` is a prefix of the "
    "tree of size `second` (empty when they are equal).")


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


for _resource, _schema in RESOURCE_SCHEMAS.items():
    SCHEMAS[f"{_schema}List"] = obj({"data": {"type": "array", "items": _ref(_schema)},
                                     "meta": _ref("Meta"), "links": _ref("Links")})
    SCHEMAS[f"{_schema}Item"] = obj({"data": _ref(_schema), "links": _ref("ItemLinks")})


def columns(resource: str) -> list[str]:
    """The CSV columns of a collection: its schema's properties, in order."""
    return list(SCHEMAS[RESOURCE_SCHEMAS[resource]]["properties"])


# --- paths -----------------------------------------------------------------------------------

CACHE_HEADERS = {
    "ETag": {"description": "A hash of the body; send it back in If-None-Match for a 304.",
             "schema": STR},
    "Last-Modified": {"description": "The newest change, where the data tell it "
                                     "(publications, obligations, campaigns).",
                      "schema": STR},
    "Cache-Control": {"description": "public, max-age=60", "schema": STR},
}
FILTER_HELP = {
    "organization": "Only rows of this organisation (its id).",
    "status": "Only rows with this status.",
    "year": "Calendar year: campaigns and projects running in it, obligations due in it, "
            "publications published in it.",
    "subject": "Only obligations or publications of this kind of subject.",
    "subject_id": "Only rows of this subject (use with subject).",
    "kind": "Only rows of this kind.",
}


def _json(schema: str, description: str, headers: bool = True) -> dict:
    out = {"description": description,
           "content": {"application/json": {"schema": _ref(schema)}}}
    if headers:
        out["headers"] = CACHE_HEADERS
    return out


ERRORS = {"400": _json("Error", "A malformed query parameter (the message names it).", False),
          "404": _json("Error", "No such object (or not public).", False)}
NOT_MODIFIED = {"304": {"description": "Not modified (If-None-Match or If-Modified-Since)."}}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


def _filter_params(filters: dict) -> list[dict]:
    params = []
    for name, allowed in filters.items():
        if name == "year":
            schema = {"type": "integer", "minimum": 1900, "maximum": 2100}
        elif allowed:
            schema = {"type": "string", "enum": list(allowed)}
        else:
            schema = {"type": "integer", "minimum": 1}
        params.append(_query(name, schema, FILTER_HELP[name]))
    return params


PAGING = [_query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number."),
          _query("per_page", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                 "Rows per page (at most 200).")]


def _resource_paths(name: str, schema: str, filters: dict) -> dict:
    params = _filter_params(filters)
    tag = [name]
    return {
        f"{PREFIX}/{name}": {"get": {
            "operationId": f"list_{name}", "tags": tag, "summary": f"List {name}",
            "parameters": params + PAGING,
            "responses": {"200": _json(f"{schema}List", f"A page of {name}."),
                          **NOT_MODIFIED, "400": ERRORS["400"]}}},
        f"{PREFIX}/{name}.csv": {"get": {
            "operationId": f"csv_{name}", "tags": tag,
            "summary": f"All {name} as CSV (UTF-8 with BOM; columns as in {schema})",
            "parameters": params,
            "responses": {"200": {"description": "CSV, every row matching the filters.",
                                  "content": {"text/csv": {"schema": STR}}},
                          **NOT_MODIFIED, "400": ERRORS["400"]}}},
        f"{PREFIX}/{name}/{{item_id}}": {"get": {
            "operationId": f"get_{name[:-1]}", "tags": tag, "summary": f"One of the {name}",
            "parameters": [{"name": "item_id", "in": "path", "required": True,
                            "schema": ID}],
            "responses": {"200": _json(f"{schema}Item", "The object."), **NOT_MODIFIED,
                          "404": ERRORS["404"]}}},
    }


LOG_HEADERS = {
    "ETag": CACHE_HEADERS["ETag"],
    "Cache-Control": {"description": "The head: public, no-cache (always ask again). Entries "
                                     "and proofs: public, max-age=3600 (they never change).",
                      "schema": STR},
}
NO_HEAD = _json("Error", "The log has no signed head yet.", False)


def _log_json(schema: str, description: str) -> dict:
    return {**_json(schema, description, False), "headers": LOG_HEADERS}


def _required(name: str, schema: dict, description: str) -> dict:
    return {**_query(name, schema, description), "required": True}


def _log_paths() -> dict:
    """GET /api/v1/log/…: the transparency log (charity.log.views.api), hashes in lowercase
    hex, errors in the API's shape."""
    tag = ["transparency log"]
    index = {"type": "integer", "minimum": 0}
    size = {"type": "integer", "minimum": 1}
    return {
        f"{PREFIX}/log/head": {"get": {
            "operationId": "log_head", "tags": tag, "summary": "The latest signed tree head",
            "responses": {"200": _log_json("LogHead", "The head."), **NOT_MODIFIED,
                          "404": NO_HEAD}}},
        f"{PREFIX}/log/key": {"get": {
            "operationId": "log_key", "tags": tag,
            "summary": "The public key that signs the heads, with its fingerprint",
            "responses": {"200": _log_json("LogKey", "The key."), **NOT_MODIFIED}}},
        f"{PREFIX}/log/entries": {"get": {
            "operationId": "log_entries", "tags": tag,
            "summary": "Entries start..end, end inclusive (RFC 6962 get-entries)",
            "parameters": [
                _required("start", index, "The first index (below the signed tree size)."),
                _query("end", index, "The last index (default: start + 99; clipped to at "
                                     "most 100 entries and to the signed tree size).")],
            "responses": {"200": _log_json("LogEntries", "The entries, in order."),
                          **NOT_MODIFIED, "400": ERRORS["400"]}}},
        f"{PREFIX}/log/proof/inclusion": {"get": {
            "operationId": "log_inclusion_proof", "tags": tag,
            "summary": "The inclusion proof of one entry (RFC 9162 §2.1.3)",
            "parameters": [
                _required("index", index, "The entry's index (below tree_size)."),
                _query("tree_size", size, "The tree to prove it in (default and at most: "
                                          "the signed tree size).")],
            "responses": {"200": _log_json("LogInclusionProof", "The proof."),
                          **NOT_MODIFIED, "400": ERRORS["400"], "404": NO_HEAD}}},
        f"{PREFIX}/log/proof/consistency": {"get": {
            "operationId": "log_consistency_proof", "tags": tag,
            "summary": "The consistency proof between two tree sizes (RFC 9162 §2.1.4)",
            "parameters": [
                _required("first", size, "The older tree size (at most second)."),
                _query("second", size, "The newer tree size (default and at most: the "
                                       "signed tree size).")],
            "responses": {"200": _log_json("LogConsistencyProof", "The proof."),
                          **NOT_MODIFIED, "400": ERRORS["400"], "404": NO_HEAD}}},
    }


@cache
def _build() -> dict:
    from charity.portal.open_data.resources import RESOURCES

    paths: dict = {}
    for name, schema in RESOURCE_SCHEMAS.items():
        paths.update(_resource_paths(name, schema, RESOURCES[name].filters))
    paths[f"{PREFIX}/stats"] = {"get": {
        "operationId": "stats", "tags": ["stats"],
        "summary": "A year's totals, for the installation and per organisation",
        "parameters": [
            _query("year", {"type": "integer", "minimum": 1900, "maximum": 2100},
                   "Calendar year (default: this year)."),
            _query("organization", {"type": "integer", "minimum": 1},
                   "Only this organisation in the per-organisation list.")],
        "responses": {"200": _json("Stats", "The totals."), **NOT_MODIFIED, **ERRORS}}}
    paths[f"{PREFIX}/transparency"] = {"get": {
        "operationId": "transparency_scores", "tags": ["transparency"],
        "summary": "Every organisation's latest transparency score, best first",
        "responses": {"200": _json("TransparencyList", "The ranking."), **NOT_MODIFIED}}}
    paths[f"{PREFIX}/transparency/{{organization_id}}"] = {"get": {
        "operationId": "transparency_score", "tags": ["transparency"],
        "summary": "One organisation's transparency score with its trend",
        "parameters": [{"name": "organization_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1}}],
        "responses": {"200": _json("TransparencyItem", "The score."), **NOT_MODIFIED,
                      "404": ERRORS["404"]}}}
    paths.update(_log_paths())
    paths[f"{PREFIX}/openapi.json"] = {"get": {
        "operationId": "openapi", "tags": ["meta"], "summary": "This description",
        "responses": {"200": {"description": "OpenAPI 3.1",
                              "content": {"application/json": {"schema": {
                                  "type": "object"}}}}}}}
    paths["/feed.atom"] = {"get": {
        "operationId": "feed", "tags": ["publications"],
        "summary": "Atom 1.0 feed of the newest 50 publications and the newest signed "
                   "heads of the transparency log",
        "responses": {"200": {"description": "Atom feed", "content": {
            "application/atom+xml": {"schema": STR}}}, **NOT_MODIFIED}}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Charity supermarket open data API",
            "version": "1.0.0",
            "summary": "Read-only public data: organisations, charity points, campaigns, "
                       "projects, disclosure obligations and publications, statistics, and the "
                       "transparency log of every publication.",
            "description": (
                "Every list answers {data, meta: {page, per_page, total}, links: {self, next, "
                "prev}}; every object {data, links: {self}}; errors {error: {code, message}}. "
                "Money is a string with two decimals (CNY). Dates are ISO 8601 calendar days "
                "of the organisation's time zone; instants are UTC. Drafts (planned campaigns "
                "and projects) and personal data are never published. Responses carry an ETag "
                "(304 on If-None-Match) and Cache-Control: public, max-age=60. The data may be "
                "reused under CC BY 4.0: name the organisation and, for a disclosure, its "
                "report number. The transparency log (/api/v1/log/…, RFC 9162 Merkle tree "
                "hashing, Ed25519-signed heads) answers in its own shapes, every hash and "
                "signature in lowercase hex; run the monitor (tools/monitor.py) to check that "
                "nothing published was changed."),
            "license": DATA_LICENCE,
        },
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


def document() -> dict:
    """The OpenAPI 3.1 document (a fresh copy: callers may not change the cached one)."""
    return copy.deepcopy(_build())
