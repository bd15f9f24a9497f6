"""The open data API (/api/v1/…), its CSV downloads, the Atom feed and the OpenAPI document.

Read-only and public. Every JSON answer has the same envelope, an ETag (a hash of the body)
and, where the data tell it, Last-Modified; a conditional GET is answered 304. Errors are
JSON too (charity.web.errors answers JSON for every /api/ path). What is published and how
it reads as JSON is in charity.portal.open_data.
"""
from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext as _

from charity.complaints import rates as complaint_rates
from charity.complaints.stats import window as complaint_window
from charity.core.clock import today_in
from charity.core.extensions import db
from charity.delivery.queries import monthly_counts as delivery_counts
from charity.log import keys as log_keys
from charity.log import queries as log_queries
from charity.points import queries as timebank
from charity.portal.open_data import atom, openapi
from charity.portal.open_data.resources import (
    RESOURCES,
    Filters,
    collection_chunks,
    collection_page,
    newest_change,
    newest_publications,
    stats_payload,
)
from charity.reports.spreadsheets import CSV_MIME, content_disposition, csv_chunks
from charity.transparency import queries as transparency
from charity.transparency.serialise import score_data, trend_data
from charity.web.access import MAX_PAGE, PUBLIC, access, query_choice, query_int
from charity.web.public_page import public_page
from charity.web.public_url import public_url

bp = Blueprint("api", __name__)
PREFIX = "/api/v1"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_AGE = 60  # seconds: public data, but a new disclosure should show within a minute
FEED_ENTRIES = 50
FEED_HEADS = 20  # the log's newest signed heads, so feed readers archive them
CSV_CHUNK = 200


def _cached(response: Response, last_modified=None, etag: bool = True) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    if last_modified is not None:
        response.last_modified = last_modified
    if etag:
        response.add_etag()
    return response.make_conditional(request)


def json_response(payload: dict, last_modified=None) -> Response:
    """The payload as UTF-8 JSON (Chinese readable, not \\u-escaped), conditional."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return _cached(Response(body, mimetype="application/json"), last_modified)


def _filters(resource) -> Filters:
    values = {}
    for name, allowed in resource.filters.items():
        if name == "year":
            values[name] = query_int("year", minimum=1900, maximum=2100)
        elif allowed:
            values[name] = query_choice(name, allowed)
        else:
            values[name] = query_int(name)
    return Filters(**values)


def _extra(resource, rows) -> dict:
    extra = resource.extras(db.session, rows) if resource.extras else {}
    extra["urls"] = _publication_urls
    return extra


def _publication_urls(pub) -> tuple[str, str]:
    return (public_url("disclosures.publication_view", pub_id=pub.id),
            public_url("disclosures.publication_pdf", pub_id=pub.id))


def _link(endpoint: str, filters: Filters, **extra) -> str:
    args = {k: v for k, v in vars(filters).items() if v is not None}
    return public_url(endpoint, **args, **extra)


def collection(name: str):
    resource = RESOURCES[name]
    filters = _filters(resource)
    page = query_int("page", 1, maximum=MAX_PAGE)
    per_page = query_int("per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    rows, total = collection_page(db.session, resource, filters, page, per_page)
    extra = _extra(resource, rows)
    endpoint = request.endpoint
    payload = {
        "data": [resource.serialise(row, extra) for row in rows],
        "meta": {"page": page, "per_page": per_page, "total": total},
        "links": {
            "self": _link(endpoint, filters, page=page, per_page=per_page),
            "next": (_link(endpoint, filters, page=page + 1, per_page=per_page)
                     if page * per_page < total else None),
            "prev": (_link(endpoint, filters, page=min(page - 1, max(1, -(-total // per_page))),
                           per_page=per_page) if page > 1 else None),
        },
    }
    return json_response(payload, newest_change(db.session, name))


def item(name: str, item_id: int):
    resource = RESOURCES[name]
    row = resource.load(db.session, item_id) if 0 < item_id < 2**31 else None
    if row is None:
        abort(404)
    payload = {"data": resource.serialise(row, _extra(resource, [row])),
               "links": {"self": public_url(request.endpoint, item_id=item_id)}}
    return json_response(payload, newest_change(db.session, name))


def _csv_cell(value):
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def collection_csv(name: str):
    """Every row (not one page) as CSV, streamed in chunks, with the list's filters."""
    resource = RESOURCES[name]
    filters = _filters(resource)
    columns = openapi.columns(name)

    def rows():
        for chunk in collection_chunks(db.session, resource, filters, CSV_CHUNK):
            extra = _extra(resource, chunk)
            for row in chunk:
                data = resource.serialise(row, extra)
                yield [_csv_cell(data[c]) for c in columns]

    response = Response(stream_with_context(csv_chunks(columns, rows())),
                        content_type=CSV_MIME)
    response.headers["Content-Disposition"] = content_disposition(f"{name}.csv")
    # A hash of the body would need the whole body before the first byte: the CSV gets
    # Last-Modified (where known) but no ETag, so it can stream.
    return _cached(response, newest_change(db.session, name), etag=False)


