"""Aggregates of the ledgers, kept in the same transaction as each posting
(`charity.figures.services`) and recomputed by `charity verify`.

Months and years are the calendar of the documents' own dates (`entry_date`, `received_on`,
`distributed_on`): the organisation's calendar days, as the public figures count them.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from charity.core.db import Base, Qty

ZERO = Decimal("0")


class MonthFigures(Base):
    """One organisation's month: donation income (reversals netted in the month they were
    posted), money donations neither reversing nor reversed (counted in the month of the
    donation), spending, and posted intakes (a reversed intake counts for nothing)."""

    __tablename__ = "month_figures"

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"),
                                                 primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)
    donated: Mapped[Decimal] = mapped_column(default=ZERO)
    donations: Mapped[int] = mapped_column(default=0)
    spent: Mapped[Decimal] = mapped_column(default=ZERO)
    intakes: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.Index("ix_month_figures_year", "year", "month"),)


class MonthGoods(Base):
    """One organisation's month of goods in one base unit: received (posted intakes) and
    handed out (posted distributions). Units are never added together."""

    __tablename__ = "month_goods"

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"),
                                                 primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    received: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    distributed: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)

    __table_args__ = (sa.Index("ix_month_goods_year", "year", "month"),)


class HouseholdYear(Base):
    """A household helped by an organisation in a year: its posted distributions that year.
    A household counts once per year however often it came; with none left (all reversed)
    it does not count."""

    __tablename__ = "household_year"

    year: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"),
                                                 primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary.id"),
                                                primary_key=True)
    distributions: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.Index("ix_household_year_beneficiary", "year", "beneficiary_id"),)
