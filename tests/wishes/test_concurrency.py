"""The claim race on a real database (SQLite file, PostgreSQL): several people claim the same
wish at the same moment — exactly one wins, the others are told it is taken."""
import threading

import sqlalchemy as sa

from charity.core.extensions import db
from charity.orgs import uscc
from charity.orgs.services import create_organization, create_point
from charity.core.system import system_actor
from charity.wishes import services
from charity.wishes.models import Wish, WishStatus

THREADS = 6


def test_exactly_one_claimant_wins(committed_app):
    actor = system_actor()
    with committed_app.app_context():
        org = create_organization(actor, db.session, {"name": "心愿并发测试会",
                                                      "uscc": uscc.make("51620102MJ0000888")})
        point = create_point(actor, db.session, org, {"kind": "station", "name": "站"})
        wish_id = services.create_wish(actor, db.session, org, {
            "point_id": point.id, "what": "一件冬衣"}).id
        db.session.commit()
    barrier = threading.Barrier(THREADS)
    outcome, errors = {}, []

    def claimant(i):
        try:
            with committed_app.app_context():
                barrier.wait()
                try:
                    ref = services.claim_wish(db.session, wish_id, f"认领人{i}",
                                              f"1380000000{i}")
                    db.session.commit()
                    outcome[i] = ref
                except services.WishNotOpen:
                    db.session.rollback()
                    outcome[i] = None
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=claimant, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    winners = [i for i, ref in outcome.items() if ref]
    assert len(outcome) == THREADS and len(winners) == 1
    with committed_app.app_context():
        wish = db.session.get(Wish, wish_id)
        assert (wish.status, wish.claim_ref, wish.claimant_name, wish.claimant_phone) == (
            WishStatus.CLAIMED, outcome[winners[0]], f"认领人{winners[0]}",
            f"1380000000{winners[0]}")
        assert db.session.scalar(sa.select(sa.func.count(Wish.id)).where(
            Wish.claim_ref.is_not(None))) == 1
