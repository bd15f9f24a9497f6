"""The history of transparency scores: one row per organisation per day it was computed.

Derived data, recomputed from the ledgers, obligations and complaints: a later computation on
the same day replaces that day's figures; earlier days are kept for the trend."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, utcnow


class TransparencyScore(Base):
    __tablename__ = "transparency_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    computed_on: Mapped[dt.date] = mapped_column(index=True)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    score: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    grade: Mapped[str] = mapped_column(sa.String(2))
    # {"fundraising": "92.50" | null, …} and {"F1": {"applicable": true, "fraction": "1",
    # "points": "10"}, …}: strings keep the decimals exact across both engines.
    groups: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    indicators: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    gap_count: Mapped[int] = mapped_column(default=0)

    organization = relationship("Organization")

    __table_args__ = (sa.UniqueConstraint("organization_id", "computed_on"),)
