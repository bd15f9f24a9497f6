"""Disclosure obligations (公开义务) and immutable publications (信息公开)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from charity.core.db import Base, utcnow


class Obligation(Base):
    """One disclosure a subject owes, recomputed from the data at every scheduler tick.

    subject_type: campaign, project or organization (annual report); kind: periodic, final,
    annual; seq: 1.. for periodic, 0 otherwise. status is derived (upcoming, due, overdue,
    published_on_time, published_late) and stored so lists and the public compliance table
    need no recomputation.
    """

    __tablename__ = "obligation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(16))
    subject_id: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))
    seq: Mapped[int] = mapped_column(default=0)
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    due: Mapped[dt.date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(24), index=True)
    published_on: Mapped[dt.date | None]
    publish_requested_at: Mapped[dt.datetime | None]
    publish_requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # The scheduler's last failed attempt to publish it (cleared when it is published).
    publish_failed_at: Mapped[dt.datetime | None]
    publish_failure: Mapped[str] = mapped_column(sa.Text, default="")
    refreshed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    publication: Mapped[Publication | None] = relationship(
        primaryjoin="Publication.obligation_id == Obligation.id", uselist=False, viewonly=True)

    __table_args__ = (
        sa.UniqueConstraint("subject_type", "subject_id", "kind", "seq"),
        sa.Index("ix_obligation_subject", "subject_type", "subject_id"),
    )


def report_no(chain_seq: int) -> str:
    """A publication's public number: its place in the hash chain (GK-000042)."""
    return f"GK-{chain_seq:06d}"


class Publication(Base):
    """A published disclosure: PDF bytes, JSON snapshot, their SHA-256 and a hash-chain
    entry. Never updated after insert (a correction is a new publication)."""

    __tablename__ = "publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    obligation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("obligation.id"),
                                                      unique=True)
    subject_type: Mapped[str] = mapped_column(sa.String(16))
    subject_id: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16), index=True)  # periodic final annual correction
    seq: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    due: Mapped[dt.date | None]
    published_on: Mapped[dt.date] = mapped_column(index=True)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    late: Mapped[bool] = mapped_column(default=False)
    pdf: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    snapshot: Mapped[str] = deferred(mapped_column(sa.Text))
    attachment_csv: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    snapshot_sha256: Mapped[str] = mapped_column(sa.String(64))
    chain_seq: Mapped[int] = mapped_column(unique=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    entry_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("publication.id"), index=True)
    correction_reason: Mapped[str] = mapped_column(sa.Text, default="")
    generated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    organization = relationship("Organization")
    corrects: Mapped[Publication | None] = relationship(remote_side=[id],
                                                        foreign_keys=[corrects_id])

    __table_args__ = (
        sa.Index("ix_publication_subject", "subject_type", "subject_id"),
    )

    @property
    def report_no(self) -> str:
        return report_no(self.chain_seq)


class Narrative(Base):
    """Progress text staff write in advance for an upcoming disclosure; it goes into the
    report when it is generated."""

    __tablename__ = "narrative"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(16))
    subject_id: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))
    seq: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("subject_type", "subject_id", "kind", "seq"),)
