"""The money feature's forms, one module per screen family: `campaigns` (campaigns and
projects), `ledger`, `noncash` and `receipts`.

`PostedOnce` is the base of every form that posts something: it carries the one-time token
that makes a double click or a resubmitted form post once (charity/web/posting.py).
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

from charity.core.idempotency import new_token


class PostedOnce(FlaskForm):
    """A form posted once, whatever the number of clicks: it carries a one-time token."""

    submission_token = HiddenField()

    @classmethod
    def fresh(cls, **kwargs):
        """The form as first shown (not read from the request), with a new token."""
        form = cls(formdata=None, **kwargs)
        form.submission_token.data = new_token()
        return form
