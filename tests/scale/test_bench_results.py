"""bench/results.json keeps every section of both engines: a run of one bench on one engine
replaces that section of that engine only (issue 21 §6)."""
from __future__ import annotations

import json

from bench import province


def test_a_partial_run_keeps_the_other_sections_and_engines(tmp_path, monkeypatch):
    monkeypatch.setattr(province, "RESULTS", tmp_path / "results.json")
    first = {"measured_at": "2026-12-01T00:00:00+00:00", "factor": 1.0}
    province.merge_backend("sqlite", {"pages": {"rps": 1}, "tick": {"s": 2}}, first)
    province.merge_backend("postgresql", {"pages": {"rps": 3}}, first)
    later = {"measured_at": "2026-12-06T00:00:00+00:00", "factor": 0.02}
    province.merge_backend("sqlite", {"staff": {"pages": []}, "pages": {"rps": 5}}, later)

    data = json.loads((tmp_path / "results.json").read_text())
    sqlite, pg = data["backends"]["sqlite"], data["backends"]["postgresql"]
    assert sqlite["tick"] == {"s": 2, "run": first}
    assert sqlite["pages"] == {"rps": 5, "run": later}
    assert sqlite["staff"] == {"pages": [], "run": later}
    assert pg["pages"] == {"rps": 3, "run": first}
    assert data["runs"] == {"sqlite": later, "postgresql": first}


def test_top_level_sections_merge_too(tmp_path, monkeypatch):
    monkeypatch.setattr(province, "RESULTS", tmp_path / "results.json")
    province.merge_backend("sqlite", {"pages": {"rps": 1}}, {})
    province.merge_results({"machine": {"cores": 2}})
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["machine"] == {"cores": 2} and data["backends"]["sqlite"]["pages"]["rps"] == 1
