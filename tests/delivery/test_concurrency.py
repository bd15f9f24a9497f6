"""The last unit on a real database (SQLite file, PostgreSQL), wanted at once by two
delivery orders and two counter hand-outs: exactly one gets it, and the reservation and the
balance agree with the rows afterwards."""
import sqlalchemy as sa

from charity.auth.services import create_user
from charity.core.errors import ValidationFailed
from charity.core.extensions import db
from charity.core.system import system_actor
from charity.delivery.models import Delivery
from charity.delivery.reservations import verify_reservations
from charity.delivery.services import create_delivery, record_need
from charity.goods.models import Distribution
from charity.goods.services.distributions import post_distribution
from charity.goods.services.stock_ledger import verify_stock
from tests.goods.test_concurrency import TODAY, _run_threads, _setup


def test_last_unit_is_reserved_or_handed_out_once(committed_app):
    ids = _setup(committed_app, households=4, stock_qty=1)
    actor = system_actor()
    with committed_app.app_context():
        from charity.people.models import Beneficiary

        courier = create_user(actor, db.session, {
            "username": "courier", "display_name": "送货员", "role": "manager",
            "password": "courier-password-2026", "organization_id": ids["org"]}).id
        for household_id in ids["households"][:2]:
            record_need(actor, db.session, db.session.get(Beneficiary, household_id),
                        {"reason": "disability", "address": "并发路1号"})
        db.session.commit()
    outcome = []

    def want(i):
        from charity.orgs.models import CharityPoint

        with committed_app.app_context():
            point = db.session.get(CharityPoint, ids["a"])
            data = {"beneficiary_id": ids["households"][i], "assigned_to_id": courier,
                    "planned_on": TODAY, "distributed_on": TODAY,
                    "lines": [{"item_type_id": ids["item"], "quantity": "1"}]}
            post = create_delivery if i < 2 else post_distribution
            try:
                post(actor, db.session, point, data, today=TODAY)
                db.session.commit()
                outcome.append("ok")
            except ValidationFailed:
                db.session.rollback()
                outcome.append("refused")

    assert _run_threads(want, 4) == []
    assert sorted(outcome) == ["ok", "refused", "refused", "refused"]
    with committed_app.app_context():
        taken = (db.session.scalar(sa.select(sa.func.count(Delivery.id)))
                 + db.session.scalar(sa.select(sa.func.count(Distribution.id))))
        assert taken == 1
        assert verify_stock(db.session) == [] and verify_reservations(db.session) == []
