"""The demo's wishes: eight at the demo points, open, claimed and fulfilled by demo intakes;
loading twice changes nothing."""
import datetime as dt

import sqlalchemy as sa

from charity.core.clock import org_today
from charity.goods.services.intake import post_intake
from charity.core.system import system_actor

from charity.demo.loader import POINTS
from charity.demo.wishes import load_wishes_demo
from charity.wishes.models import Wish, WishStatus


def test_demo_wishes_idempotent(db, org, make_point, make_item, make_household):
    points = [make_point(org, **data) for data in POINTS]
    today = org_today(org)
    for p in points:  # the goods demo's year of intakes, in short
        for days in (90, 0):
            post_intake(system_actor(), db, p, {"received_on": today - dt.timedelta(days=days),
                                                 "lines": [{"item_type_id": make_item(org).id,
                                                            "quantity": "2"}]}, today=today)
    make_household(org)
    load_wishes_demo(db, org)
    db.commit()
    load_wishes_demo(db, org)
    db.commit()
    wishes = db.scalars(sa.select(Wish).where(Wish.organization_id == org.id)
                        .order_by(Wish.id)).all()
    assert len(wishes) == 8
    by_status = {s: sum(1 for w in wishes if w.status == s) for s in WishStatus}
    assert by_status == {WishStatus.OPEN: 4, WishStatus.CLAIMED: 2, WishStatus.FULFILLED: 2,
                         WishStatus.CANCELLED: 0}
    for wish in wishes:
        if wish.status == WishStatus.FULFILLED:
            assert wish.intake.organization_id == org.id
            assert wish.intake.point_id == wish.point_id
            # The gift came in before the wish was marked fulfilled.
            assert wish.intake.received_on <= org_today(org, wish.fulfilled_at)
            assert wish.intake.received_on == today - dt.timedelta(days=90)
        assert wish.point.organization_id == org.id
    assert wishes[0].beneficiary_id is not None
