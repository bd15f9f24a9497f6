"""Non-cash gifts (非货币捐赠): buildings, securities, equity, IP, technology, trusts, services.

A gift is valued on one of four bases. Rules enforced here:

* a value is required unless the gift cannot be measured reliably (``not_measurable``);
* a ``not_measurable`` gift is recorded but gets no receipt — there is no amount to put on it;
* a ``fair_value`` needs at least one evidence file (appraisal, invoice, market quotation):
  公告2020年第27号 §13 forbids a receipt without proof of fair value, and an unsupported
  value would flow into the disclosures, so the gift is refused without one.

Evidence files are checked by content (`charity.funds.uploads`) before anything is written,
and staged through a `FileStore`: the caller commits, then calls ``store.publish()``, or
rolls back and calls ``store.discard()``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.funds.models import (Campaign, CampaignStatus, NonCashGift, Project, ProjectStatus,
                                  PropertyType, ReceiptKind, StoredFile, ValuationBasis)
from charity.funds.services.lookup import load_for_org
from charity.funds.services.receipts import Line, issue_receipt
from charity.funds.uploads import FileStore, Upload, check_upload
from charity.core.i18n import _l
from charity.core.money import check_amount
from charity.people.models import Donor

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_DESCRIPTION = 2000
RECEIPT_ITEM_LENGTH = 60
MAX_FILES = 10


def short_item(description: str, limit: int = RECEIPT_ITEM_LENGTH) -> str:
    """The receipt line's item name: the description's first line, at most `limit` chars."""
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _validate(session: Session, organization, data: dict, today: dt.date) -> dict:
    try:
        property_type = PropertyType(data.get("property_type"))
    except ValueError:
        raise ValidationFailed(_l("Choose the type of property."), field="property_type") from None
    description = (data.get("description") or "").strip()
    if not description:
        raise ValidationFailed(_l("Describe the gift."), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(_l("At most %(n)d characters.", n=MAX_DESCRIPTION),
                               field="description")
    try:
        basis = ValuationBasis(data.get("valuation_basis"))
    except ValueError:
        raise ValidationFailed(_l("Choose how the gift is valued."),
                               field="valuation_basis") from None
    raw_value = data.get("value")
    blank = raw_value is None or (isinstance(raw_value, str) and not raw_value.strip())
    value: Decimal | None = None
    if basis == ValuationBasis.NOT_MEASURABLE:
        if not blank:
            raise ValidationFailed(
                _l("Leave the value empty: this gift cannot be measured reliably."),
                field="value")
    elif blank:
        raise ValidationFailed(_l("Enter the value of the gift."), field="value")
    else:
        value = check_amount(raw_value, field="value")
    received_on = data.get("received_on")
    if not isinstance(received_on, dt.date):
        raise ValidationFailed(_l("Enter a date."), field="received_on")
    if received_on > today:
        raise ValidationFailed(_l("The date cannot be in the future."), field="received_on")
    donor = load_for_org(session, Donor, data.get("donor_id"), organization.id, "donor_id",
                          _l("Unknown donor."))
    campaign = load_for_org(session, Campaign, data.get("campaign_id"), organization.id,
                             "campaign_id", _l("Unknown campaign."))
    if campaign is not None:
        if campaign.status != CampaignStatus.ACTIVE:
            raise ValidationFailed(_l("This campaign is not running: it cannot receive gifts."),
                                   field="campaign_id")
        if not (campaign.planned_start <= received_on <= campaign.end):
            raise ValidationFailed(_l("The date is outside the campaign's period."),
                                   field="received_on")
    project = load_for_org(session, Project, data.get("project_id"), organization.id,
                            "project_id", _l("Unknown project."))
    if project is not None and project.status == ProjectStatus.CLOSED:
        raise ValidationFailed(_l("The project is closed."), field="project_id")
    return {"property_type": property_type, "description": description,
            "valuation_basis": basis, "value": value, "received_on": received_on,
            "donor": donor, "campaign": campaign, "project": project,
            "issue_receipt": bool(data.get("issue_receipt"))}


def record_gift(actor, session: Session, organization, data: dict, files: Sequence[Upload],
                today: dt.date | None = None, *, store: FileStore | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES) -> NonCashGift:
    """Record a non-cash gift with its evidence files and, if asked and allowed, its receipt.

    Refuses (ValidationFailed, nothing written to the database or the disk) bad data, files
    that are not PDF/JPEG/PNG by content, empty or larger than `max_bytes`, a fair value
    without evidence, and a receipt for a gift that cannot be measured or has no donor.
    Files are staged in `store`; the caller publishes or discards them (module docstring).
    """
    require(actor, "noncash.post", organization)
    today = today or org_today(organization)
    clean = _validate(session, organization, data, today)
    checked = _checked_evidence(clean, files, max_bytes)
    if checked and store is None:
        raise ValueError("record_gift needs a FileStore to keep evidence files")

    donor, basis = clean["donor"], clean["valuation_basis"]
    gift = NonCashGift(
        organization_id=organization.id, donor_id=donor.id if donor else None,
        campaign_id=clean["campaign"].id if clean["campaign"] else None,
        project_id=clean["project"].id if clean["project"] else None,
        property_type=clean["property_type"], description=clean["description"],
        valuation_basis=basis, value=clean["value"], received_on=clean["received_on"],
        posted_by_id=getattr(actor, "id", None))
    session.add(gift)
    session.flush()
    if clean["issue_receipt"]:
        receipt = issue_receipt(
            actor, session, organization, kind=ReceiptKind.NONCASH, payer_name=donor.name,
            payer_code=donor.id_code, donor=donor, issued_on=clean["received_on"],
            lines=[Line(item=short_item(clean["description"]), unit="项",
                        quantity=Decimal("1"), unit_value=clean["value"],
                        amount=clean["value"])])
        gift.receipt_id = receipt.id
    names = [_add_file(session, actor, gift, item) for item in checked]
    record(session, actor, "noncash.record", gift,
           {"property_type": gift.property_type, "valuation_basis": basis,
            "value": None if gift.value is None else str(gift.value),
            "receipt_id": gift.receipt_id, "files": len(checked)})
    session.flush()
    # Last, once every row is in: the disk is only touched when the database accepted all.
    for name, item in zip(names, checked, strict=True):
        store.stage(name, item.data)
    return gift


def _checked_evidence(clean: dict, files: Sequence[Upload], max_bytes: int) -> list:
    """The evidence files checked by content, and the rules that need them: a fair value
    needs evidence; a receipt needs a measurable value and a donor."""
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise ValidationFailed(_l("At most %(n)d files.", n=MAX_FILES), field="files")
    checked = [check_upload(f, max_bytes) for f in files]
    basis = clean["valuation_basis"]
    if basis == ValuationBasis.FAIR_VALUE and not checked:
        raise ValidationFailed(
            _l("A fair value needs evidence: attach the appraisal, invoice or market quotation "
               "(PDF, JPEG or PNG). Without it no receipt may be issued."), field="files")
    if clean["issue_receipt"]:
        if basis == ValuationBasis.NOT_MEASURABLE:
            raise ValidationFailed(
                _l("A gift whose value cannot be measured reliably gets no receipt: untick "
                   "“Issue a receipt”. The gift is still recorded."), field="issue_receipt")
        if clean["donor"] is None:
            raise ValidationFailed(_l("Choose the donor: the receipt is made out to them."),
                                   field="donor_id")
    return checked


def _add_file(session, actor, gift: NonCashGift, item) -> str:
    """The row of one evidence file of `gift`; returns the name it is stored under."""
    name = FileStore.new_name()
    session.add(StoredFile(
        organization_id=gift.organization_id, stored_name=name,
        original_name=item.original_name, mime=item.mime, size=item.size,
        sha256=item.sha256, noncash_gift_id=gift.id,
        uploaded_by_id=getattr(actor, "id", None)))
    return name
