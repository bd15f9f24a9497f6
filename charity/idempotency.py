"""One-time form tokens: a posting form posts once, however often it is submitted."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.funds.models import SubmissionToken


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
