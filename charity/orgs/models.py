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


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    registering_authority: Mapped[str] = mapped_column(sa.String(200), default="")
    can_fundraise_publicly: Mapped[bool] = mapped_column(default=False)
    fundraising_cert_no: Mapped[str] = mapped_column(sa.String(100), default="")
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
