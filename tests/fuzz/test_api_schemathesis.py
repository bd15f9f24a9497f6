"""Schemathesis against the served OpenAPI description (/api/v1/openapi.json).

Every documented operation gets generated requests — valid ones and, in the negative
mode, ones that break the schema (wrong types, out-of-range ids, unknown enum values) —
and three checks: no server error, the answer's status is documented, and its body
conforms to the documented schema. The database holds a small world (the route matrix's:
an organisation, a point, an active campaign, a project, a publication) so the positive
cases find real rows.
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis.errors import Unsatisfiable

from tests.fuzz.hostile import fuzz_settings

# A failing example's 100k-character value makes Hypothesis warn that its repr is large;
# the failure itself is what matters, so that warning must not replace it.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
EXAMPLES = {"sqlite": 12, "postgresql": 4}


def test_openapi_operations_conform(app, db, world, backend, capsys):
    # Imported here, not at collection: schemathesis takes seconds to import and only the
    # worker that runs this test needs it (its pytest plugin is off: pyproject.toml).
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (response_schema_conformance,
                                                   status_code_conformance)

    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    db.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures, counts = [], {}
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    for operation in operations:
        for mode in modes:
            key = f"{operation.label} [{mode.value}]"
            counts[key] = 0

            @fuzz_settings(EXAMPLES[backend])
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                counts[key] += 1
                case.call_and_validate(checks=checks)

            try:
                call()
            except Unsatisfiable:
                # An operation without parameters has no way to be called wrongly.
                assert mode is schemathesis.GenerationMode.NEGATIVE, key
                del counts[key]
            except Exception as exc:  # noqa: BLE001 - report every operation at once
                failures.append(f"{key}: {type(exc).__name__}: {exc}"[:3000])
    with capsys.disabled():
        print(f"\n[fuzz api, {backend}] {len(operations)} operations × {len(modes)} modes, "
              f"{sum(counts.values())} examples")
    assert not failures, "\n\n".join(failures)
    assert len(operations) >= 14 and all(counts.values())
