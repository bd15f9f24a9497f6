"""The people an organisation works with: donors (捐赠人), beneficiary households (受助对象)
with their points ledger, volunteers and their shifts; and how private values are masked."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, utcnow


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


def masked_address(value: str) -> str:
    """Keep the province/city part of an address (its first six characters), hide the rest."""
    value = value or ""
    keep = 6
    if len(value) <= keep:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - keep)


class BeneficiaryCategory(enum.StrEnum):
    SOLITARY_ELDERLY = "solitary_elderly"  # 孤寡老人
    EMPTY_NEST_ELDERLY = "empty_nest_elderly"  # 空巢老人
    LEFT_BEHIND_CHILD = "left_behind_child"  # 留守儿童
    DISABLED = "disabled"  # 残疾人
    DIBAO = "dibao"  # 低保
    TEKUN = "tekun"  # 特困
    TEMPORARY = "temporary"  # 临时困难
    OTHER = "other"


BENEFICIARY_CATEGORY_NAMES = {
    "solitary_elderly": "孤寡老人", "empty_nest_elderly": "空巢老人", "left_behind_child": "留守儿童",
    "disabled": "残疾人", "dibao": "低保", "tekun": "特困", "temporary": "临时困难", "other": "其他",
}


class Beneficiary(Base):
    """A household in need (受助对象). ID number, phone and address are private: never on a
    public page, an export without permission, or a log line. The ID number is kept only as a
    keyed hash (to find duplicates) plus its last four characters."""

    __tablename__ = "beneficiary"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), index=True)
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)
    members: Mapped[int] = mapped_column(default=1)
    community: Mapped[str] = mapped_column(sa.String(100), default="", index=True)
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    id_number_hash: Mapped[str | None] = mapped_column(sa.String(64))
    id_number_last4: Mapped[str] = mapped_column(sa.String(4), default="")
    certified_until: Mapped[dt.date | None] = mapped_column(index=True)
    monthly_points: Mapped[int] = mapped_column(default=0)
    consent_note: Mapped[str] = mapped_column(sa.String(300), default="")
    consent_on: Mapped[dt.date | None]
    active: Mapped[bool] = mapped_column(default=True)
    erased_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "id_number_hash"),
        sa.CheckConstraint("members >= 1", name="members_positive"),
        sa.CheckConstraint("monthly_points >= 0", name="points_not_negative"),
    )

    @property
    def masked_id_number(self) -> str:
        return ("*" * 14 + self.id_number_last4) if self.id_number_last4 else ""

    @property
    def masked_phone(self) -> str:
        return mask(self.phone, keep_start=3, keep_end=4)

    def is_certified(self, on: dt.date) -> bool:
        return self.active and self.certified_until is not None and self.certified_until >= on


class PointsEntry(Base):
    """The household's 爱心积分 ledger: monthly allowance in, distributions out."""

    __tablename__ = "points_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary.id"), index=True)
    month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    amount: Mapped[int]  # + allowance, − spent
    kind: Mapped[str] = mapped_column(sa.String(16))  # allowance, distribution, reversal
    distribution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("distribution.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.Index("ix_points_entry_month", "beneficiary_id", "month"),
        sa.Index("uq_points_allowance_month", "beneficiary_id", "month", unique=True,
                 postgresql_where=sa.text("kind = 'allowance'"),
                 sqlite_where=sa.text("kind = 'allowance'")),
    )


class ServiceType(enum.StrEnum):
    CULTURE_SPORT = "culture_sport"  # 文体
    LEGAL = "legal"  # 法律
    COUNSELLING = "counselling"  # 心理疏导
    HEALTH = "health"  # 医疗保健
    SUPERMARKET = "supermarket"  # 超市值守
    OTHER = "other"


class Volunteer(Base):
    """A volunteer profile; a volunteer need not be a system user."""

    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    community: Mapped[str] = mapped_column(sa.String(100), default="", index=True)
    party_member: Mapped[bool] = mapped_column(default=False)
    service_types: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Shift(Base):
    """A volunteer's service: signed in and out at a point (hours from the two stamps)."""

    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id"), index=True)
    point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    service_type: Mapped[ServiceType] = mapped_column(
        sa.Enum(ServiceType, native_enum=False, length=24, create_constraint=True,
                values_callable=lambda e: [m.value for m in e], name="service_type"))
    signed_in_at: Mapped[dt.datetime] = mapped_column(index=True)
    signed_out_at: Mapped[dt.datetime | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    volunteer: Mapped[Volunteer] = relationship()

    __table_args__ = (sa.CheckConstraint("signed_out_at IS NULL OR signed_out_at > signed_in_at",
                                         name="out_after_in"),)

    @property
    def hours(self) -> float | None:
        if self.signed_out_at is None:
            return None
        return round((self.signed_out_at - self.signed_in_at).total_seconds() / 3600, 2)
