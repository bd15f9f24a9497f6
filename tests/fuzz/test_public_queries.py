"""Every public GET page × random and hostile query parameters: never a server error.

The parameter names are every name the code reads from the query string (found in the
source, so a new parameter is fuzzed without editing this file), offered to every page:
a page that ignores a parameter must ignore it quietly; one that reads it must answer a
malformed value with 400 and a message, not a 500.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import url_for
from hypothesis import given
from hypothesis import strategies as st

import charity
from tests.auth.policies.common import PUBLIC
from tests.auth.test_route_matrix import POLICY
from tests.fuzz.hostile import HOSTILE, fuzz_settings, hostile_value

# A failing example's 100k-character value makes Hypothesis warn that its repr is large;
# the failure itself is what matters, so that warning must not replace it.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
EXAMPLES = {"sqlite": 15, "postgresql": 4}
# The PDF is rendered once per publication and cached; fuzzing it would time the renderer.
SKIP = {"static", "auth.logout", "auth.set_language", "disclosures.publication_pdf"}
_READ = re.compile(r"""(?:query_int|query_choice|args\.get(?:list)?)\(\s*["']([a-z_]+)["']""")


def parameter_names() -> list[str]:
    names = set()
    for path in Path(charity.__file__).parent.rglob("*.py"):
        names.update(_READ.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


def test_parameter_names_are_found():
    names = parameter_names()
    assert {"page", "q", "org", "year", "status", "point", "kind"} <= set(names)


def test_public_pages_survive_hostile_query_parameters(app, client, world, backend,
                                                       capsys):
    names = parameter_names()
    value = st.one_of(hostile_value, hostile_value, st.lists(st.sampled_from(HOSTILE),
                                                              min_size=2, max_size=3))
    query = st.dictionaries(st.sampled_from(names), value, min_size=1, max_size=4)
    rules = sorted((r for r in app.url_map.iter_rules()
                    if POLICY[r.endpoint] == PUBLIC and "GET" in r.methods
                    and r.endpoint not in SKIP), key=lambda r: r.endpoint)
    failures, counts = [], {}
    for rule in rules:
        with app.test_request_context():
            path = url_for(rule.endpoint, **{n: world["args"][n] for n in rule.arguments})
        counts[rule.endpoint] = 0

        @fuzz_settings(EXAMPLES[backend])
        @given(params=query)
        def get(params):
            counts[rule.endpoint] += 1
            response = client.get(path, query_string=params)
            status = response.status_code
            response.close()
            assert status < 500, f"GET {path} {params!r}: {status}"

        try:
            get()
        except Exception as exc:  # noqa: BLE001 - report every page's failure at once
            failures.append(f"{rule.endpoint}: {type(exc).__name__}: {exc}"[:1500])
    with capsys.disabled():
        print(f"\n[fuzz queries, {backend}] {len(rules)} public pages, {len(names)} parameter "
              f"names, {sum(counts.values())} examples")
    assert not failures, "\n\n".join(failures)
    assert len(rules) >= 25 and all(counts.values())
