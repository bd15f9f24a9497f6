"""Intake at the counter (接收捐赠): lines into stock, food checks, the goods receipt; the
donor typed in at the counter, and the counter's start from a drop-off code."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.core.money import check_amount
from charity.figures.services import keep_document
from charity.funds.models import Campaign, CampaignStatus, ReceiptKind
from charity.funds.services.receipts import Line, issue_receipt, void_receipt
from charity.goods.models import Condition, Intake, IntakeLine, MovementKind, PreRegistration
from charity.goods.services.checks import (
    filled_lines,
    item_and_quantity,
    not_future,
    of_organisation,
    require_point_active,
    running_of,
)
from charity.goods.services.corrections import reverse_posted
from charity.goods.services.stock_ledger import move
from charity.people.models import Donor
from charity.people.services import create_donor

# A new donor's refusal names its field after this prefix ("new_donor.phone"): the counter
# form shows it on its own input.
NEW_DONOR = "new_donor."


def _line(session, org_id, raw: dict, index: int, received_on: dt.date) -> dict:
    prefix = f"lines-{index}-"
    item, quantity = item_and_quantity(session, org_id, raw, index)
    try:
        condition = Condition(raw.get("condition") or "good")
    except ValueError:
        raise ValidationFailed(_l("Choose the condition."), field=prefix + "condition") from None
    value = raw.get("unit_value")
    if value in (None, ""):
        value = item.default_fair_value if item.default_fair_value is not None else Decimal("0")
    unit_value = check_amount(value, field=prefix + "unit_value", allow_zero=True)
    expiry = raw.get("expiry_date")
    batch = (raw.get("batch") or "").strip()[:64]
    if item.perishable:
        # Food Safety Law Arts. 53–54: date-checked and inspected on intake.
        if expiry is None:
            raise ValidationFailed(_l("Food needs its expiry date; food without one is refused."),
                                   field=prefix + "expiry_date")
        if expiry < received_on:
            raise ValidationFailed(_l("This food is past its expiry date and is refused."),
                                   field=prefix + "expiry_date")
        if not raw.get("inspected"):
            raise ValidationFailed(_l("Tick that the food was inspected."),
                                   field=prefix + "inspected")
        production = raw.get("production_date")
        if production and production > received_on:
            raise ValidationFailed(_l("The production date is in the future."),
                                   field=prefix + "production_date")
        if not batch:
            # Batches keep food with different expiry dates apart on the shelf.
            batch = (raw.get("production_date") or expiry).isoformat()
    return {"item": item, "quantity": quantity, "condition": condition, "unit_value": unit_value,
            "valuation_basis": (raw.get("valuation_basis") or "").strip()[:200],
            "batch": batch, "production_date": raw.get("production_date"),
            "expiry_date": expiry, "inspected": bool(raw.get("inspected"))}


def post_intake(actor, session: Session, point, data: dict,
                today: dt.date | None = None) -> Intake:
    """Receive donated goods at `point`: stock in, and a receipt unless the donor is anonymous
    or declines. No receipt without a fair-value basis for every line."""
    require(actor, "goods.intake", point)
    require_point_active(point)
    org = point.organization
    today = today or org_today(org)
    received_on = not_future(data.get("received_on") or today, today, "received_on")
    lines = [_line(session, org.id, raw, i, received_on)
             for i, raw in enumerate(filled_lines(data))]
    donor = None
    if data.get("donor_id"):
        donor = of_organisation(session, Donor, data["donor_id"], org.id, "donor_id",
                                _l("Unknown donor."))
    campaign = running_of(session, Campaign, data.get("campaign_id"), org.id, "campaign_id",
                          active=CampaignStatus.ACTIVE, unknown=_l("Unknown campaign."),
                          not_running=_l("This campaign is not running."))
    prereg = _unused_preregistration(session, point, data.get("preregistration_code"))
    total = sum((ln["quantity"] * ln["unit_value"] for ln in lines), Decimal("0"))
    intake = Intake(organization_id=org.id, point_id=point.id,
                    donor_id=donor.id if donor else None,
                    campaign_id=campaign.id if campaign else None, received_on=received_on,
                    total_value=total.quantize(Decimal("0.01")),
                    preregistration_id=prereg.id if prereg else None,
                    note=(data.get("note") or "").strip(), replaces_id=data.get("replaces_id"),
                    posted_by_id=getattr(actor, "id", None))
    session.add(intake)
    session.flush()
    for ln in sorted(lines, key=lambda ln: (ln["item"].id, ln["batch"])):
        item = ln.pop("item")
        session.add(IntakeLine(intake_id=intake.id, item_type_id=item.id, **ln))
        move(session, organization_id=org.id, point_id=point.id, item_type=item,
             quantity=ln["quantity"], kind=MovementKind.DONATION_IN, movement_date=received_on,
             document_type="intake", document_id=intake.id, actor=actor, batch=ln["batch"],
             unit_value=ln["unit_value"], expiry=ln["expiry_date"])
        ln["item"] = item
    # Before the receipt: a money donation takes the month's figures row, then the receipt
    # sequence; the same order here keeps two such postings from deadlocking (PostgreSQL).
    keep_document(session, "intake", intake, 1)
    if prereg is not None:
        prereg.used_at = utcnow()
    if data.get("with_receipt") and donor is not None:
        intake.receipt_id = _issue_receipt(actor, session, org, donor, received_on, lines).id
    record(session, actor, "intake.post", intake,
           {"point_id": point.id, "lines": len(lines), "total_value": str(intake.total_value)})
    session.flush()
    return intake


def _unused_preregistration(session, point, code: str | None) -> PreRegistration | None:
    if not code:
        return None
    code = code.strip().upper()
    prereg = session.scalar(sa.select(PreRegistration).where(PreRegistration.code == code))
    if prereg is None or prereg.point_id != point.id:
        raise ValidationFailed(_l("Unknown drop-off code for this point."),
                               field="preregistration_code")
    if prereg.used_at is not None:
        raise ValidationFailed(_l("This drop-off code was already used."),
                               field="preregistration_code")
    return prereg


def _issue_receipt(actor, session, org, donor: Donor, received_on: dt.date, lines: list[dict]):
    """The goods receipt: only with a fair value and its basis on every line."""
    missing = [i for i, ln in enumerate(lines)
               if ln["unit_value"] <= 0 or not ln["valuation_basis"]]
    if missing:
        raise ValidationFailed(
            _l("No receipt without a fair value and its basis on every line (财政部 税务总局 "
               "民政部公告2020年第27号). Enter them or untick the receipt."),
            field=f"lines-{missing[0]}-valuation_basis")
    return issue_receipt(
        actor, session, org, kind=ReceiptKind.GOODS, payer_name=donor.name,
        payer_code=donor.id_code, donor=donor, issued_on=received_on,
        lines=[Line(item=ln["item"].name, unit=ln["item"].unit, quantity=ln["quantity"],
                    unit_value=ln["unit_value"],
                    amount=(ln["quantity"] * ln["unit_value"]).quantize(Decimal("0.01")))
               for ln in lines],
        # 备注: how the goods were valued (公告2020年第27号 §13: fair value with evidence).
        remark="按公允价值计价，依据：" + "；".join(
            dict.fromkeys(ln["valuation_basis"] for ln in lines)))


def receive_donation(actor, session: Session, point, data: dict,
                     new_donor: dict | None = None) -> Intake:
    """The counter's "Receive": a donor typed in at the counter (`new_donor`) is registered
    first, in the same transaction, then the intake is posted in their name. A refusal about
    the new donor names its field `new_donor.<field>`."""
    if new_donor is not None:
        try:
            donor = create_donor(actor, session, point.organization, new_donor)
        except ValidationFailed as err:
            err.field = NEW_DONOR + (err.field or "")
            raise
        data = {**data, "donor_id": donor.id}
    return post_intake(actor, session, point, data)


def issue_intake_receipt(actor, session: Session, intake: Intake,
                         today: dt.date | None = None) -> Intake:
    """Issue the receipt of a saved intake whose donor is known ("issue a receipt later").
    Idempotent: an intake that already has a receipt keeps it and gets no second one (the
    intake row is locked while deciding, so two clicks or two counters cannot both issue)."""
    require(actor, "goods.intake", intake.point)
    locked = session.scalar(sa.select(Intake).where(Intake.id == intake.id)
                            .with_for_update().execution_options(populate_existing=True))
    if locked.receipt_id is not None:
        return locked
    if locked.status.value != "posted":
        raise ValidationFailed(_l("A reversed intake gets no receipt."))
    if locked.donor_id is None:
        raise ValidationFailed(_l("An anonymous donation gets no receipt."))
    org = locked.point.organization
    lines = [{"item": ln.item_type, "quantity": ln.quantity, "unit_value": ln.unit_value,
              "valuation_basis": ln.valuation_basis} for ln in locked.lines]
    try:
        receipt = _issue_receipt(actor, session, org, locked.donor,
                                 today or org_today(org), lines)
    except ValidationFailed as err:
        err.field = None
        raise
    locked.receipt_id = receipt.id
    record(session, actor, "intake.receipt", locked, {"receipt_id": receipt.id})
    session.flush()
    return locked


def donor_from_preregistration(prereg: PreRegistration | None) -> dict | None:
    """A drop-off announced with a name and a wish for a receipt comes to the counter as a
    new donor with a receipt: their name and phone, or None."""
    if prereg is None or not (prereg.donor_name and prereg.wants_receipt):
        return None
    return {"name": prereg.donor_name, "phone": prereg.donor_phone}


def reverse_intake(actor, session: Session, intake: Intake, reason: str,
                   today: dt.date | None = None) -> Intake:
    """Correct a posted intake: reversal movements, receipt voided. A replacement is posted as
    a new intake with replaces_id. Refused if the goods have already left the shelf."""
    def void(reason: str) -> None:
        if intake.receipt is not None and intake.receipt.status.value == "issued":
            void_receipt(actor, session, intake.receipt, f"冲正：{reason}")

    return reverse_posted(actor, session, intake, "intake", reason, today, undo=void)
