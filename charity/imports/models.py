"""An uploaded spreadsheet waiting for its preview to be confirmed.

The preview is computed from these bytes and the confirmation imports the very same bytes:
the file is never uploaded twice, and a confirmation cannot swap in another file. Rows are
kept by a random token, for one user and one organisation (and point, for opening stock)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, utcnow


class ImportUpload(Base):
    __tablename__ = "import_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"),
                                                      index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    imported_at: Mapped[dt.datetime | None]

    organization = relationship("Organization")
    point = relationship("CharityPoint")
