"""Access policy of the micro-wishes (charity/wishes/views.py, public_views.py).

Every member of staff reads the wishes in scope; posting, editing, fulfilling, releasing and
cancelling is work (not auditors); the volunteer acts at their own point, where the world's
wishes are. The public lists open wishes, claims one and sees its claim note."""
from tests.auth.policies.common import PUBLIC, STAFF, WORKERS

POLICY = {
    "wishes.wish_list": STAFF,
    "wishes.wish_new": WORKERS,
    "wishes.wish_detail": STAFF,
    "wishes.wish_edit": WORKERS,
    "wishes.wish_fulfil": WORKERS,
    "wishes.wish_release": WORKERS,
    "wishes.wish_cancel": WORKERS,
    "public_wishes.wish_list": PUBLIC,
    "public_wishes.wish_claim": PUBLIC,
    "public_wishes.claim_done": PUBLIC,
}


def url_args(world, db):
    """An open wish at the world's point (the claim form and the staff steps use it) and a
    claimed one (its reference opens the claim note)."""
    from charity.core.system import system_actor
    from charity.wishes.services import claim_wish, create_wish

    actor = system_actor()
    wish = create_wish(actor, db, world["org"], {"point_id": world["point"].id,
                                                 "what": "一件冬衣", "tag": "留守儿童"})
    claimed = create_wish(actor, db, world["org"], {"point_id": world["point"].id,
                                                    "what": "一个书包"})
    ref = claim_wish(db, claimed.id, "路由测试", "13800000000")
    db.commit()
    return {"wish_id": wish.id, "ref": ref}
