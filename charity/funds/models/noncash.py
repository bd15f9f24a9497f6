"""Non-cash gifts (Charity Law Art. 36) and the evidence files uploaded with them."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, Posted, utcnow
from charity.funds.models.columns import enum_column

if TYPE_CHECKING:
    from charity.funds.models.campaigns import Campaign
    from charity.funds.models.receipts import Receipt


class PropertyType(enum.StrEnum):
    BUILDING = "building"
    SECURITIES = "securities"
    EQUITY = "equity"
    INTELLECTUAL_PROPERTY = "intellectual_property"
    IP_INCOME = "ip_income"
    TECHNOLOGY = "technology"
    CHARITABLE_TRUST = "charitable_trust"
    SERVICE = "service"
    OTHER = "other"


class ValuationBasis(enum.StrEnum):
    DOCUMENT_AMOUNT = "document_amount"  # 票据/协议金额
    FAIR_VALUE = "fair_value"  # 公允价值 (with evidence)
    HISTORICAL_COST = "historical_cost"  # equity: 历史成本
    NOT_MEASURABLE = "not_measurable"  # 无法可靠计量: recorded, no receipt


class NonCashGift(Posted, Base):
    """A gift of property other than money and everyday goods (Charity Law Art. 36)."""

    __tablename__ = "noncash_gift"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id"), index=True)
    property_type: Mapped[PropertyType] = mapped_column(enum_column(PropertyType,
                                                                    "property_type"))
    description: Mapped[str] = mapped_column(sa.Text)
    valuation_basis: Mapped[ValuationBasis] = mapped_column(
        enum_column(ValuationBasis, "valuation_basis"))
    value: Mapped[Decimal | None]
    received_on: Mapped[dt.date]
    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipt.id"), index=True)

    donor = relationship("Donor")
    campaign: Mapped[Campaign | None] = relationship()
    receipt: Mapped[Receipt | None] = relationship()
    files: Mapped[list[StoredFile]] = relationship(back_populates="noncash_gift")

    __table_args__ = (
        sa.CheckConstraint("value IS NULL OR value >= 0", name="value_not_negative"),
        sa.CheckConstraint("valuation_basis = 'not_measurable' OR value IS NOT NULL",
                           name="value_unless_not_measurable"),
    )


class StoredFile(Base):
    """An uploaded evidence file, kept outside static/ under a generated name."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    mime: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    noncash_gift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("noncash_gift.id"),
                                                        index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    noncash_gift: Mapped[NonCashGift | None] = relationship(back_populates="files")
