"""The crash checks can fail: a half-posted intake, a lost and a duplicated document, a token
claimed without its document are each reported."""
import datetime as dt
from decimal import Decimal

from charity.core.idempotency import SubmissionToken
from charity.goods.services.intake import post_intake
from charity.goods.models import Condition, Intake, IntakeLine
from charity.core.system import system_actor
from tests.crash import checks
from tests.crash.checks import INTAKE, Attempt


def _attempt(token, item, qty="2", outcome="ok", doc_id=None):
    return Attempt(INTAKE, token, {}, None, {"lines": [(item.id, qty)], "receipt": False},
                   outcome=outcome, doc_id=doc_id)


def _post(db, point, item, token, qty="2"):
    intake = post_intake(system_actor(), db, point, {
        "note": token, "lines": [{"item_type_id": item.id, "quantity": qty}]})
    db.add(SubmissionToken(token=token, result=f"intake:{intake.id}"))
    db.flush()
    return intake


def test_a_whole_intake_passes(db, make_point, make_item):
    point = make_point()
    item = make_item(point.organization)
    intake = _post(db, point, item, "tok-whole")
    found = checks.check(db, [_attempt("tok-whole", item, doc_id=intake.id)])
    assert (found.problems, found.lost, found.duplicated, found.documents) == ([], 0, 0, 1)


def test_a_half_posted_intake_is_reported(db, make_point, make_item):
    point = make_point()
    item = make_item(point.organization)
    # Header and line, but no stock movement and no audit entry: what a crash between two
    # commits would leave.
    half = Intake(organization_id=point.organization_id, point_id=point.id, note="tok-half",
                  received_on=dt.date(2026, 11, 1), total_value=Decimal("60.00"))
    db.add(half)
    db.flush()
    db.add(IntakeLine(intake_id=half.id, item_type_id=item.id, quantity=Decimal("2"),
                      condition=Condition.GOOD, unit_value=Decimal("30")))
    db.add(SubmissionToken(token="tok-half", result=f"intake:{half.id}"))
    db.flush()
    found = checks.check(db, [_attempt("tok-half", item, outcome="interrupted")])
    assert found.problems == [f"intake {half.id}: movements [], want [({item.id}, "
                              f"Decimal('2'))]", f"intake {half.id}: not in the audit log"]


def test_lost_duplicated_and_unfinished_are_reported(db, make_point, make_item):
    point = make_point()
    item = make_item(point.organization)
    first = _post(db, point, item, "tok-dup")
    second = post_intake(system_actor(), db, point, {
        "note": "tok-dup", "lines": [{"item_type_id": item.id, "quantity": "2"}]})
    db.add(SubmissionToken(token="tok-claimed", result=""))
    db.flush()
    found = checks.check(db, [_attempt("tok-dup", item, doc_id=first.id),
                              _attempt("tok-lost", item, doc_id=first.id + 1000)])
    assert (found.lost, found.duplicated, found.documents) == (1, 1, 2)
    assert f"intake posted 2 times for token tok-dup: {[first.id, second.id]}" in found.problems
    assert "1 tokens claimed without a result" in found.problems
