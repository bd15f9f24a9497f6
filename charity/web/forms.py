"""Small helpers shared by the WTForms forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice

from charity.core.idempotency import new_token


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 choice objects (tuples are deprecated there)."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value):
    return value.strip() if isinstance(value, str) else value


def scan_attrs(kind: str, *, param: str | None = None) -> dict[str, str]:
    """`render_kw` for a field the camera can fill (static/js/scan.js adds the scan button):
    kind "ean" (item barcodes: EAN-13/8, UPC), "code" (QR or 1-D codes) or "qr". A QR code
    holding a URL fills the field with the URL's query parameter `param` (default: the
    field's own name) — a drop-off QR carries the intake link `…?code=…`."""
    attrs = {"data-scan": kind, "autocomplete": "off"}
    if param:
        attrs["data-scan-param"] = param
    return attrs


class ConfirmForm(FlaskForm):
    """An empty form: a CSRF-protected button (deactivate, reactivate, publish now)."""


class PostingForm(FlaskForm):
    """A form that posts something, once: it carries a one-time token (charity/web/posting.py)
    that is new each time the form is shown and comes back with the submission, so a double
    click or a resubmitted form posts once. A form built with `formdata=None` is shown, not
    read, and gets a new token too."""

    submission_token = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if kwargs.get("formdata", "from the request") is None or not self.is_submitted():
            self.submission_token.data = new_token()
