"""Users and the points a volunteer serves."""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity.core.roles import Role
from charity.core.db import Base, utcnow
from charity.orgs.models import CharityPoint, Organization

user_point = sa.Table(
    "user_point",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("point_id", sa.ForeignKey("charity_point.id"), primary_key=True, index=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, Base):
    # "user" is reserved in PostgreSQL.
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=16, create_constraint=True,
                values_callable=lambda e: [m.value for m in e], name="role")
    )
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie: rotating it signs out every session of this user.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Two-factor sign-in (charity.auth.totp): the TOTP secret, sealed under the installation
    # key; set but not yet enabled while the user is enrolling.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_enabled_at: Mapped[dt.datetime | None]
    # The last 30-second step whose code was accepted: a code is good once (no replay).
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]

    organization: Mapped[Organization | None] = relationship()
    points: Mapped[list[CharityPoint]] = relationship(
        secondary=user_point, order_by=CharityPoint.name
    )

    __table_args__ = (
        sa.CheckConstraint("role = 'admin' OR organization_id IS NOT NULL", name="org_unless_admin"),
    )

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def point_ids(self) -> set[int]:
        return {p.id for p in self.points}

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginAttempt(Base):
    """One sign-in attempt, for throttling across every worker process (charity.auth.throttle).

    Never the password typed; the address only as an HMAC under the installation key.
    """
    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    # As typed, normalised (stripped, lower case), whether or not such an account exists.
    username: Mapped[str] = mapped_column(sa.String(64))
    address_hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    success: Mapped[bool]
    # "password" or "code" (the second step of a two-factor sign-in).
    step: Mapped[str] = mapped_column(sa.String(16))

    __table_args__ = (
        sa.Index("ix_login_attempt_username_at", "username", "at"),
        sa.Index("ix_login_attempt_address_at", "address_hash", "at"),
    )
