"""The OpenAPI 3.1 description of the open data API, served at /api/v1/openapi.json: its
paths here, its component schemas (the contract) in openapi_schemas.py."""
from __future__ import annotations

import copy
from functools import cache

from charity.portal.open_data.openapi_schemas import (  # noqa: F401 - re-exported
    DATA_LICENCE, ID, PREFIX, RESOURCE_SCHEMAS, SCHEMAS, STR, _ref, columns)

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


def _proof_path(name: str, summary: str, parameters: list, schema: str) -> dict:
    return {f"{PREFIX}/log/proof/{name}": {"get": {
        "operationId": f"log_{name}_proof", "tags": ["transparency log"], "summary": summary,
        "parameters": parameters,
        "responses": {"200": _log_json(schema, "The proof."), **NOT_MODIFIED,
                      "400": ERRORS["400"], "404": NO_HEAD}}}}


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
        **_proof_path("inclusion", "The inclusion proof of one entry (RFC 9162 §2.1.3)", [
            _required("index", index, "The entry's index (below tree_size)."),
            _query("tree_size", size, "The tree to prove it in (default and at most: the "
                                      "signed tree size).")], "LogInclusionProof"),
        **_proof_path("consistency",
                      "The consistency proof between two tree sizes (RFC 9162 §2.1.4)", [
                          _required("first", size, "The older tree size (at most second)."),
                          _query("second", size, "The newer tree size (default and at most: "
                                                 "the signed tree size).")],
                      "LogConsistencyProof"),
    }


INFO = {
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
}


def _monthly_path(operation: str, schema: str, summary: str,
                  default: str = "the last twelve months") -> dict:
    """A statistics path answering rows per month for ?year= (or `default`)."""
    return {"get": {
        "operationId": operation, "tags": ["stats"], "summary": summary,
        "parameters": [
            _query("year", {"type": "integer", "minimum": 1900, "maximum": 2100},
                   f"Calendar year (default: {default})."),
            _query("organization", {"type": "integer", "minimum": 1},
                   "Only this organisation.")],
        "responses": {"200": _json(schema, "The rows."), **NOT_MODIFIED,
                      "400": ERRORS["400"]}}}


def _figure_paths() -> dict:
    """The statistics and the transparency scores."""
    paths: dict = {}
    paths[f"{PREFIX}/stats"] = {"get": {
        "operationId": "stats", "tags": ["stats"],
        "summary": "A year's totals, for the installation and per organisation",
        "parameters": [
            _query("year", {"type": "integer", "minimum": 1900, "maximum": 2100},
                   "Calendar year (default: this year)."),
            _query("organization", {"type": "integer", "minimum": 1},
                   "Only this organisation in the per-organisation list.")],
        "responses": {"200": _json("Stats", "The totals."), **NOT_MODIFIED, **ERRORS}}}
    paths[f"{PREFIX}/complaints/stats"] = _monthly_path(
        "complaint_stats", "ComplaintStats", "Complaints and the three 12345 rates per "
        "organisation, category and month of arrival")
    paths[f"{PREFIX}/deliveries/stats"] = _monthly_path(
        "delivery_stats", "DeliveryStats", "Home deliveries per organisation, month and "
        "community (counts only)")
    paths[f"{PREFIX}/timebank/stats"] = _monthly_path(
        "timebank_stats", "TimebankStats", "The volunteer time bank per month: approved hours "
        "served and points redeemed; volunteers named only with their consent", "this year")
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
    return paths


@cache
def _build() -> dict:
    from charity.portal.open_data.resources import RESOURCES

    paths: dict = {}
    for name, schema in RESOURCE_SCHEMAS.items():
        paths.update(_resource_paths(name, schema, RESOURCES[name].filters))
    paths.update(_figure_paths())
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
        "info": INFO,
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


def document() -> dict:
    """The OpenAPI 3.1 document (a fresh copy: callers may not change the cached one)."""
    return copy.deepcopy(_build())
