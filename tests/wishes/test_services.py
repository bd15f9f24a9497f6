"""The life of a wish (open → claimed → fulfilled, release, cancel), the personal-data guard
on the public text, the claimant's phone, and the fulfilling intake's checks."""
import datetime as dt
import json

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.core.errors import PermissionDenied, ValidationFailed
from charity.goods.services.intake import reverse_intake
from charity.core.system import system_actor
from charity.wishes import services
from charity.wishes.models import Wish, WishStatus

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.timezone.utc)
ACTOR = system_actor()


def msgid(err) -> str:
    """The English message id of a refusal (the text shown is its translation)."""
    return err.value.message._args[0]


def test_open_claim_release_claim_fulfil(db, make_wish, point, intake_at):
    wish = make_wish()
    assert (wish.status, wish.what, wish.tag, wish.age, wish.quantity) == (
        WishStatus.OPEN, "一件冬衣", "留守儿童", 8, 1)
    ref = services.claim_wish(db, wish.id, " 王芳 ", "139 0931 1234", now=NOW)
    db.refresh(wish)
    assert wish.status == WishStatus.CLAIMED
    assert (wish.claim_ref, wish.claimant_name, wish.claimant_phone, wish.claimed_at) == (
        ref, "王芳", "13909311234", NOW)
    assert len(ref) == 8 and ref[0] == "W"

    services.release_claim(ACTOR, db, wish, "联系不上认领人", now=NOW + dt.timedelta(days=3))
    assert wish.status == WishStatus.OPEN
    assert (wish.claim_ref, wish.claimant_name, wish.claimant_phone, wish.claimed_at) == (
        None, "", "", None)
    assert (wish.released_at, wish.release_reason) == (NOW + dt.timedelta(days=3),
                                                       "联系不上认领人")

    second = services.claim_wish(db, wish.id, "李强", "0931-8412345", now=NOW)
    assert second != ref
    intake = intake_at(point)
    services.fulfil_wish(ACTOR, db, wish, str(intake.id), now=NOW + dt.timedelta(days=5))
    db.commit()
    db.refresh(wish)
    assert (wish.status, wish.intake_id, wish.fulfilled_at) == (
        WishStatus.FULFILLED, intake.id, NOW + dt.timedelta(days=5))


def test_fulfil_straight_from_open_and_cancel(db, make_wish, point, intake_at):
    wish = make_wish()
    services.fulfil_wish(ACTOR, db, wish, f"#{intake_at(point).id}")
    assert wish.status == WishStatus.FULFILLED
    other = make_wish(what="一个书包")
    services.cancel_wish(ACTOR, db, other, "家庭已搬离", now=NOW)
    assert (other.status, other.cancelled_at, other.cancel_reason) == (
        WishStatus.CANCELLED, NOW, "家庭已搬离")


@pytest.mark.parametrize("start, step", [
    ("open", "release"), ("fulfilled", "release"), ("fulfilled", "cancel"),
    ("fulfilled", "fulfil"), ("cancelled", "fulfil"), ("cancelled", "cancel"),
    ("claimed", "edit"), ("fulfilled", "edit"), ("cancelled", "release"),
])
def test_illegal_steps_raise(db, make_wish, point, intake_at, start, step):
    wish = make_wish()
    intake = intake_at(point)
    if start in ("claimed", "fulfilled"):
        services.claim_wish(db, wish.id, "王芳", "13909311234")
        db.refresh(wish)
    if start == "fulfilled":
        services.fulfil_wish(ACTOR, db, wish, intake.id)
    if start == "cancelled":
        services.cancel_wish(ACTOR, db, wish, "不再需要")
    db.commit()
    before = wish.status
    with pytest.raises(ValidationFailed) as err:
        {"release": lambda: services.release_claim(ACTOR, db, wish, "原因"),
         "cancel": lambda: services.cancel_wish(ACTOR, db, wish, "原因"),
         "fulfil": lambda: services.fulfil_wish(ACTOR, db, wish, intake.id),
         "edit": lambda: services.update_wish(ACTOR, db, wish, {"what": "两件冬衣"})}[step]()
    assert msgid(err) == "This step is not possible for a wish that is %(status)s."
    db.rollback()
    assert db.get(Wish, wish.id).status == before


