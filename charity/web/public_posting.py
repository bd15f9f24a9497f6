"""Posting a public form (no sign-in): `charity.web.posting.post_form` for the anonymous.

`post_form` claims the one-time token for the signed-in user and remembers what a form
posted by its id. The public forms (a drop-off pre-registration, a complaint) are sent by
nobody in particular and answer with a public code instead — the drop-off code, the
tracking number — so a form sent again is led to the first one's code. Refusals
(`DomainError`) propagate: the view shows them on the form with its own status code.
Robots are kept out by a honeypot field, `website`, that people never see.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from flask_babel import gettext as _

from charity.core.db import run_transaction
from charity.core.extensions import db
from charity.core.idempotency import AlreadySubmitted, claim, record_result

T = TypeVar("T")


def post_public_form(token: str | None, work: Callable[[], T], *, kind: str,
                     code: Callable[[T], str]) -> tuple[T | None, str]:
    """Run `work()` once for the form's one-time `token` and commit.

    Returns what it posted and its public `code(obj)`; for a form sent again, (None, the
    first submission's code) — the code is "" when nothing was recorded. The result is kept
    as "<kind>:<code>".
    """
    def unit():
        claimed = claim(db.session, token, None)
        obj = work()
        record_result(claimed, f"{kind}:{code(obj)}")
        return obj

    try:
        obj = run_transaction(db.session, unit)
    except AlreadySubmitted as done:
        db.session.rollback()
        return None, (done.result or "").removeprefix(f"{kind}:")
    return obj, code(obj)


def robot_refused(form) -> bool:
    """True, with the message on the form, when the honeypot field `website` (hidden from
    people by the stylesheet) was filled in: a robot sent the form, nothing is saved."""
    if not form.website.data:
        return False
    form.form_errors.append(_("The form could not be sent. Please try again."))
    return True
