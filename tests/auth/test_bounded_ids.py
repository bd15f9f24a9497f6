"""One bounded id parser for every view (issue 16): an id in a path, a query or a form that
is not a whole number from 1 to 2**31-1 in ASCII digits is "not found", never a 500.

The fuzzer's class of bug: int() accepts "１２" (full-width) and "١٢" and raises on "²",
while an id beyond 32 bits overflows SQLite and aborts PostgreSQL's transaction."""
from urllib.parse import quote

import pytest

from charity.web.access import MAX_ID, parse_id
from flask import url_for

from tests.auth.test_route_matrix import SIGN_OUTS, _url_and_method, world  # noqa: F401

PLACEHOLDER = 918273645

BAD_PATH_IDS = ["0", str(MAX_ID + 1), "99999999999999999999", "00000000000000000000001",
                quote("１２"), quote("١٢"), quote("²"), "-1", "1.0", "1e3", "%201"]
BAD_QUERY_VALUES = ["²", "１２", "99999999999", "-5", "0", "1 OR 1=1"]
QUERY_NAMES = ["point", "org", "item", "category", "project", "campaign", "donor_id", "user",
               "year", "from", "organization", "subject_id", "rpage", "page"]


@pytest.mark.parametrize("raw,expected", [
    ("1", 1), ("42", 42), (str(MAX_ID), MAX_ID), (" 7 ", 7), (7, 7), (MAX_ID, MAX_ID),
    ("0", None), (0, None), (-3, None), ("-3", None), ("+3", None), (str(MAX_ID + 1), None),
    (MAX_ID + 1, None), ("１２", None), ("١٢", None), ("²", None), ("3.0", None), ("", None),
    (None, None), (True, None), ("12345678901", None), (3.0, None), ("0x10", None),
])
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_every_path_id_out_of_range_or_not_ascii_is_not_found(app, client, login, world):
    """Each route with an <int:…> part, as an administrator (who may open them all): the
    good id works (tests/auth/test_route_matrix.py), a bad one is a 404."""
    login(world["actors"]["admin"])
    failures = []
    checked = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        int_args = [name for name, conv in rule._converters.items()
                    if type(conv).__name__ == "IdConverter"]
        if not int_args or rule.endpoint in SIGN_OUTS:
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        for name in int_args:
            args = {n: world["args"][n] for n in rule.arguments}
            args[name] = PLACEHOLDER
            with app.test_request_context():
                template = url_for(rule.endpoint, **args)
            for bad in BAD_PATH_IDS:
                url = template.replace(str(PLACEHOLDER), bad)
                response = client.open(url, method=method)
                response.close()
                checked += 1
                if response.status_code != 404:
                    failures.append(f"{method} {url}: {response.status_code}")
    assert checked > 100
    assert not failures, "\n".join(failures)


@pytest.mark.slow  # every GET route × 6 hostile values × 3 roles: in ./test, not the quick loop
@pytest.mark.parametrize("role", ["admin", "manager", "volunteer"])
def test_hostile_ids_in_queries_never_give_a_500(app, client, login, world, role):
    login(world["actors"][role])
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "GET" not in rule.methods or rule.endpoint in ("auth.logout", "static"):
            continue
        base, _method = _url_and_method(app, rule, world)
        for value in BAD_QUERY_VALUES:
            query = "&".join(f"{n}={quote(value)}" for n in QUERY_NAMES)
            url = f"{base}{'&' if '?' in base else '?'}{query}"
            response = client.get(url)
            response.close()
            if response.status_code >= 500:
                failures.append(f"GET {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
