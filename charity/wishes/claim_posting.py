"""Posting a public claim once: the one-time token, the claim, the commit.

`charity.web.posting.post_form` does this for staff forms, whose result is an object with an
id and whose refusals are flashed. The public claim form differs on both counts: its result
is the claim reference (the claimant's next page is /wishes/claimed/<ref>), and the page
must answer 409 when someone else was quicker. So the same dance, for that one form.
"""
from __future__ import annotations

from charity.core.db import run_transaction
from charity.core.extensions import db
from charity.core.idempotency import AlreadySubmitted, claim, record_result
from charity.wishes import services

RESULT_PREFIX = "wishclaim:"


def post_claim(token: str | None, wish_id: int, name: str, phone: str) -> tuple[str, bool]:
    """Claim the wish for this form's token and commit: (reference, True). A form sent
    again claims nothing: (the first submission's reference or "", False). Refusals
    (`services.WishNotOpen`, other DomainErrors) propagate, rolled back."""
    def work():
        row = claim(db.session, token, None)
        ref = services.claim_wish(db.session, wish_id, name, phone)
        record_result(row, f"{RESULT_PREFIX}{ref}")
        return ref

    try:
        return run_transaction(db.session, work), True
    except AlreadySubmitted as done:
        return (done.result or "").removeprefix(RESULT_PREFIX), False