@pytest.mark.parametrize("start", ["claimed", "fulfilled", "cancelled"])
def test_only_an_open_wish_can_be_claimed(db, make_wish, point, intake_at, start):
    wish = make_wish()
    if start == "cancelled":
        services.cancel_wish(ACTOR, db, wish, "不再需要")
    else:
        services.claim_wish(db, wish.id, "王芳", "13909311234")
        db.refresh(wish)
        if start == "fulfilled":
            services.fulfil_wish(ACTOR, db, wish, intake_at(point).id)
    db.commit()
    with pytest.raises(services.WishNotOpen):
        services.claim_wish(db, wish.id, "李强", "13800138000")


def test_release_and_cancel_need_a_reason(db, make_wish):
    wish = make_wish()
    with pytest.raises(ValidationFailed) as err:
        services.cancel_wish(ACTOR, db, wish, "  ")
    assert err.value.field == "reason"
    services.claim_wish(db, wish.id, "王芳", "13909311234")
    db.refresh(wish)
    with pytest.raises(ValidationFailed) as err:
        services.release_claim(ACTOR, db, wish, "")
    assert err.value.field == "reason"


@pytest.mark.parametrize("text, message", [
    ("冬衣，联系13912345678", "phone"),
    ("冬衣 139 1234 5678", "phone"),
    ("冬衣 139-1234-5678", "phone"),
    ("冬衣 １３９１２３４５６７８", "phone"),  # full-width digits
    ("身份证62010219800101123X", "ID"),
    ("身份证 620102198001011230", "ID"),
    ("证号620102800101123", "ID"),  # an old 15-digit number
    # Issue 16: any separator, or full-width digits, still hides nothing.
    ("书包 电话138.0931.1234", "phone"),
    ("书包 电话138/0931/1234", "phone"),
    ("书包 电话138．0931．1234", "phone"),
    ("１３８００１３８０００", "phone"),
    ("身份证620102.198001011239", "ID"),
    ("身份证620102/1980/0101/123X", "ID"),
    ("身份证 620102 19800101 1239", "ID"),
    ("身份证６２０１０２．１９８００１０１１２３９", "ID"),
])
def test_public_text_refuses_phone_and_id_numbers(text, message):
    for field in ("what", "tag"):
        with pytest.raises(ValidationFailed) as err:
            services.check_public_text(text, field)
        assert err.value.field == field
        assert message in msgid(err)


@pytest.mark.parametrize("text", ["一件冬衣", "2 双棉鞋 36 码", "羽绒服 140cm", "电话手表 1 块",
                                  "2 件", "2026-12-01 前送到", "尺码 110/120/130/140/150",
                                  "2026.12.01 送 3 件", "书包 2 个，13 岁"])
def test_public_text_allows_ordinary_wishes(text):
    assert services.check_public_text(f" {text} ", "what") == text


def test_public_text_must_not_name_the_linked_household(db, org, point, make_household):
    household = make_household(org, name="张桂兰")
    with pytest.raises(ValidationFailed) as err:
        services.create_wish(ACTOR, db, org, {"point_id": point.id, "what": "张桂兰的冬衣",
                                              "beneficiary_id": household.id})
    assert (err.value.field, msgid(err)) == (
        "what", "This text is public: do not name the household.")
    wish = services.create_wish(ACTOR, db, org, {"point_id": point.id, "what": "一件冬衣",
                                                 "tag": "孤寡老人",
                                                 "beneficiary_id": household.id})
    assert wish.beneficiary_id == household.id


def test_household_and_point_of_another_organisation_refused(db, org, point, make_org,
                                                              make_point, make_household):
    other = make_org()
    with pytest.raises(ValidationFailed) as err:
        services.create_wish(ACTOR, db, org, {"point_id": point.id, "what": "冬衣",
                                              "beneficiary_id": make_household(other).id})
    assert err.value.field == "beneficiary_id"
    with pytest.raises(ValidationFailed) as err:
        services.create_wish(ACTOR, db, org, {"point_id": make_point(other).id,
                                              "what": "冬衣"})
    assert err.value.field == "point_id"


@pytest.mark.parametrize("field, value", [
    ("age", "121"), ("age", "-1"), ("age", "八"), ("age", "8.5"),
    ("quantity", "0"), ("quantity", "1000"), ("quantity", "x"), ("what", ""),
    ("what", "衣" * 101), ("tag", "老" * 51),
])
def test_bad_fields_are_named(db, org, point, field, value):
    data = {"point_id": point.id, "what": "冬衣", field: value}
    with pytest.raises(ValidationFailed) as err:
        services.create_wish(ACTOR, db, org, data)
    assert err.value.field == field
    assert db.scalar(sa.select(sa.func.count(Wish.id))) == 0


