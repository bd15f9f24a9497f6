"""Charity organisations and their charity points."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, utcnow


class PointKind(enum.StrEnum):
    SUPERMARKET = "supermarket"  # 慈善超市
    STATION = "station"  # 社会捐助站(点)


class OrgType(enum.StrEnum):
    """The legal form a charity organisation is registered as (Charity Law Art. 8): the
    management-cost thresholds differ (foundations 10 %, the others 13 %)."""
    FOUNDATION = "foundation"  # 基金会
    SOCIAL_GROUP = "social_group"  # 社会团体
    SOCIAL_SERVICE_AGENCY = "social_service_agency"  # 社会服务机构


# The registration facts: what the registering authority certified. Only an administrator
# changes them, with a reason and an evidence file (charity.orgs.services.change_registration).
REGISTRATION_FIELDS = ("name", "uscc", "registering_authority", "org_type",
                       "can_fundraise_publicly", "fundraising_cert_no",
                       "fundraising_cert_valid_until", "registered_on")


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    # --- registration facts (REGISTRATION_FIELDS) ---
    name: Mapped[str] = mapped_column(sa.String(200))
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    registering_authority: Mapped[str] = mapped_column(sa.String(200), default="")
    # None: not recorded yet (organisations registered before the field existed).
    org_type: Mapped[OrgType | None] = mapped_column(
        sa.Enum(OrgType, native_enum=False, length=32, create_constraint=False,
                values_callable=lambda e: [m.value for m in e], name="org_type"))
    can_fundraise_publicly: Mapped[bool] = mapped_column(default=False)
    fundraising_cert_no: Mapped[str] = mapped_column(sa.String(100), default="")
    # The last day the public-fundraising certificate is valid; None: no end date.
    fundraising_cert_valid_until: Mapped[dt.date | None]
    # The date on the registration certificate: annual reports are owed from that year on
    # (None: not recorded yet, organisations entered before the field existed).
    registered_on: Mapped[dt.date | None]
    # --- details the organisation's managers keep up to date ---
    contact_person: Mapped[str] = mapped_column(sa.String(100), default="")
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Shanghai")
    # Food this many days or fewer from its expiry date is flagged at hand-out and offered
    # first (charity.goods.queries.expiry).
    expiry_warning_days: Mapped[int] = mapped_column(default=7, server_default="7")
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    points: Mapped[list[CharityPoint]] = relationship(
        back_populates="organization", order_by="CharityPoint.name"
    )

    __table_args__ = (
        sa.CheckConstraint("length(uscc) = 18", name="uscc_length"),
        sa.CheckConstraint(
            "can_fundraise_publicly = false OR fundraising_cert_no <> ''",
            name="fundraising_needs_cert",
        ),
        sa.CheckConstraint("expiry_warning_days BETWEEN 0 AND 90",
                           name="expiry_warning_days_range"),
    )

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"

    def fundraising_qualified_on(self, day: dt.date) -> bool:
        """Does the organisation hold a valid public-fundraising qualification on `day`?"""
        return (self.can_fundraise_publicly and bool(self.fundraising_cert_no)
                and (self.fundraising_cert_valid_until is None
                     or day <= self.fundraising_cert_valid_until))


class RegistrationChange(Base):
    """One change of an organisation's registration facts: what changed (old and new
    values), by which administrator, why, and the evidence (a PDF or image, stored like the
    other evidence files, charity.funds.uploads). Written once, never changed."""
    __tablename__ = "registration_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    # {field: [old, new]}, values as text (dates ISO, booleans true/false).
    changes: Mapped[dict] = mapped_column(sa.JSON)
    evidence_stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    evidence_name: Mapped[str] = mapped_column(sa.String(255))
    evidence_mime: Mapped[str] = mapped_column(sa.String(64))
    evidence_size: Mapped[int]
    evidence_sha256: Mapped[str] = mapped_column(sa.String(64))

    changed_by = relationship("User")


class CharityPoint(Base):
    __tablename__ = "charity_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    kind: Mapped[PointKind] = mapped_column(
        sa.Enum(PointKind, native_enum=False, length=16, create_constraint=True,
                values_callable=lambda e: [m.value for m in e], name="point_kind")
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    district: Mapped[str] = mapped_column(sa.String(100), default="", index=True)
    community: Mapped[str] = mapped_column(sa.String(100), default="")
    opening_hours: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="points")

    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)

    def __repr__(self) -> str:
        return f"<CharityPoint {self.id} {self.name}>"
