"""What changes micro-wishes: post, edit, claim (public), release, fulfil, cancel.

The life of a wish: open → claimed → fulfilled, with claimed → open (a released claim) and
open/claimed → cancelled; a wish can also be fulfilled straight from open (a donor walks in
with the coat). Every step stamps who and when; any other step raises a DomainError.

Privacy: the public text (what, tag) is checked for phone and ID numbers and the linked
household's name; the claimant's name and phone are stored for the staff and never written to
the audit log (only the claim reference is).
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.audit.edits import create_audited, update_audited
from charity.auth.permissions import can, require
from charity.core.roles import Role
from charity.core.db import utcnow
from charity.core.errors import DomainError, ValidationFailed
from charity.goods.models import DocStatus, Intake, ItemCategory
from charity.core.i18n import _l
from charity.orgs.models import CharityPoint
from charity.people.models import Beneficiary
from charity.wishes.models import Wish, WishStatus

REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# Personal data that must never sit in a wish's public text.
# Both are searched with spaces and hyphens removed (139 0931 1234 is still a number); \d also
# matches full-width digits.
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# An 18-character ID is 17 digits and a check character, an old one 15 digits: any run of 15
# or more digits is refused, valid check digit or not (a mistyped ID is still an ID).
_ID_IN_TEXT = re.compile(r"\d{15,}")
# Digits may also be split by any separator ("138.0931.1234", "620102/19800101…"): with the
# separators between digits removed, a mobile or a well-formed ID number (region, birth date,
# sequence, check character) is refused — but not a run of sizes or a date ("110/120/130").
_SEPARATORS = re.compile(r"(?<=\d)[\s\-－—–.．。/／\\·・,，、_:：()（）]+(?=\d)")
_ID_FORMED = re.compile(r"(?<!\d)[1-9]\d{5}(?:(?:18|19|20)\d{2})?(?:0[1-9]|1[0-2])"
                        r"(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]?(?!\d)")
# Claimants: a mainland mobile (11 digits) or a landline with its area code.
_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$", re.ASCII)
MAX_QUANTITY = 999
STATUS_LABELS = {WishStatus.OPEN.value: _l("open"), WishStatus.CLAIMED.value: _l("claimed"),
                 WishStatus.FULFILLED.value: _l("fulfilled"),
                 WishStatus.CANCELLED.value: _l("cancelled")}


class WishNotOpen(DomainError):
    """The wish is no longer open (someone else claimed it a moment ago, or it was closed)."""


# --- checks ----------------------------------------------------------------------------------

def check_public_text(text: str, field: str, household: Beneficiary | None = None) -> str:
    """`text` if nothing in it identifies a person: no mobile number, no ID number (or any
    long run of digits), not the linked household's name. Raises ValidationFailed on `field`."""
    text = (text or "").strip()
    folded = unicodedata.normalize("NFKC", text)
    compact = re.sub(r"[\s\-－—]", "", folded)
    joined = _SEPARATORS.sub("", folded)
    if _ID_IN_TEXT.search(compact) or _ID_FORMED.search(joined):
        raise ValidationFailed(_l("This text is public: remove the ID number."), field=field)
    if _MOBILE_IN_TEXT.search(compact) or _MOBILE_IN_TEXT.search(joined):
        raise ValidationFailed(_l("This text is public: remove the phone number."), field=field)
    name = (household.name or "").strip() if household is not None else ""
    if len(name) >= 2 and name in text:
        raise ValidationFailed(_l("This text is public: do not name the household."),
                               field=field)
    return text


def normalize_phone(raw: str, field: str = "phone") -> str:
    """A mainland mobile (13912345678, +86 allowed) or landline (0931-8412345) in one form."""
    value = re.sub(r"[\s()]", "", unicodedata.normalize("NFKC", raw or ""))
    value = re.sub(r"^(?:\+86|0086)", "", value)
    if _MOBILE.match(value.replace("-", "")):
        return value.replace("-", "")
    if _LANDLINE.match(value):
        return value
    raise ValidationFailed(_l("Enter a mobile number (11 digits) or a landline with its area "
                              "code, e.g. 0931-8412345."), field=field)


def _whole(raw, field: str, low: int, high: int, message) -> int | None:
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise ValidationFailed(message, field=field)
    return int(text)


def _row(session: Session, model, raw, field: str, message):
    """The row whose id was chosen in a select; anything but a plain id in range is refused
    on the field (a posted 'abc' or 99999999999999999999 is not a server error)."""
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**31:
        raise ValidationFailed(message, field=field)
    return session.get(model, int(text))


