"""The managers' parts of an annual report (Charity Law Art. 13): staff pay and benefits,
cooperation with overseas organisations or individuals, major asset changes, related-party
transactions, and the audit report — required where the organisation may fundraise
publicly; without it the report, published on its deadline, says "未提供审计报告".

Saved as a draft as often as needed until the report is published (each save audited);
the audit report is a PDF, checked by its content, kept in the upload folder like the
other evidence (charity.funds.uploads: staged now, renamed after the commit)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.disclosure.annual.models import TEXT_PARTS, AnnualStatement
from charity.disclosure.models import Obligation
from charity.funds.uploads import FileStore, Upload, check_upload, detect_mime
from charity.orgs.models import Organization

MAX_TEXT = 4000
NOT_STATED = "本年度未填报"
NO_AUDIT_REPORT = "未提供审计报告"
AUDIT_FIELD = "audit_report"


def statement_of(session: Session, organization_id: int, year: int) -> AnnualStatement | None:
    return session.scalar(sa.select(AnnualStatement).where(
        AnnualStatement.organization_id == organization_id, AnnualStatement.year == year))


def statement_part(session: Session, org: Organization, year: int) -> dict:
    """The managers' parts as the report prints them (the snapshot's "statement")."""
    row = statement_of(session, org.id, year)
    texts = {part: (getattr(row, part) if row else "") or NOT_STATED for part in TEXT_PARTS}
    audit = {"required": org.can_fundraise_publicly, "provided": bool(row and
                                                                      row.has_audit_report)}
    if audit["provided"]:
        audit.update(name=row.audit_name, sha256=row.audit_sha256)
    return {**texts, "audit_report": audit}


def audit_pdf(upload: Upload, max_bytes: int):
    """The audit report upload, checked: a PDF by its content, within the size limit."""
    if upload.data and len(upload.data) <= max_bytes and \
            detect_mime(upload.data) != "application/pdf":
        raise ValidationFailed(_l("The audit report must be a PDF file."), field=AUDIT_FIELD)
    return check_upload(upload, max_bytes, field=AUDIT_FIELD)


def save_statement(actor, session: Session, ob: Obligation, data: dict,
                   audit_report: Upload | None, *, store: FileStore,
                   max_bytes: int) -> AnnualStatement:
    """Save the managers' parts of the annual report `ob` (a draft until it is published).
    A new audit report replaces the previous one (whose file stays in the upload folder and
    its digest in the audit log). The file is staged in `store`: the caller publishes it
    after the commit, or discards it."""
    require(actor, "disclosure.narrative", ob)
    if ob.kind != "annual":
        raise ValidationFailed(_l("Only an annual report has these parts."))
    if ob.published_on is not None:
        raise ValidationFailed(_l("This disclosure is published; its text can no longer change."))
    clean = {part: (data.get(part) or "").strip() for part in TEXT_PARTS}
    for part, text in clean.items():
        if len(text) > MAX_TEXT:
            raise ValidationFailed(_l("At most %(n)s characters.", n=MAX_TEXT), field=part)
    checked = audit_pdf(audit_report, max_bytes) if audit_report and audit_report.data else None
    row = statement_of(session, ob.organization_id, ob.seq)
    if row is None:
        row = AnnualStatement(organization_id=ob.organization_id, year=ob.seq)
        session.add(row)
    changed = [part for part, text in clean.items() if (getattr(row, part) or "") != text]
    for part, text in clean.items():
        setattr(row, part, text)
    if checked is not None:
        row.audit_stored_name = FileStore.new_name()
        store.stage(row.audit_stored_name, checked.data)
        row.audit_name, row.audit_size = checked.original_name, checked.size
        row.audit_sha256 = checked.sha256
    row.updated_by_id = getattr(actor, "id", None)
    row.updated_at = utcnow()
    session.flush()
    record(session, actor, "annual.statement_save", ob,
           {"year": ob.seq, "changed": changed,
            "audit_sha256": checked.sha256 if checked else None},
           organization_id=ob.organization_id)
    return row
