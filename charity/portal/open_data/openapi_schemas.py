"""The component schemas of the open data API's OpenAPI 3.1 description (openapi.py).

They are the contract: the tests validate every real answer against them (JSON Schema
2020-12), the CSV columns are their property names in order, and each object schema forbids
properties it does not list, so a field cannot leak into the API unnoticed.
"""
from __future__ import annotations

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

_RATE = {"type": "string", "pattern": r"^[0-9]{1,3}\.[0-9]$",
         "description": "per cent, one decimal (null: nothing to count)"}
COUNT0 = {"type": "integer", "minimum": 0}
SCHEMAS["ComplaintRates"] = obj({
    "organization_id": ID, "organization": STR, "category": STR,
    "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
    **{name: COUNT0 for name in ("submitted", "answered", "on_time", "called_back",
                                 "satisfied")},
    **{name: nullable(_RATE) for name in ("on_time_rate", "callback_rate",
                                          "satisfaction_rate")}},
    "Complaints of one organisation and category that arrived in one month, with the three "
    "12345 rates: on time (answered by the deadline / answered), call-back (rated / "
    "answered) and satisfaction (满意 + 基本满意 / rated).")
SCHEMAS["ComplaintStats"] = obj({
    "data": obj({"start": DATE, "end": DATE, "rows": {
        "type": "array", "items": {"$ref": "#/components/schemas/ComplaintRates"}}}),
    "meta": obj({"year": nullable(INT), "organization": nullable(ID)}),
    "links": {"$ref": "#/components/schemas/ItemLinks"}})
SCHEMAS["DeliveryStats"] = obj({
    "data": obj({"start": DATE, "end": DATE, "rows": {"type": "array", "items": obj({
        "organization_id": ID, "organization": STR, "community": STR,
        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
        "delivered": COUNT0}, "Home deliveries handed over in one month in one community "
                              "(送货上门): a count, never a name or an address.")}}),
    "meta": obj({"year": nullable(INT), "organization": nullable(ID)}),
    "links": {"$ref": "#/components/schemas/ItemLinks"}})

SCHEMAS["TimebankStats"] = obj({
    "data": obj({"year": INT, "months": {"type": "array", "items": obj({
        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
        "hours": {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$"},
        "points_redeemed": COUNT0}, "One month: hours of approved volunteer service begun "
        "in it and points spent at the counter.")},
        "volunteers_named": {"type": "array", "items": STR}}),
    "meta": obj({"year": INT, "organization": nullable(ID)}),
    "links": {"$ref": "#/components/schemas/ItemLinks"}})

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


