"""Every POST endpoint of the app × random and hostile form input (Hypothesis).

For each POST route the test finds the form that posts to it (by reading every page the
route matrix can open, as the role that may use it), then posts values drawn from
`hostile.field_strategy` for each of its fields, plus absent, repeated and unknown fields.
A POST route whose form no page shows (a button the world does not reach) gets a few
field names from the vocabulary of all the app's forms instead. Two promises are checked on
every example:

- never a server error (5xx);
- a refused post (anything but a redirect) leaves every table exactly as it was.

Each form runs inside a SAVEPOINT rolled back afterwards, so one form's accepted posts
(a deactivated organisation, a closed project) cannot starve the forms fuzzed after it.
Hypothesis cannot reset pytest fixtures between examples, so the @given function is defined
inside the test, once per form, and runs there.
"""
from __future__ import annotations

import os

import pytest
from flask import url_for
from hypothesis import given

from charity.core.extensions import db as _db
from tests.auth.policies.common import PUBLIC
from tests.auth.test_route_matrix import POLICY
from tests.conftest import PASSWORD
from tests.fuzz.hostile import (changed_tables, fingerprint, form_strategy, fuzz_settings,
                                parse_forms, to_form_data, vocabulary_strategy,
                                write_count)

# The wide sweep runs on SQLite; PostgreSQL gets a smaller one (same forms, fewer examples)
# to keep the suite within a few minutes on a small CI machine.
# A failing example's 100k-character value makes Hypothesis warn that its repr is large;
# the failure itself is what matters, so that warning must not replace it.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
EXAMPLES = {"sqlite": 10, "postgresql": 3}
SKIP_PAGES = ("api.", "static", "auth.logout", "auth.set_language")
SKIP_SUFFIXES = ("_pdf", ".export", "file_download", "attachment", "healthz")
# Posting these signs the posting browser out (the database change is rolled back after
# each example, the client's cookie is not).
SIGNS_OUT_THE_CLIENT = ("auth.sign_out_all",)
RATE_LIMITS = ("CHARITY_COMPLAINT_RATE_LIMIT", "CHARITY_WISH_CLAIM_RATE_LIMIT",
               "CHARITY_DROPOFF_RATE_LIMIT")


def _role_for(endpoint: str) -> str:
    allowed = POLICY[endpoint]
    if allowed == PUBLIC:
        return "anonymous"
    for role in ("admin", "manager", "volunteer", "auditor"):
        if role in allowed:
            return role
    raise AssertionError(f"{endpoint}: nobody may use it")


def _url(app, rule, args) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: args[name] for name in rule.arguments})


def _clients(app, world):
    clients = {"anonymous": app.test_client()}
    for role, user in world["actors"].items():
        c = app.test_client()
        r = c.post("/login", data={"username": user.username, "password": PASSWORD})
        assert r.status_code == 302, r.get_data(as_text=True)[:300]
        clients[role] = c
    return clients


def _discover_forms(app, clients, world, roles) -> dict[tuple[str, str], dict]:
    """(role, action path) → fields, from every HTML page each role can open."""
    found: dict[tuple[str, str], dict] = {}
    for rule in app.url_map.iter_rules():
        if ("GET" not in rule.methods or rule.endpoint.startswith(SKIP_PAGES)
                or rule.endpoint.endswith(SKIP_SUFFIXES)):
            continue
        url = _url(app, rule, world["args"])
        for role in roles:
            response = clients[role].get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                for action, fields in parse_forms(url, response.get_data(as_text=True)).items():
                    merged = found.setdefault((role, action), {})
                    for name, field in fields.items():
                        known = merged.setdefault(name, {**field, "values": []})
                        known["values"] += [v for v in field["values"]
                                            if v not in known["values"]]
            response.close()
    return found


@pytest.fixture
def no_rate_limits(app, monkeypatch):
    for key in RATE_LIMITS:
        monkeypatch.setitem(app.config, key, 10**6)


