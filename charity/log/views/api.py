"""The transparency log's public API, /api/v1/log/… (read-only, JSON).

Every hash and the signature are lowercase hex. Errors have the shape of the rest of the
API: {"error": {"code": 400, "message": "…"}} (charity/web/errors.py answers it for every
/api/ path; the few answers given here directly use the same shape).
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request

from charity.core.extensions import db
from charity.log import keys, queries
from charity.web.access import PUBLIC, BadQueryParameter, access, query_int
from charity.web.public_url import public_url

bp = Blueprint("log_api", __name__, url_prefix="/api/v1/log")
IMMUTABLE_MAX_AGE = 3600  # entries and proofs below a signed size never change


def _json(payload: dict, max_age: int | None) -> Response:
    response = Response(json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                        mimetype="application/json")
    response.cache_control.public = True
    if max_age is None:
        response.cache_control.no_cache = True  # the head: always ask again
    else:
        response.cache_control.max_age = max_age
    response.add_etag()
    return response.make_conditional(request)


def _error(code: int, message: str):
    return {"error": {"code": code, "message": message}}, code


def _signed_size():
    head = queries.latest_head(db.session)
    return head, head.tree_size if head else 0


class _NoHead(Exception):
    pass


@bp.errorhandler(_NoHead)
def _no_head(_exc):
    return _error(404, "The log has no signed head yet.")


def _proof_size() -> int:
    """The signed tree size a proof is asked within (404 while the log has no head)."""
    _head, size = _signed_size()
    if size == 0:
        raise _NoHead()
    return size


def _required_int(name: str, **bounds) -> int:
    value = query_int(name, **bounds)
    if value is None:
        raise BadQueryParameter(f"The parameter “{name}” is required.")
    return value


@bp.route("/head")
@access(PUBLIC)
def head():
    """The latest signed tree head. `signature`: Ed25519, hex, over the four lines of
    charity.log.keys.head_message (context, tree_size, root_hash, timestamp)."""
    latest, _size = _signed_size()
    if latest is None:
        return _error(404, "The log has no signed head yet.")
    return _json(queries.head_json(latest), None)


@bp.route("/key")
@access(PUBLIC)
def key():
    return _json(keys.public_info(current_app.instance_path), 300)


@bp.route("/entries")
@access(PUBLIC)
def entries():
    """Entries start..end inclusive (as RFC 6962 get-entries); at most MAX_ENTRIES per call
    (fewer may come back: ask again from the next index)."""
    _head, size = _signed_size()
    start = _required_int("start", minimum=0)
    end = query_int("end", start + queries.MAX_ENTRIES - 1, minimum=0)
    if end < start:
        raise BadQueryParameter("“end” must not be smaller than “start”.")
    if start >= size:
        raise BadQueryParameter(f"“start” must be smaller than the signed tree size ({size}).")
    end = min(end, start + queries.MAX_ENTRIES - 1, size - 1)
    rows = queries.entries(db.session, start, end)
    data = [{"index": r.leaf_index, "leaf": r.leaf, "leaf_hash": r.leaf_hash,
             "publication_id": r.publication_id,
             "publication_url": public_url("disclosures.publication_view",
                                           pub_id=r.publication_id),
             "pdf_url": public_url("disclosures.publication_pdf", pub_id=r.publication_id)}
            for r in rows]
    return _json({"entries": data, "tree_size": size}, IMMUTABLE_MAX_AGE)


@bp.route("/proof/inclusion")
@access(PUBLIC)
def inclusion():
    """PATH(index, D[tree_size]) of RFC 9162 §2.1.3; tree_size defaults to the signed one."""
    size = _proof_size()
    tree_size = query_int("tree_size", size, maximum=size)
    index = _required_int("index", minimum=0, maximum=tree_size - 1)
    leaf = queries.entries(db.session, index, index)[0]
    path = queries.inclusion_path(db.session, index, tree_size)
    return _json({"index": index, "tree_size": tree_size, "leaf_hash": leaf.leaf_hash,
                  "inclusion_path": [h.hex() for h in path]}, IMMUTABLE_MAX_AGE)


@bp.route("/proof/consistency")
@access(PUBLIC)
def consistency():
    """PROOF(first, D[second]) of RFC 9162 §2.1.4 (empty when first = second)."""
    size = _proof_size()
    second = query_int("second", size, maximum=size)
    first = _required_int("first", maximum=second)
    path = queries.consistency_path(db.session, first, second)
    return _json({"first": first, "second": second,
                  "consistency_path": [h.hex() for h in path]}, IMMUTABLE_MAX_AGE)