def _register(name: str) -> None:
    singular = name[:-1]

    def list_view():
        return collection(name)

    def item_view(item_id: int):
        return item(name, item_id)

    def csv_view():
        return collection_csv(name)

    for view, rule, endpoint, shared in (
            (list_view, f"{PREFIX}/{name}", name, True),
            (item_view, f"{PREFIX}/{name}/<int:item_id>", singular, True),
            (csv_view, f"{PREFIX}/{name}.csv", f"{name}_csv", False)):  # streamed
        view.__name__ = endpoint
        bp.add_url_rule(rule, endpoint, access(PUBLIC)(public_page(view) if shared else view))


for _name in RESOURCES:
    _register(_name)


@bp.route(f"{PREFIX}/stats")
@access(PUBLIC)
@public_page
def stats():
    tz = current_app.config["CHARITY_TIMEZONE"]
    year = query_int("year", today_in(tz).year, minimum=1900, maximum=2100)
    organization = query_int("organization")
    payload = stats_payload(db.session, year, organization)
    if payload is None:
        abort(404)
    payload["links"] = {"self": public_url("api.stats", year=year, organization=organization)}
    return json_response(payload)


def _monthly_rows(endpoint: str, rows):
    """A window of months (?year=, else the last twelve months), optionally one
    ?organization=, and `rows(session, start, end, organization)` for it."""
    year = query_int("year", None, minimum=1900, maximum=2100)
    organization = query_int("organization")
    start, end = complaint_window(year, today_in(current_app.config["CHARITY_TIMEZONE"]))
    return json_response({
        "data": {"start": start.isoformat(), "end": end.isoformat(),
                 "rows": rows(db.session, start, end, organization)},
        "meta": {"year": year, "organization": organization},
        "links": {"self": public_url(endpoint, year=year, organization=organization)}})


@bp.route(f"{PREFIX}/complaints/stats")
@access(PUBLIC)
@public_page
def complaint_stats():
    """The three 12345 rates per organisation, category and month (charity.complaints.rates)."""
    return _monthly_rows("api.complaint_stats", lambda *window: [
        complaint_rates.row_data(r) for r in complaint_rates.rate_rows(*window)])


@bp.route(f"{PREFIX}/deliveries/stats")
@access(PUBLIC)
@public_page
def delivery_stats():
    """Home deliveries per organisation, month and community: counts only."""
    return _monthly_rows("api.delivery_stats", delivery_counts)


@bp.route(f"{PREFIX}/timebank/stats")
@access(PUBLIC)
@public_page
def timebank_stats():
    """The volunteer time bank per month: hours served, points redeemed (charity.points)."""
    today = today_in(current_app.config["CHARITY_TIMEZONE"])
    year = query_int("year", today.year, minimum=1900, maximum=2100)
    organization = query_int("organization")
    payload = timebank.public_payload(db.session, year, today, organization)
    payload["links"] = {"self": public_url("api.timebank_stats", year=year,
                                           organization=organization)}
    return json_response(payload)


@bp.route(f"{PREFIX}/transparency")
@access(PUBLIC)
@public_page
def transparency_scores():
    """Every active organisation's latest transparency score, best first."""
    rows = [score_data(r) for r in transparency.latest(db.session)]
    return json_response({"data": rows, "meta": {"total": len(rows)},
                          "links": {"self": public_url("api.transparency_scores")}})


@bp.route(f"{PREFIX}/transparency/<int:organization_id>")
@access(PUBLIC)
@public_page
def transparency_score(organization_id: int):
    """One organisation's latest score with its history (the trend)."""
    rows = transparency.public_history(db.session, organization_id) or abort(404)
    return json_response({"data": {**score_data(rows[-1]), "trend": trend_data(rows)},
                          "links": {"self": public_url("api.transparency_score",
                                                    organization_id=organization_id)}})


@bp.route(f"{PREFIX}/openapi.json", endpoint="openapi")
@access(PUBLIC)
@public_page
def openapi_document():
    return json_response(openapi.document())


@bp.route("/open-data")
@access(PUBLIC)
@public_page
def index():
    labels = {"organizations": _("Organisations"), "points": _("Charity points"),
              "campaigns": _("Campaigns"), "projects": _("Projects"),
              "obligations": _("Disclosure obligations"), "publications": _("Disclosures")}
    return render_template("portal/open_data.html", resources=list(RESOURCES), labels=labels,
                           filters={n: r.filters for n, r in RESOURCES.items()},
                           prefix=PREFIX, max_per_page=MAX_PER_PAGE,
                           default_per_page=DEFAULT_PER_PAGE,
                           log_key=log_keys.public_info(current_app.instance_path))


@bp.route("/feed.atom")
@access(PUBLIC)
@public_page
def feed():
    heads = log_queries.recent_heads(db.session, FEED_HEADS)
    body = atom.build(newest_publications(db.session, FEED_ENTRIES), urls=_publication_urls,
                      self_url=public_url("api.feed"),
                      list_url=public_url("disclosures.publication_list"),
                      heads=heads, key_url=public_url("log_api.key"))
    response = Response(body, mimetype="application/atom+xml")
    changed = [t for t in (newest_change(db.session, "publications"),
                           heads[0].signed_at if heads else None) if t is not None]
    return _cached(response, max(changed, default=None))