def test_every_post_form_survives_hostile_input(app, db, backend, world,
                                                no_rate_limits, capsys):
    clients = _clients(app, world)
    rules = sorted((r for r in app.url_map.iter_rules() if "POST" in r.methods),
                   key=lambda r: r.endpoint)
    roles = sorted({_role_for(r.endpoint) for r in rules})
    forms = _discover_forms(app, clients, world, roles)
    conn = db.get_bind()
    tables = list(_db.metadata.sorted_tables)
    examples = EXAMPLES[backend]
    failures, summary = [], []
    vocabulary = sorted({name for fields in forms.values() for name in fields})

    only = os.environ.get("CHARITY_FUZZ_ONLY")  # debugging: one endpoint prefix
    for rule in rules:
        if only and not rule.endpoint.startswith(only):
            continue
        role = _role_for(rule.endpoint)
        url = _url(app, rule, world["args"])
        fields = list(forms.get((role, url), {}).values())
        client = clients[role]
        if rule.endpoint in SIGNS_OUT_THE_CLIENT:
            # Its own browser: the role's shared client must stay signed in for the rest.
            client = _clients(app, {"actors": {role: world["actors"][role]}})[role]
        stats = {"examples": 0, "accepted": 0, "statuses": set()}
        baseline: dict = {}

        @fuzz_settings(examples)
        @given(drawn=form_strategy(fields) if fields else vocabulary_strategy(vocabulary))
        def post(drawn):
            # Each example starts from the same data (its own savepoint, rolled back after),
            # so a failure found once reproduces when Hypothesis replays it.
            db.commit()
            example = conn.begin_nested()
            try:
                check(drawn)
            finally:
                db.rollback()
                example.rollback()
                db.expire_all()

        def check(drawn):
            # Every example starts from the same data (rolled back after each), so the
            # fingerprint before is taken once per form; a leak from one example into the
            # next would show as a change.
            before = baseline or baseline.update(fingerprint(conn, tables)) or baseline
            writes = write_count(conn)
            response = client.post(url, data=to_form_data(drawn))
            status = response.status_code
            # Some forms save a part and show themselves again with a success message (the
            # intake form's "add item type" keeps the donor's typing): accepted, like a
            # redirect.
            saved = status == 200 and b"flash-success" in response.get_data()
            response.close()
            stats["examples"] += 1
            stats["statuses"].add(status)
            assert status < 500, f"{status} from POST {url}"
            if status in (301, 302, 303) or saved:
                stats["accepted"] += 1
                return
            if write_count(conn) == writes:
                return  # not a row written, kept or rolled back: every table is as it was
            after = fingerprint(conn, tables)
            assert after == before, (f"POST {url} answered {status} but changed "
                                     f"{changed_tables(before, after)}")

        db.commit()  # no session transaction may straddle the savepoint below
        savepoint = conn.begin_nested()
        try:
            post()
        except Exception as exc:  # noqa: BLE001 - collect every form's failure, report all
            failures.append(f"{rule.endpoint} as {role}: {type(exc).__name__}: {exc}"[:2000])
        finally:
            db.rollback()
            savepoint.rollback()
            db.expire_all()
        summary.append(f"{rule.endpoint:45} {role:9} fields={len(fields):2} "
                       f"examples={stats['examples']:3} accepted={stats['accepted']:3} "
                       f"statuses={sorted(stats['statuses'])}")

    total = sum(int(line.split("examples=")[1].split()[0]) for line in summary)
    with_form = sum(1 for line in summary if "fields= 0" not in line)
    with capsys.disabled():
        print(f"\n[fuzz forms, {backend}] {len(rules)} POST endpoints ({with_form} through the "
              f"fields of a form found on a page), {total} examples")
        for line in summary:
            print("  " + line)
    assert not failures, "\n\n".join(failures)
    # Every POST route was exercised; most through their form's fields (the rest are
    # buttons without fields, or forms the matrix's world does not show).
    assert len(summary) == len(rules) and with_form >= 50