def _clean(actor, session: Session, org, data: dict, wish: Wish | None) -> dict:
    point = None
    if data.get("point_id"):
        point = _row(session, CharityPoint, data["point_id"], "point_id",
                     _l("Unknown charity point."))
        if point is None or point.organization_id != org.id:
            raise ValidationFailed(_l("Unknown charity point."), field="point_id")
        if not point.active and (wish is None or wish.point_id != point.id):
            raise ValidationFailed(_l("This charity point is closed."), field="point_id")
    elif getattr(actor, "role", None) == Role.VOLUNTEER:
        raise ValidationFailed(_l("Choose your charity point."), field="point_id")
    household = None
    if data.get("beneficiary_id"):
        household = _row(session, Beneficiary, data["beneficiary_id"], "beneficiary_id",
                         _l("Unknown household."))
        if (household is None or household.organization_id != org.id
                or household.erased_at is not None):
            raise ValidationFailed(_l("Unknown household."), field="beneficiary_id")
    what = check_public_text(data.get("what"), "what", household)
    if not what:
        raise ValidationFailed(_l("Say what is wished for, e.g. 一件冬衣."), field="what")
    if len(what) > 100:
        raise ValidationFailed(_l("At most %(n)s characters.", n=100), field="what")
    tag = check_public_text(data.get("tag"), "tag", household)
    if len(tag) > 50:
        raise ValidationFailed(_l("At most %(n)s characters.", n=50), field="tag")
    category_id = None
    if data.get("category_id"):
        category = _row(session, ItemCategory, data["category_id"], "category_id",
                        _l("Unknown category."))
        if category is None:
            raise ValidationFailed(_l("Unknown category."), field="category_id")
        category_id = category.id
    age = _whole(data.get("age"), "age", 0, 120, _l("An age is a whole number from 0 to 120."))
    quantity = _whole(data.get("quantity"), "quantity", 1, MAX_QUANTITY,
                      _l("A quantity is a whole number from 1 to %(n)s.", n=MAX_QUANTITY))
    unit = check_public_text(data.get("unit"), "unit")[:16]
    return {"point_id": point.id if point else None, "what": what, "tag": tag, "age": age,
            "category_id": category_id, "quantity": quantity or 1, "unit": unit,
            "beneficiary_id": household.id if household else None,
            "note": (data.get("note") or "").strip()[:2000]}


def _lock(session: Session, wish: Wish) -> None:
    """Re-read the wish under a row lock: a staff step decides on the current status."""
    session.refresh(wish, with_for_update=True)


def _require_status(wish: Wish, *allowed: WishStatus) -> None:
    if wish.status not in allowed:
        raise ValidationFailed(_l("This step is not possible for a wish that is %(status)s.",
                                  status=STATUS_LABELS[wish.status.value]))


# --- staff steps -----------------------------------------------------------------------------

def create_wish(actor, session: Session, org, data: dict, now: dt.datetime | None = None) -> Wish:
    """Post an open wish of `org` (anonymised public text checked for personal data)."""
    require(actor, "wishes.manage", org)
    values = _clean(actor, session, org, data, None)
    wish = Wish(organization_id=org.id, status=WishStatus.OPEN, created_at=now or utcnow(),
                created_by_id=getattr(actor, "id", None), **values)
    require(actor, "wishes.manage", wish)  # a volunteer posts only at their own points
    return create_audited(session, actor, wish, "wish.create",
                          lambda wish: {"what": wish.what, "point_id": wish.point_id,
                                        "household_linked": wish.beneficiary_id is not None})


def update_wish(actor, session: Session, wish: Wish, data: dict) -> Wish:
    """Change an open wish; claimed, fulfilled and cancelled wishes are fixed."""
    require(actor, "wishes.manage", wish)
    _lock(session, wish)
    _require_status(wish, WishStatus.OPEN)
    values = _clean(actor, session, wish.organization, data, wish)
    update_audited(session, actor, wish, values, "wish.edit", always=True,
                   summary=lambda changes: {"fields": sorted(changes)})
    require(actor, "wishes.manage", wish)  # not moved outside the volunteer's points
    return wish


