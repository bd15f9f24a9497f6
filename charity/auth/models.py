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
    # Part of the login cookie: rotating it signs out every session of this user (each
    # session also has its own row, UserSession, which signing out ends).
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

    # The key of the session this request runs in (charity.auth.sessions), set when the
    # session is opened or its cookie is read: not a column, never stored.
    session_key = None

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """What the session cookie and the remember-me cookie carry: the user, the user's
        session generation and this session's key ("id:token:key")."""
        return f"{self.id}:{self.session_token}:{self.session_key or ''}"

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


class UserSession(Base):
    """One signed-in session (one browser): ended on the server by signing out, by "sign out
    everywhere", or by its expiry. The cookies carry a random key; only its SHA-256 is kept,
    so a copy of the database opens no session."""
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # "Keep me signed in": the remember-me cookie may reopen it until `expires_at`; a session
    # not kept ends after the configured hours without a request (charity.auth.sessions).
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    # "sign_out", "everywhere"
    end_reason: Mapped[str] = mapped_column(sa.String(16), default="")


class RateHit(Base):
    """One counted use of a limited public action (a wish claim, a drop-off pre-registration,
    a pre-registration lookup), for limits that hold across every worker process
    (charity.auth.throttle.count_hits). The address only as a keyed hash, never in clear."""
    __tablename__ = "rate_hit"
    __table_args__ = (sa.Index("ix_rate_hit_bucket_address_at", "bucket", "address_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(sa.String(32))  # what was done, e.g. "wish_claim"
    address_hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
