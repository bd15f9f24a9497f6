"""The staff screen's upload → preview → confirm, without uploading twice: the file is kept
in `import_upload` under a random token, for the user who sent it, until it is imported
(then its bytes are dropped) or a day has passed."""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.auth.permissions import require
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.imports.models import ImportUpload
from charity.imports.services import Report, import_sheet, kind_or_refuse
from charity.imports.workbook import MAX_BYTES

KEEP_FOR = dt.timedelta(days=1)


def store_upload(actor, session: Session, kind_name: str, organization, point, filename: str,
                 content: bytes) -> ImportUpload:
    """Keep an uploaded sheet for its preview; forget uploads older than a day."""
    require(actor, "imports.run", organization)
    kind = kind_or_refuse(kind_name)
    if kind.needs_point and (point is None or point.organization_id != organization.id):
        raise ValidationFailed(_l("Choose a charity point of the organisation."),
                               field="point_id")
    if not content:
        raise ValidationFailed(_l("Choose a file."), field="file")
    if len(content) > MAX_BYTES:
        raise ValidationFailed(_l("The file is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20),
                               field="file")
    session.execute(sa.delete(ImportUpload).where(ImportUpload.created_at < utcnow() - KEEP_FOR))
    upload = ImportUpload(token=secrets.token_urlsafe(32), kind=kind.name,
                          organization_id=organization.id,
                          point_id=point.id if kind.needs_point else None,
                          filename=(filename or "")[:200], content=content,
                          created_by_id=getattr(actor, "id", None))
    session.add(upload)
    session.flush()
    return upload


def upload_for(session: Session, actor, token: str) -> ImportUpload | None:
    """The actor's own upload under `token`, still within its day."""
    if not token or len(token) > 64:
        return None
    return session.scalar(sa.select(ImportUpload).where(
        ImportUpload.token == token, ImportUpload.created_by_id == getattr(actor, "id", None),
        ImportUpload.created_at >= utcnow() - KEEP_FOR))


def preview(actor, session: Session, upload: ImportUpload, id_key: bytes | None) -> Report:
    """What confirming would do (a dry run of the kept file)."""
    return import_sheet(actor, session, upload.kind, upload.content, upload.organization,
                        upload.point, dry_run=True, id_key=id_key)


def confirm_upload(actor, session: Session, upload: ImportUpload,
                   id_key: bytes | None) -> Report:
    """Import the kept file, all or nothing; refused (nothing written) if anything in it is
    wrong now — the database may have changed since the preview."""
    if upload.imported_at is not None:
        raise ValidationFailed(_l("This file was already imported."))
    report = import_sheet(actor, session, upload.kind, upload.content, upload.organization,
                          upload.point, id_key=id_key)
    if not report.ok:
        raise ValidationFailed(_l("The file has errors: nothing was imported. See the list "
                                  "below."))
    upload.imported_at = utcnow()
    upload.content = b""
    session.flush()
    return report