@pytest.mark.parametrize("raw, stored", [
    ("13912345678", "13912345678"), ("139 1234 5678", "13912345678"),
    ("+86 139-1234-5678", "13912345678"), ("0931-8412345", "0931-8412345"),
    ("09318412345", "09318412345"), ("010-12345678", "010-12345678"),
    ("(0931)8412345", "09318412345"),
])
def test_claimant_phone_formats(raw, stored):
    assert services.normalize_phone(raw) == stored


@pytest.mark.parametrize("raw", ["", "12345", "23912345678", "1391234567", "139123456789",
                                 "abc", "931-8412345", "１３９１２３４５６７８x"])
def test_claimant_phone_refused(raw):
    with pytest.raises(ValidationFailed) as err:
        services.normalize_phone(raw)
    assert err.value.field == "phone"


def test_fulfilment_needs_an_intake_of_the_same_organisation(db, make_wish, point, make_point,
                                                            make_org, intake_at):
    wish = make_wish()
    foreign = intake_at(make_point(make_org()))
    for raw in (foreign.id, "", "abc", 999999, 2**40):
        with pytest.raises(ValidationFailed) as err:
            services.fulfil_wish(ACTOR, db, wish, raw)
        assert err.value.field == "intake_no"
    assert db.get(Wish, wish.id).status == WishStatus.OPEN
    # Another point of the same organisation is fine (the gift was brought elsewhere).
    elsewhere = intake_at(make_point(point.organization))
    services.fulfil_wish(ACTOR, db, wish, elsewhere.id)
    assert wish.intake_id == elsewhere.id


def test_a_corrected_intake_cannot_fulfil(db, make_wish, point, intake_at):
    wish = make_wish()
    intake = intake_at(point)
    reverse_intake(ACTOR, db, intake, "录错了", today=dt.date(2026, 11, 25))
    with pytest.raises(ValidationFailed) as err:
        services.fulfil_wish(ACTOR, db, wish, intake.id)
    assert err.value.field == "intake_no"


def test_volunteer_works_only_at_own_points(db, org, point, make_point, make_user, make_wish,
                                            intake_at):
    other_point = make_point(org)
    volunteer = make_user("volunteer", org=org, points=[point])
    with pytest.raises(PermissionDenied):
        services.create_wish(volunteer, db, org, {"point_id": other_point.id, "what": "冬衣"})
    with pytest.raises(ValidationFailed) as err:
        services.create_wish(volunteer, db, org, {"what": "冬衣"})
    assert err.value.field == "point_id"
    mine = services.create_wish(volunteer, db, org, {"point_id": point.id, "what": "冬衣"})
    # An intake at a point the volunteer cannot see is unknown to them.
    with pytest.raises(ValidationFailed):
        services.fulfil_wish(volunteer, db, mine, intake_at(other_point).id)
    theirs = make_wish(at=other_point)
    with pytest.raises(PermissionDenied):
        services.cancel_wish(volunteer, db, theirs, "原因")
    auditor = make_user("auditor", org=org)
    with pytest.raises(PermissionDenied):
        services.cancel_wish(auditor, db, mine, "原因")


def test_claimant_details_never_reach_the_audit_log(db, make_wish, point, intake_at):
    wish = make_wish()
    services.claim_wish(db, wish.id, "王芳", "13909311234")
    db.refresh(wish)
    services.release_claim(ACTOR, db, wish, "联系不上")
    services.claim_wish(db, wish.id, "李强", "0931-8412345")
    db.refresh(wish)
    services.fulfil_wish(ACTOR, db, wish, intake_at(point).id)
    db.commit()
    entries = db.execute(sa.select(AuditLog.action, AuditLog.summary).where(
        AuditLog.object_type == "Wish").order_by(AuditLog.id)).all()
    assert [a for a, _s in entries] == ["wish.create", "wish.claim", "wish.release",
                                        "wish.claim", "wish.fulfil"]
    text = json.dumps([s for _a, s in entries], ensure_ascii=False)
    for private in ("王芳", "13909311234", "李强", "8412345"):
        assert private not in text
