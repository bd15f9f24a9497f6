"""How an audit entry reads on a screen: the action in words and its details as translated
"label: value" pairs (None left out), instead of the stored codes ("fund.post",
"kind: donation; project_id: None"). The log itself keeps the codes; this only reads them."""
from __future__ import annotations

from functools import cache

from charity.core.i18n import _l

ACTION_LABELS = {
    "beneficiary.erase": _l("Household erased"),
    "complaint.record": _l("Complaint recorded"),
    "complaint_category.add": _l("Complaint category added"),
    "complaint_category.update": _l("Complaint category changed"),
    "disclosure.narrative": _l("Disclosure text written"),
    "disclosure.publish_request": _l("Publication requested"),
    "distribution.post": _l("Goods handed out"),
    "donor.update": _l("Donor changed"),
    "fund.post": _l("Fund entry posted"),
    "fund.reverse": _l("Fund entry reversed"),
    "fund.transfer": _l("Transfer between funds"),
    "intake.post": _l("Donation received"),
    "item_type.create": _l("Item type added"),
    "item_type.update": _l("Item type changed"),
    "item_type.unit_add": _l("Packaging unit added"),
    "item_type.unit_remove": _l("Packaging unit removed"),
    "noncash.record": _l("Non-cash gift recorded"),
    "org.registration_change": _l("Registration facts changed"),
    "org.update": _l("Organisation changed"),
    "project.activate": _l("Project started"),
    "project.close": _l("Project closed"),
    "hours.approved": _l("Volunteer hours approved"),
    "hours.rejected": _l("Volunteer hours rejected"),
    "points.adjust": _l("Points adjusted"),
    "points.consent": _l("Consent to be named changed"),
    "points.expire": _l("Points expired"),
    "points.give": _l("Points given to a household"),
    "points.redeem": _l("Points spent at the counter"),
    "points.terms": _l("Points rate set"),
    "project.create": _l("Project created"),
    "project.update": _l("Project changed"),
    "publication.create": _l("Disclosure published"),
    "receipt.issue": _l("Receipt issued"),
    "receipt.void": _l("Receipt voided"),
    "refused_good.create": _l("Refused goods listed"),
    "sale.post": _l("Charity sale"),
    "shift.sign_in": _l("Shift started"),
    "shift.sign_out": _l("Shift ended"),
    "stock_target.set": _l("Stock target set"),
    "stocktake.approve": _l("Stocktake approved"),
    "stocktake.start": _l("Stocktake started"),
    "stocktake.submit": _l("Stocktake submitted"),
    "transfer.receive": _l("Transfer received"),
    "transfer.send": _l("Transfer sent"),
    "user.change_password": _l("Password changed"),
    "user.reset_password": _l("Password reset"),
    "user.sign_out_everywhere": _l("Signed out everywhere"),
    "user.update": _l("User changed"),
    "volunteer.update": _l("Volunteer changed"),
    "wish.cancel": _l("Wish cancelled"),
    "wish.edit": _l("Wish changed"),
    "wish.fulfil": _l("Wish fulfilled"),
    "wish.release": _l("Wish released"),
    "write_off.post": _l("Write-off"),
}

FIELD_LABELS = {
    "actual_end": _l("Actual end"),
    "address": _l("Address"),
    "amount": _l("Amount"),
    "beneficiary_id": _l("Household"),
    "campaign_id": _l("Campaign"),
    "campaigns": _l("Campaigns"),
    "category": _l("Category"),
    "category_id": _l("Category"),
    "channel": _l("Channel"),
    "claim_ref": _l("Claim number"),
    "community": _l("Community"),
    "content": _l("Content"),
    "counterparty": _l("Counterparty"),
    "default_fair_value": _l("Fair value"),
    "description": _l("Description"),
    "display_name": _l("Name"),
    "district": _l("District"),
    "email": _l("Email"),
    "entry_date": _l("Date"),
    "from": _l("From"),
    "intake_id": _l("Donation received"),
    "is_active": _l("Active"),
    "issued": _l("Issued"),
    "item": _l("Item"),
    "item_type_id": _l("Item"),
    "kind": _l("Kind"),
    "lines": _l("Lines"),
    "lost": _l("Lost"),
    "name": _l("Name"),
    "note": _l("Note"),
    "number": _l("Number"),
    "opening_hours": _l("Opening hours"),
    "period": _l("Period"),
    "point_id": _l("Charity point"),
    "points": _l("Charity points"),
    "project_id": _l("Project"),
    "purpose": _l("Purpose"),
    "quantity": _l("Quantity"),
    "reason": _l("Reason"),
    "received_on": _l("Received on"),
    "report_no": _l("Report number"),
    "reverses": _l("Reverses"),
    "role": _l("Role"),
    "seq": _l("Number"),
    "status": _l("Status"),
    "subject_id": _l("Subject"),
    "title": _l("Title"),
    "to": _l("To"),
    "total": _l("Total"),
    "total_value": _l("Total value"),
    "unit": _l("Unit"),
    "username": _l("Username"),
    "value": _l("Value"),
    "volunteer_id": _l("Volunteer"),
}
# Where an action's object gives a field another meaning.
OBJECT_FIELD_LABELS = {("distribution", "points"): _l("Love points")}
YES_NO = {True: _l("Yes"), False: _l("No")}
# Lists that are lists; any other two-item list is a change, [old, new] (audit.services.diff).
LIST_FIELDS = frozenset({"campaigns", "categories", "campaign_ids"})


@cache
def _value_labels() -> dict:
    """(the action's object or '', field) → the labels of the codes it holds, from the features
    that own them (imported late: the audit log sits below every feature)."""
    from charity.funds.forms.ledger import CHANNEL_LABELS, KIND_LABELS
    from charity.goods.forms.counter import PAYMENT_LABELS
    from charity.goods.forms.stock import WRITE_OFF_LABELS
    from charity.web.nav import ROLE_LABELS

    return {("fund", "kind"): KIND_LABELS, ("fund", "channel"): CHANNEL_LABELS,
            ("write_off", "reason"): WRITE_OFF_LABELS, ("sale", "payment_method"): PAYMENT_LABELS,
            ("", "role"): ROLE_LABELS}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _text(action: str, key: str, value) -> str:
    if isinstance(value, bool):
        return str(YES_NO[value])
    if isinstance(value, list):
        if len(value) == 2 and key not in LIST_FIELDS:  # a change: old → new
            return " → ".join("—" if v is None else _text(action, key, v) for v in value)
        return "、".join(_text(action, key, v) for v in value if v is not None)
    if isinstance(value, dict):
        return "; ".join(f"{label}: {text}" for label, text in details(action, value))
    labels = _value_labels()
    codes = labels.get((action.split(".", 1)[0], key)) or labels.get(("", key)) or {}
    return str(codes.get(value, value))


def details(action: str, summary: dict | None) -> list[tuple[str, str]]:
    """The entry's details as (label, value) pairs; what is None is left out."""
    obj = action.split(".", 1)[0]
    return [(str(OBJECT_FIELD_LABELS.get((obj, key)) or FIELD_LABELS.get(key, key)),
             _text(action, key, value))
            for key, value in (summary or {}).items() if value is not None]
