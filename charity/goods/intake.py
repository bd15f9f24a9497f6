"""Intake at the counter (接收捐赠): lines into stock, food checks, the goods receipt."""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.funds.models import Campaign, CampaignStatus, ReceiptKind
from charity.funds.receipts import Line, issue_receipt, void_receipt
from charity.goods.common import check_quantity, item_of, not_future, require_point_active
from charity.goods.models import (Condition, DocStatus, Intake, IntakeLine, MovementKind,
                                  PreRegistration)
from charity.goods.stock import move, reverse_document
from charity.core.i18n import _l
from charity.core.money import check_amount
from charity.people.models import Donor

PREREG_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _line(session, org_id, raw: dict, index: int, received_on: dt.date) -> dict:
    prefix = f"lines-{index}-"
    item = item_of(session, org_id, raw.get("item_type_id"), prefix + "item_type_id")
    quantity = check_quantity(raw.get("quantity"), item, prefix + "quantity")
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
    raw_lines = [line for line in data.get("lines") or [] if line.get("item_type_id")]
    if not raw_lines:
        raise ValidationFailed(_l("Add at least one line."), field="lines")
    lines = [_line(session, org.id, raw, i, received_on) for i, raw in enumerate(raw_lines)]
    donor = None
    if data.get("donor_id"):
        donor = session.get(Donor, int(data["donor_id"]))
        if donor is None or donor.organization_id != org.id:
            raise ValidationFailed(_l("Unknown donor."), field="donor_id")
    campaign = None
    if data.get("campaign_id"):
        campaign = session.get(Campaign, int(data["campaign_id"]))
        if campaign is None or campaign.organization_id != org.id:
            raise ValidationFailed(_l("Unknown campaign."), field="campaign_id")
        if campaign.status != CampaignStatus.ACTIVE:
            raise ValidationFailed(_l("This campaign is not running."), field="campaign_id")
    prereg = None
    if data.get("preregistration_code"):
        code = data["preregistration_code"].strip().upper()
        prereg = session.scalar(sa.select(PreRegistration).where(PreRegistration.code == code))
        if prereg is None or prereg.point_id != point.id:
            raise ValidationFailed(_l("Unknown drop-off code for this point."),
                                   field="preregistration_code")
        if prereg.used_at is not None:
            raise ValidationFailed(_l("This drop-off code was already used."),
                                   field="preregistration_code")
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
    if prereg is not None:
        from charity.core.db import utcnow

        prereg.used_at = utcnow()
    if data.get("with_receipt") and donor is not None:
        missing = [i for i, ln in enumerate(lines)
                   if ln["unit_value"] <= 0 or not ln["valuation_basis"]]
        if missing:
            raise ValidationFailed(
                _l("No receipt without a fair value and its basis on every line (财政部 税务总局 "
                   "民政部公告2020年第27号). Enter them or untick the receipt."),
                field=f"lines-{missing[0]}-valuation_basis")
        receipt = issue_receipt(
            actor, session, org, kind=ReceiptKind.GOODS, payer_name=donor.name,
            payer_code=donor.id_code, donor=donor, issued_on=received_on,
            lines=[Line(item=ln["item"].name, unit=ln["item"].unit, quantity=ln["quantity"],
                        unit_value=ln["unit_value"],
                        amount=(ln["quantity"] * ln["unit_value"]).quantize(Decimal("0.01")))
                   for ln in lines])
        intake.receipt_id = receipt.id
    record(session, actor, "intake.post", intake,
           {"point_id": point.id, "lines": len(lines), "total_value": str(intake.total_value)})
    session.flush()
    return intake


def reverse_intake(actor, session: Session, intake: Intake, reason: str,
                   today: dt.date | None = None) -> Intake:
    """Correct a posted intake: reversal movements, receipt voided. A replacement is posted as
    a new intake with replaces_id. Refused if the goods have already left the shelf."""
    require(actor, "goods.correct", intake)
    if intake.status != DocStatus.POSTED:
        raise ValidationFailed(_l("This document has already been corrected."))
    if not (reason or "").strip():
        raise ValidationFailed(_l("Say why the document is corrected."), field="reason")
    today = today or org_today(intake.point.organization)
    reverse_document(session, "intake", intake.id, actor, reason.strip(), today)
    intake.status = DocStatus.REVERSED
    intake.reversed_reason = reason.strip()
    if intake.receipt is not None and intake.receipt.status.value == "issued":
        void_receipt(actor, session, intake.receipt, f"冲正：{reason.strip()}")
    record(session, actor, "intake.reverse", intake, {"reason": reason})
    session.flush()
    return intake


def preregister(session: Session, point, data: dict, today: dt.date | None = None
                ) -> PreRegistration:
    """A donor announces a drop-off online (no sign-in) and gets a code for the counter."""
    if not point.active:
        raise ValidationFailed(_l("This charity point is closed."), field="point_id")
    items = (data.get("items") or "").strip()
    if not items:
        raise ValidationFailed(_l("Say what you will bring."), field="items")
    expected = data.get("expected_on")
    today = today or org_today(point.organization)
    if expected is not None and expected < today:
        raise ValidationFailed(_l("The date is in the past."), field="expected_on")
    for _ in range(10):
        code = "".join(secrets.choice(PREREG_ALPHABET) for _ in range(6))
        if session.scalar(sa.select(PreRegistration.id).where(PreRegistration.code == code)) is None:
            break
    prereg = PreRegistration(code=code, point_id=point.id,
                             donor_name=(data.get("donor_name") or "").strip()[:100],
                             donor_phone=(data.get("donor_phone") or "").strip()[:50],
                             items=items[:2000], expected_on=expected,
                             wants_receipt=bool(data.get("wants_receipt", True)))
    session.add(prereg)
    session.flush()
    return prereg
