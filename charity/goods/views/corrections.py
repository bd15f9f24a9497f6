"""Correcting a posted document from its screen (intake, distribution): one form, the
reason; the service reverses it."""
from __future__ import annotations

from flask_login import current_user

from charity.core.extensions import db
from charity.web.posting import post_form


def post_correction(form, reverse, document, message: str, url: str):
    """Reverse `document` with `reverse(actor, session, document, reason)` for the reason
    the form gives; the redirect to `url`, or None to show the form again with the refusal."""
    if not form.validate_on_submit():
        return None
    return post_form(form, lambda: reverse(current_user, db.session, document, form.reason.data),
                     success=lambda _document: (message, url), fallback=url)
