"""Writing the audit log. Services call `record` for every change they make."""
from __future__ import annotations

import contextvars
import hashlib
import hmac

from sqlalchemy.orm import Session

from charity.audit.models import AuditLog
from charity.orgs.models import Organization

# Set by the web layer per request (`set_request_address`) so services need not know about
# HTTP. It holds the keyed hash of the remote address, never the address itself.
request_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_address", default=None
)

# The same keyed hash complaints keep of their sender (charity.complaints.rules.address_hash,
# whose bytes tests/audit/test_addresses.py compares with these): an auditor can match a
# complaint's audit entry to the complaint, and nobody who reads the log learns an address.
_ADDRESS_LABEL = b"complaint-address:"


def address_hash(address: str | None, key: bytes) -> str:
    """HMAC-SHA256 of a remote address under the installation key (64 hex characters)."""
    return hmac.new(key, _ADDRESS_LABEL + (address or "").encode(), hashlib.sha256).hexdigest()


def set_request_address(address: str | None, key: bytes) -> None:
    """Remember, for this request's audit entries, the hash of the address it came from."""
    request_address.set(address_hash(address, key) if address else None)

# Never written to the log, whatever a caller passes in `changes`: secrets, and the personal
# contact and identity data of donors, beneficiaries, volunteers, complainants and claimants
# (the log is read by auditors and kept for ever, append-only — nothing can be scrubbed later).
# Callers should not pass these at all; this is the net under them.
SENSITIVE_FIELDS = frozenset(
    {"password", "password_hash", "session_token", "id_number", "id_number_hash", "secret",
     "totp_secret", "recovery_codes", "phone", "id_code", "contact_name", "contact_phone",
     "contact_email", "claimant_name", "claimant_phone", "donor_name", "donor_phone"}
)
# Any key containing one of these is masked too (new_password, otp_secret, api_token, ...).
SENSITIVE_PARTS = ("password", "secret", "token")


def is_sensitive(key) -> bool:
    name = str(key).lower()
    return name in SENSITIVE_FIELDS or any(part in name for part in SENSITIVE_PARTS)


def _clean(value):
    if isinstance(value, dict):
        return {k: ("***" if is_sensitive(k) else _clean(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)  # Decimal, date, enum: the log keeps their text form


def record(session: Session, actor, action: str, obj, changes: dict | None = None,
           organization_id: int | None = None) -> AuditLog:
    """Append one audit entry for `action` on `obj` by `actor` (a User or None for the system)."""
    if getattr(obj, "id", 1) is None:
        session.flush()  # the entry must name the row it is about
    if organization_id is None:
        organization_id = getattr(obj, "organization_id", None)
        if organization_id is None and type(obj).__name__ == "Organization":
            organization_id = obj.id
    entry = AuditLog(
        user_id=getattr(actor, "id", None),
        remote_addr=request_address.get(),
        action=action,
        object_type=type(obj).__name__,
        object_id=None if getattr(obj, "id", None) is None else str(obj.id),
        organization_id=organization_id,
        summary=_clean(changes or {}),
    )
    session.add(entry)
    return entry


def diff(obj, data: dict) -> dict:
    """{field: [old, new]} for the fields of `data` that differ from `obj`."""
    out = {}
    for key, new in data.items():
        old = getattr(obj, key)
        if old != new:
            out[key] = [old, new]
    return out


def record_export(session: Session, actor, what: str, fmt: str, filters: dict, rows: int,
                  organization_id: int | None = None) -> AuditLog:
    """Append `export.<what>`: who downloaded which list, in which format, with which filters
    and how many rows. Written (and committed by the caller) before the file is streamed, so
    a download that fails half-way is still on record. `organization_id` defaults to the
    actor's own organisation, so that organisation's auditors see it."""
    if organization_id is None:
        organization_id = getattr(actor, "organization_id", None)
    elif session.get(Organization, organization_id) is None:
        # A filter naming no organisation (an administrator's ?org=99999) is still on
        # record in the filters; the entry is filed under no organisation rather than
        # failing the download on the foreign key.
        organization_id = None
    entry = AuditLog(
        user_id=getattr(actor, "id", None), remote_addr=request_address.get(),
        action=f"export.{what}", object_type="Export", object_id=what,
        organization_id=organization_id,
        summary=_clean({"format": fmt, "filters": filters, "rows": rows}))
    session.add(entry)
    return entry
