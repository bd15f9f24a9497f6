"""Donors (捐赠人). Beneficiaries and volunteers join this package with the goods issue."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from charity.db import Base, utcnow


def _enum(cls, name):
    return sa.Enum(cls, native_enum=False, length=24, create_constraint=True,
                   values_callable=lambda e: [m.value for m in e], name=name)


class DonorKind(enum.StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"


ANONYMOUS_NAME = "爱心人士"


class Donor(Base):
    """A donor of one organisation. Name, address and contact are published only with the
    donor's consent, field by field (Charity Law 2023 Art. 82)."""

    __tablename__ = "donor"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    kind: Mapped[DonorKind] = mapped_column(_enum(DonorKind, "donor_kind"),
                                            default=DonorKind.PERSON)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    phone: Mapped[str] = mapped_column(sa.String(50), default="", index=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    # Resident ID number or unified social credit code; shown masked.
    id_code: Mapped[str] = mapped_column(sa.String(32), default="")
    publish_name: Mapped[bool] = mapped_column(default=False)
    publish_address: Mapped[bool] = mapped_column(default=False)
    publish_contact: Mapped[bool] = mapped_column(default=False)
    related_party: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def public_name(self) -> str:
        return self.name if self.publish_name else ANONYMOUS_NAME

    @property
    def masked_id_code(self) -> str:
        return mask(self.id_code)

    @property
    def masked_phone(self) -> str:
        return mask(self.phone, keep_start=3, keep_end=4)


def mask(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """'620102199001011234' → '6201**********1234'. Short values are masked whole."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
