"""Complaints (投诉举报) and the categories an organisation offers for them.

A complaint is a small state machine — submitted → accepted → dispatched → handled →
answered → closed — and every step stamps who and when on the row; the deadlines of all
steps are fixed when the complaint arrives (see `charity.complaints.rules`), so changing the
defaults later does not move the deadlines of complaints already filed.
"""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.db import Base, utcnow


def _enum(cls, name):
    return sa.Enum(cls, native_enum=False, length=24, create_constraint=True,
                   values_callable=lambda e: [m.value for m in e], name=name)


def _account(column):
    """The user account a person column (assignee, a step's `*_by_id`) points at."""
    return relationship("User", foreign_keys=[column])


class ComplaintChannel(enum.StrEnum):
    ONLINE = "online"  # 网上投诉: offered on the public form
    WORK_ORDER = "work_order"  # 网格工单
    HOTLINE = "hotline"  # 热线投诉


class ComplaintStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    HANDLED = "handled"
    ANSWERED = "answered"
    CLOSED = "closed"


class Satisfaction(enum.StrEnum):
    SATISFIED = "satisfied"  # 满意
    FAIRLY = "fairly"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class EventKind(enum.StrEnum):
    EXTENSION = "extension"  # a manager moved the answer deadline, with a reason
    CALLBACK = "callback"  # the complainant's satisfaction, recorded by staff or given online
    REOPEN = "reopen"  # 不满意 sent the order back to be handled again


class CalendarKind(enum.StrEnum):
    HOLIDAY = "holiday"  # 法定节假日: days off, even on weekdays
    WORKDAY = "workday"  # 调休上班: weekend days that are working days


class CalendarEntry(Base):
    """A holiday or make-up working day range of the installation's working-day calendar."""

    __tablename__ = "calendar_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CalendarKind] = mapped_column(_enum(CalendarKind, "calendar_kind"))
    name: Mapped[str] = mapped_column(sa.String(50))
    first_day: Mapped[dt.date] = mapped_column(index=True)
    last_day: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint("first_day <= last_day", name="range_in_order"),)


class ComplaintCategory(Base):
    """A category an organisation lets complaints be filed under; renamed or deactivated,
    never deleted (complaints keep pointing at it)."""

    __tablename__ = "complaint_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    channel: Mapped[ComplaintChannel] = mapped_column(
        _enum(ComplaintChannel, "complaint_channel"), default=ComplaintChannel.ONLINE)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The 12345 time limits, in working days after the day of arrival (charity.complaints.rules).
    accept_days: Mapped[int] = mapped_column(default=1, server_default="1")
    answer_days: Mapped[int] = mapped_column(default=15, server_default="15")

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name"),
        sa.CheckConstraint("accept_days BETWEEN 1 AND 5", name="accept_days_range"),
        sa.CheckConstraint("answer_days BETWEEN 1 AND 60", name="answer_days_range"),
    )


class Complaint(Base):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("complaint_category.id"), index=True)
    # Random, from an unambiguous alphabet, stored without the group separators.
    tracking_no: Mapped[str] = mapped_column(sa.String(16), unique=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    # Private: shown to staff readers only, never on a public page or in a log.
    contact_name: Mapped[str] = mapped_column(sa.String(100), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(50), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(200), default="")
    attachment_stored_name: Mapped[str | None] = mapped_column(sa.String(64))
    attachment_name: Mapped[str] = mapped_column(sa.String(255), default="")
    attachment_mime: Mapped[str] = mapped_column(sa.String(64), default="")
    attachment_size: Mapped[int | None]
    attachment_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    # HMAC of the sender's address under the installation key: counts recent complaints
    # per address across all app processes without keeping the address itself.
    address_hash: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[ComplaintStatus] = mapped_column(
        _enum(ComplaintStatus, "complaint_status"), default=ComplaintStatus.SUBMITTED,
        index=True)

    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_on: Mapped[dt.date] = mapped_column(index=True)  # in the org's time zone
    accept_due: Mapped[dt.date]
    dispatch_due: Mapped[dt.date]
    handle_due: Mapped[dt.date]
    answer_due: Mapped[dt.date]
    close_due: Mapped[dt.date]

    accepted_at: Mapped[dt.datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    dispatched_at: Mapped[dt.datetime | None]
    dispatched_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"),
                                                    index=True)
    point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("charity_point.id"), index=True)
    dispatch_note: Mapped[str] = mapped_column(sa.Text, default="")
    handled_at: Mapped[dt.datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    handling_note: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    answer: Mapped[str] = mapped_column(sa.Text, default="")  # shown publicly
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Call-back (回访): the latest satisfaction given after an answer (see ComplaintEvent for
    # all of them) and how often 不满意 reopened the order (at most once).
    rating: Mapped[Satisfaction | None] = mapped_column(_enum(Satisfaction, "satisfaction"))
    rated_at: Mapped[dt.datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0, server_default="0")

    category: Mapped[ComplaintCategory] = relationship()
    organization = relationship("Organization")
    point = relationship("CharityPoint")
    assignee = _account(assignee_id)
    accepted_by = _account(accepted_by_id)
    dispatched_by = _account(dispatched_by_id)
    handled_by = _account(handled_by_id)
    answered_by = _account(answered_by_id)
    closed_by = _account(closed_by_id)

    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id")

    __table_args__ = (
        sa.Index("ix_complaint_address_recent", "address_hash", "submitted_at"),
        sa.CheckConstraint("assignee_id IS NULL OR point_id IS NULL", name="one_dispatch_target"),
    )


class ComplaintEvent(Base):
    """What happened to a complaint besides its steps: extensions, call-backs, reopening.
    Append-only; the timeline shows them."""

    __tablename__ = "complaint_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaint.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "complaint_event_kind"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))  # None: online
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    old_due: Mapped[dt.date | None]
    new_due: Mapped[dt.date | None]
    rating: Mapped[Satisfaction | None] = mapped_column(_enum(Satisfaction, "event_rating"))

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    by = _account(by_id)
