"""A signed form-render time: robots that post a form the instant they load it are refused.

The public complaint form carries the time it was rendered, signed with the app's secret
key; a post that comes back sooner than a person could fill the form in, or with a stamp that
was tampered with or is stale, is refused. Nothing is kept on the server, so it works across
any number of app processes.
"""
from __future__ import annotations

import time

from itsdangerous import BadSignature, URLSafeSerializer

from charity.complaints.rules import MAX_FILL_SECONDS, MIN_FILL_SECONDS

SALT = "complaint-form-rendered"

OK, TOO_FAST, STALE, INVALID = "ok", "too_fast", "stale", "invalid"


def make_stamp(secret_key: str, now: float | None = None) -> str:
    """The render time in milliseconds (whole seconds would make a 0.7-s fill look up to a
    second older or younger than it was)."""
    now = now if now is not None else time.time()
    return URLSafeSerializer(secret_key, salt=SALT).dumps(round(now * 1000))


def check_stamp(secret_key: str, stamp: str | None, now: float | None = None,
                min_seconds: float = MIN_FILL_SECONDS,
                max_seconds: float = MAX_FILL_SECONDS) -> str:
    """OK, TOO_FAST, STALE or INVALID for the stamp a form came back with."""
    try:
        rendered = URLSafeSerializer(secret_key, salt=SALT).loads(stamp or "")
    except BadSignature:
        return INVALID
    if not isinstance(rendered, int):
        return INVALID
    age = (now if now is not None else time.time()) - rendered / 1000
    if age < min_seconds:
        return TOO_FAST
    if age > max_seconds:
        return STALE
    return OK
