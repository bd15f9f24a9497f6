"""The parts of an annual report that no ledger holds: the managers enter them before the
deadline (a draft, saved as often as needed and audited each time); the report published on
the deadline prints what was saved by then."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from charity.core.db import Base, utcnow

# The free-text parts, in the order the report prints them (Charity Law Art. 13).
TEXT_PARTS = ("staff_pay", "overseas_cooperation", "asset_changes", "related_parties")


class AnnualStatement(Base):
    """What the managers of one organisation state for one year's annual report. The audit
    report is a PDF kept in the upload folder (charity.funds.uploads) under
    `audit_stored_name`, with its original name, size and SHA-256."""

    __tablename__ = "annual_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    year: Mapped[int]
    staff_pay: Mapped[str] = mapped_column(sa.Text, default="")
    overseas_cooperation: Mapped[str] = mapped_column(sa.Text, default="")
    asset_changes: Mapped[str] = mapped_column(sa.Text, default="")
    related_parties: Mapped[str] = mapped_column(sa.Text, default="")
    audit_stored_name: Mapped[str | None] = mapped_column(sa.String(64))
    audit_name: Mapped[str] = mapped_column(sa.String(255), default="")
    audit_size: Mapped[int | None]
    audit_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("organization_id", "year"),
                      sa.CheckConstraint("year BETWEEN 2000 AND 2200", name="year_range"))

    @property
    def has_audit_report(self) -> bool:
        return bool(self.audit_stored_name)
