"""One-time form tokens: a posting form posts once, however often it is submitted."""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from charity.core.db import Base, utcnow


class SubmissionToken(Base):
    """A one-time token carried by a posting form: a double click or a resubmitted form
    finds its token used and is shown the first result instead of posting again."""

    __tablename__ = "submission_token"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    used_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    result: Mapped[str] = mapped_column(sa.String(200), default="")


class AlreadySubmitted(Exception):
    """The token was used before; `result` says what the first submission produced."""

    def __init__(self, result: str):
        super().__init__(result)
        self.result = result


def new_token() -> str:
    return secrets.token_urlsafe(24)


def claim(session: Session, token: str | None, user_id: int | None) -> SubmissionToken | None:
    """Mark `token` used inside the caller's transaction (so a failed posting frees it again).

    Raises AlreadySubmitted when it was used. With no token (CLI, jobs) nothing is claimed.
    """
    if not token:
        return None
    token = token[:64]
    existing = session.get(SubmissionToken, token)
    if existing is not None:
        raise AlreadySubmitted(existing.result)
    row = SubmissionToken(token=token, user_id=user_id)
    try:
        with session.begin_nested():
            session.add(row)
    except sa.exc.IntegrityError:
        # A concurrent request with the same token committed first.
        existing = session.get(SubmissionToken, token, populate_existing=True)
        raise AlreadySubmitted(existing.result if existing else "") from None
    return row


def record_result(row: SubmissionToken | None, result: str) -> None:
    if row is not None:
        row.result = result
