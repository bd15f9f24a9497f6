"""Campaigns (募捐活动) with their versioned plan changes, and projects (慈善项目)."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, Created, utcnow
from charity.funds.models.columns import enum_column


class CampaignStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    ENDED = "ended"


class ProjectStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


project_campaign = sa.Table(
    "project_campaign",
    Base.metadata,
    sa.Column("project_id", sa.ForeignKey("project.id"), primary_key=True),
    sa.Column("campaign_id", sa.ForeignKey("campaign.id"), primary_key=True, index=True),
)


class Campaign(Created, Base):
    """A public fundraising campaign; its plan holds the fields of Charity Law Art. 24."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    region: Mapped[str] = mapped_column(sa.String(200), default="")
    donation_methods: Mapped[str] = mapped_column(sa.Text, default="")
    bank_account: Mapped[str] = mapped_column(sa.String(200), default="")
    beneficiaries: Mapped[str] = mapped_column(sa.Text, default="")
    intended_use: Mapped[str] = mapped_column(sa.Text, default="")
    cost_budget: Mapped[Decimal | None]
    leftover_plan: Mapped[str] = mapped_column(sa.Text, default="")
    responsible_person: Mapped[str] = mapped_column(sa.String(100), default="")
    contact: Mapped[str] = mapped_column(sa.String(100), default="")
    filing_no: Mapped[str] = mapped_column(sa.String(100), default="")
    filing_date: Mapped[dt.date | None]
    planned_start: Mapped[dt.date]
    planned_end: Mapped[dt.date]
    actual_end: Mapped[dt.date | None]
    target_amount: Mapped[Decimal | None]
    goods_wanted: Mapped[str] = mapped_column(sa.Text, default="")
    emergency: Mapped[bool] = mapped_column(default=False)
    status: Mapped[CampaignStatus] = mapped_column(enum_column(CampaignStatus, "campaign_status"),
                                                   default=CampaignStatus.PLANNED, index=True)
    version: Mapped[int] = mapped_column(default=1)

    organization = relationship("Organization")
    changes: Mapped[list[CampaignChange]] = relationship(
        back_populates="campaign", order_by="CampaignChange.version")
    projects: Mapped[list[Project]] = relationship(secondary=project_campaign,
                                                   back_populates="campaigns")

    __table_args__ = (
        sa.CheckConstraint("planned_end >= planned_start", name="dates_in_order"),
        sa.CheckConstraint("target_amount IS NULL OR target_amount > 0", name="target_positive"),
        sa.CheckConstraint("cost_budget IS NULL OR cost_budget >= 0", name="budget_not_negative"),
        sa.UniqueConstraint("organization_id", "name"),
    )

    @property
    def end(self) -> dt.date:
        """The end that counts: the actual end once ended, else the planned one."""
        return self.actual_end or self.planned_end


class CampaignChange(Base):
    """One version of a campaign's plan: who changed what, when and why."""

    __tablename__ = "campaign_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(24))  # create, edit, activate, extend, end_early, end
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_on: Mapped[dt.date]  # the organisation's calendar day of the change
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    campaign: Mapped[Campaign] = relationship(back_populates="changes")
    changed_by = relationship("User")

    __table_args__ = (sa.UniqueConstraint("campaign_id", "version"),)


class Project(Created, Base):
    """A charity project; the end may be open (an ongoing programme such as a supermarket)."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text, default="")
    area: Mapped[str] = mapped_column(sa.String(200), default="")
    beneficiary_groups: Mapped[str] = mapped_column(sa.Text, default="")
    planned_start: Mapped[dt.date]
    planned_end: Mapped[dt.date | None]
    actual_end: Mapped[dt.date | None]
    budget: Mapped[Decimal | None]
    status: Mapped[ProjectStatus] = mapped_column(enum_column(ProjectStatus, "project_status"),
                                                  default=ProjectStatus.PLANNED, index=True)
    leftover_property: Mapped[str] = mapped_column(sa.Text, default="")
    leftover_handling: Mapped[str] = mapped_column(sa.Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    closed_at: Mapped[dt.datetime | None]
    # The organisation's calendar day the close was recorded (a change for the deadlines).
    closed_on: Mapped[dt.date | None]

    organization = relationship("Organization")
    campaigns: Mapped[list[Campaign]] = relationship(secondary=project_campaign,
                                                     back_populates="projects")

    __table_args__ = (
        sa.CheckConstraint("planned_end IS NULL OR planned_end >= planned_start",
                           name="dates_in_order"),
        sa.CheckConstraint("budget IS NULL OR budget >= 0", name="budget_not_negative"),
        sa.UniqueConstraint("organization_id", "name"),
    )

    @property
    def end(self) -> dt.date | None:
        return self.actual_end or self.planned_end


class ProjectPoint(Created, Base):
    """A charity point working for an ongoing project from `start_on` to `end_on` (open
    while None): its distributions, sales and goods received in those days count in the
    project's reports (running the supermarket is the project the point's work serves).
    A distribution that names a project counts there instead."""

    __tablename__ = "project_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    start_on: Mapped[dt.date]
    end_on: Mapped[dt.date | None]

    project: Mapped[Project] = relationship()
    point = relationship("CharityPoint")

    __table_args__ = (
        sa.CheckConstraint("end_on IS NULL OR end_on >= start_on", name="dates_in_order"),
    )
