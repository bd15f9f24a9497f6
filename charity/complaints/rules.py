"""The rules of a complaint's life, in one place: steps, deadlines, tracking numbers.

Pure functions and constants; nothing here touches the database.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from charity.complaints.models import ComplaintChannel, ComplaintStatus as S
from charity.complaints.workdays import WEEKENDS_ONLY, Calendar, add_working_days
from charity.core.i18n import _l

# Default categories every organisation starts with (the list), all on the public form.
DEFAULT_CATEGORIES = ("物资去向", "善款使用", "信息公开", "服务态度", "其他")

# Deadlines, in working days after the day of arrival (in the organisation's time zone), on
# the installation's working-day calendar (charity.complaints.workdays). The 12345 rules set
# two limits per category — accept within 1 working day, answer within 5 or 15 (the category's
# `accept_days` / `answer_days`, defaults below); the steps between get a share of the answer
# time and closing (after the call-back) gets CALLBACK_DAYS more. They are copied onto each
# complaint when it arrives: changing a category's limits later moves no filed deadline.
ACCEPT_DAYS = 1
ANSWER_DAYS = 15
DISPATCH_AFTER_ACCEPT = 2  # working days after the accept limit (never past the answer)
HANDLE_BEFORE_ANSWER = 2  # handled this many working days before the answer is due
CALLBACK_DAYS = 5  # answered → call-back and close
ANSWER_DAYS_CHOICES = (5, 15)
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


def step_days(accept_days: int = ACCEPT_DAYS, answer_days: int = ANSWER_DAYS) -> dict:
    """Working days after arrival within which each step is due."""
    dispatch = min(accept_days + DISPATCH_AFTER_ACCEPT, answer_days)
    return {S.ACCEPTED: accept_days, S.DISPATCHED: dispatch,
            S.HANDLED: max(answer_days - HANDLE_BEFORE_ANSWER, dispatch),
            S.ANSWERED: answer_days, S.CLOSED: answer_days + CALLBACK_DAYS}


def deadlines(submitted_on: dt.date, calendar: Calendar = WEEKENDS_ONLY,
              category=None) -> dict[str, dt.date]:
    """The due date of every step of a complaint that arrived on `submitted_on` in
    `category` (its limits; the defaults without one)."""
    days = step_days(getattr(category, "accept_days", None) or ACCEPT_DAYS,
                     getattr(category, "answer_days", None) or ANSWER_DAYS)
    return {DUE_COLUMN[step]: add_working_days(submitted_on, n, calendar)
            for step, n in days.items()}


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
