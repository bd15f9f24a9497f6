"""The rules of a complaint's life, in one place: steps, deadlines, tracking numbers.

Pure functions and constants; nothing here touches the database.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from charity.complaints.models import ComplaintChannel, ComplaintStatus as S
from charity.core.i18n import _l

# Default categories every organisation starts with (the list), all on the public form.
DEFAULT_CATEGORIES = ("物资去向", "善款使用", "信息公开", "服务态度", "其他")

# Deadlines, in calendar days from the day of submission (in the organisation's time zone).
# They are copied onto each complaint when it arrives.
DEADLINE_DAYS = {
    S.ACCEPTED: 1,
    S.DISPATCHED: 3,
    S.HANDLED: 7,
    S.ANSWERED: 15,
    S.CLOSED: 20,
}
# The column holding each step's deadline on the complaint.
DUE_COLUMN = {S.ACCEPTED: "accept_due", S.DISPATCHED: "dispatch_due",
              S.HANDLED: "handle_due", S.ANSWERED: "answer_due", S.CLOSED: "close_due"}
# The stamps each step leaves: (time column, person column).
STAMPS = {S.ACCEPTED: ("accepted_at", "accepted_by_id"),
          S.DISPATCHED: ("dispatched_at", "dispatched_by_id"),
          S.HANDLED: ("handled_at", "handled_by_id"),
          S.ANSWERED: ("answered_at", "answered_by_id"),
          S.CLOSED: ("closed_at", "closed_by_id")}

# The permission each step needs (checked with the complaint: see charity.auth.permissions).
STEP_PERMISSIONS = {S.ACCEPTED: "complaints.manage", S.DISPATCHED: "complaints.manage",
                    S.HANDLED: "complaints.handle", S.ANSWERED: "complaints.manage",
                    S.CLOSED: "complaints.manage"}

# The one legal next step from each state (None: the life is over).
ORDER = [S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.HANDLED, S.ANSWERED, S.CLOSED]
NEXT = {state: (ORDER[i + 1] if i + 1 < len(ORDER) else None) for i, state in enumerate(ORDER)}
STEPS = ORDER[1:]

# Public form abuse limits.
RATE_LIMIT = 5  # complaints per address …
RATE_WINDOW = dt.timedelta(hours=1)  # … within this time
# A robot posts the instant it loads the form; a person with the browser's autofill needs
# about 0.7 s (a real complaint was refused at 3 s), so only faster than this is refused.
MIN_FILL_SECONDS = 0.4
MAX_FILL_SECONDS = 8 * 3600  # a form older than this is stale (like the CSRF token)

TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
TRACKING_LENGTH = 12  # 31^12 ≈ 7.9e17 numbers: not guessable

CHANNELS = tuple(ComplaintChannel)


def deadlines(submitted_on: dt.date) -> dict[str, dt.date]:
    """The due date of every step of a complaint submitted on `submitted_on`."""
    return {DUE_COLUMN[step]: submitted_on + dt.timedelta(days=days)
            for step, days in DEADLINE_DAYS.items()}


def next_step(status: S) -> S | None:
    return NEXT[S(status)]


def is_overdue(complaint, today: dt.date) -> bool:
    """Is the step the complaint waits for past its deadline?"""
    step = next_step(complaint.status)
    return step is not None and getattr(complaint, DUE_COLUMN[step]) < today


def new_tracking_no() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def format_tracking_no(number: str) -> str:
    """ABCD-EFGH-JKMN: groups of four are easier to read out and copy."""
    return "-".join(number[i:i + 4] for i in range(0, len(number), 4))


def normalize_tracking_no(text: str | None) -> str:
    """What the person typed, without spaces and dashes, in capitals; ambiguous letters read
    as the digit they look like (O → 0 is not in the alphabet, so it is simply not found)."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return cleaned[:TRACKING_LENGTH + 4]


def address_hash(address: str | None, key: bytes) -> str:
    """HMAC-SHA256 of the remote address under the installation key."""
    return hmac.new(key, b"complaint-address:" + (address or "").encode(),
                    hashlib.sha256).hexdigest()


# Labels (lazy: rendered in the reader's language).
STATUS_LABELS = {S.SUBMITTED: _l("Submitted"), S.ACCEPTED: _l("Accepted"),
                 S.DISPATCHED: _l("Dispatched"), S.HANDLED: _l("Handled"),
                 S.ANSWERED: _l("Answered"), S.CLOSED: _l("Closed")}
STEP_LABELS = {S.ACCEPTED: _l("Accept"), S.DISPATCHED: _l("Dispatch"), S.HANDLED: _l("Record handling"),
               S.ANSWERED: _l("Answer"), S.CLOSED: _l("Close")}
CHANNEL_LABELS = {ComplaintChannel.ONLINE: _l("Online complaints"),
                  ComplaintChannel.WORK_ORDER: _l("Work orders"),
                  ComplaintChannel.HOTLINE: _l("Hotline complaints")}