def release_claim(actor, session: Session, wish: Wish, reason: str,
                  now: dt.datetime | None = None) -> Wish:
    """A claimed wish goes back to open (the claimant cannot fulfil it); the claimant's
    name and phone are erased, the reason kept."""
    require(actor, "wishes.manage", wish)
    _lock(session, wish)
    _require_status(wish, WishStatus.CLAIMED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Say why the claim is released."), field="reason")
    old_ref = wish.claim_ref
    wish.status = WishStatus.OPEN
    wish.claim_ref = None
    wish.claimant_name = wish.claimant_phone = ""
    wish.claimed_at = None
    wish.released_at = now or utcnow()
    wish.released_by_id = getattr(actor, "id", None)
    wish.release_reason = reason[:500]
    record(session, actor, "wish.release", wish, {"claim_ref": old_ref, "reason": reason})
    session.flush()
    return wish


def fulfil_wish(actor, session: Session, wish: Wish, intake_id,
                now: dt.datetime | None = None) -> Wish:
    """Mark the wish fulfilled by a posted intake of the same organisation that the actor may
    see (an intake of another organisation is refused as unknown)."""
    require(actor, "wishes.manage", wish)
    _lock(session, wish)
    _require_status(wish, WishStatus.OPEN, WishStatus.CLAIMED)
    if not str(intake_id or "").strip():
        raise ValidationFailed(_l("Choose the intake that brought the gift."),
                               field="intake_no")
    try:
        number = int(str(intake_id).strip().lstrip("#"))
    except (TypeError, ValueError):
        number = 0
    intake = session.get(Intake, number) if 0 < number < 2**31 else None
    if intake is None or intake.organization_id != wish.organization_id \
            or not can(actor, "goods.view", intake):
        raise ValidationFailed(_l("Unknown intake of this organisation."), field="intake_no")
    if intake.status != DocStatus.POSTED:
        raise ValidationFailed(_l("This intake was corrected; choose its replacement."),
                               field="intake_no")
    wish.status = WishStatus.FULFILLED
    wish.intake_id = intake.id
    wish.fulfilled_at = now or utcnow()
    wish.fulfilled_by_id = getattr(actor, "id", None)
    record(session, actor, "wish.fulfil", wish, {"intake_id": intake.id})
    session.flush()
    return wish


def cancel_wish(actor, session: Session, wish: Wish, reason: str,
                now: dt.datetime | None = None) -> Wish:
    """Withdraw an open or claimed wish (the household moved away, the need passed)."""
    require(actor, "wishes.manage", wish)
    _lock(session, wish)
    _require_status(wish, WishStatus.OPEN, WishStatus.CLAIMED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Say why the wish is cancelled."), field="reason")
    wish.status = WishStatus.CANCELLED
    wish.cancelled_at = now or utcnow()
    wish.cancelled_by_id = getattr(actor, "id", None)
    wish.cancel_reason = reason[:500]
    record(session, actor, "wish.cancel", wish, {"reason": reason})
    session.flush()
    return wish


# --- the public step -------------------------------------------------------------------------

def _new_ref(session: Session) -> str:
    for _ in range(10):
        ref = "W" + "".join(secrets.choice(REF_ALPHABET) for _ in range(7))
        if session.scalar(sa.select(Wish.id).where(Wish.claim_ref == ref)) is None:
            return ref
    raise RuntimeError("could not draw a free claim reference")


def claim_wish(session: Session, wish_id: int, name: str, phone: str,
               now: dt.datetime | None = None) -> str:
    """Claim an open wish for a member of the public; returns the claim reference.

    Exactly one of several simultaneous claimants wins: the status changes with a
    conditional UPDATE … WHERE status = 'open', and the losers get WishNotOpen."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_l("Enter your name."), field="name")
    if len(name) > 100:
        raise ValidationFailed(_l("At most %(n)s characters.", n=100), field="name")
    phone = normalize_phone(phone)
    wish = session.get(Wish, wish_id)
    if wish is None or not wish.organization.active or (
            wish.point is not None and not wish.point.active):
        raise ValidationFailed(_l("Unknown wish."))
    ref = _new_ref(session)
    result = session.execute(
        sa.update(Wish).where(Wish.id == wish_id, Wish.status == WishStatus.OPEN)
        .values(status=WishStatus.CLAIMED, claim_ref=ref, claimant_name=name,
                claimant_phone=phone, claimed_at=now or utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise WishNotOpen(_l("Someone has just claimed this wish, or it is closed. Please "
                             "choose another wish."))
    session.refresh(wish)
    # The log names the claim by its reference only: never the claimant's name or phone.
    record(session, None, "wish.claim", wish, {"claim_ref": ref})
    session.flush()
    return ref
