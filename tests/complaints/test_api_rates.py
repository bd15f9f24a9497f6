"""GET /api/v1/complaints/stats: the rates' rows, validated against the OpenAPI document."""
import datetime as dt

from tests.complaints.test_rates import _world
from tests.portal.test_api import validator_for


def test_the_answer_has_the_rows_and_validates(client, db, make_org):
    org = _world(db, make_org)
    document = client.get("/api/v1/openapi.json").json
    assert "/api/v1/complaints/stats" in document["paths"]
    answer = client.get(f"/api/v1/complaints/stats?year=2026&organization={org.id}").json
    errors = [e.message for e in validator_for(document, "ComplaintStats").iter_errors(answer)]
    assert not errors, errors[:3]
    rows = {(r["category"], r["month"]): r for r in answer["data"]["rows"]}
    march = rows[("物资去向", "2026-03")]
    # 5 arrived, 4 answered (3 in time), 3 rated, 2 content: see test_rates._world.
    assert (march["submitted"], march["answered"], march["on_time"], march["called_back"],
            march["satisfied"]) == (5, 4, 3, 3, 2)
    assert (march["on_time_rate"], march["callback_rate"], march["satisfaction_rate"]) == (
        "75.0", "75.0", "66.7")
    assert answer["data"]["start"] == dt.date(2026, 1, 1).isoformat()
    # Every organisation (no filter) and an empty year validate too; bad input is a 400.
    for url in ("/api/v1/complaints/stats", "/api/v1/complaints/stats?year=1999"):
        errors = list(validator_for(document, "ComplaintStats").iter_errors(
            client.get(url).json))
        assert not errors
    assert client.get("/api/v1/complaints/stats?year=abc").status_code == 400
