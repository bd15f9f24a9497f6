"""Small helpers shared by the WTForms forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, HiddenField, SelectChoice

from charity.core.idempotency import new_token


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 choice objects (tuples are deprecated there)."""
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value):
    """Coerce for an optional select: "" (the "none" choice) becomes None; other text must be
    a whole number (WTForms answers "not a valid choice" otherwise)."""
    if value in (None, ""):
        return None
    return int(value)


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


def error_summary(form) -> list[dict]:
    """Every field error of a submitted form, in the order of the form, as
    {"id", "label", "message"}: the summary at the top of a posting form links each one to its
    input (a line's field is labelled with its line number)."""
    from flask_babel import gettext as _

    out: list[dict] = []
    _collect_errors(form, "", out)
    # Refusals about the lines as a whole (counter forms) are shown above the lines.
    out += [{"id": "lines-error", "label": _("Goods"), "message": str(message)}
            for message in getattr(form, "line_errors", None) or []]
    return out


def _collect_errors(form, prefix: str, out: list[dict]) -> None:
    from flask_babel import gettext as _

    for field in form:
        if isinstance(field, FieldList):
            for i, entry in enumerate(field.entries):
                sub = getattr(entry, "form", None)
                if sub is not None:
                    _collect_errors(sub, _("Line %(n)d", n=i + 1) + " · ", out)
                elif entry.errors:
                    out.append(_error(entry, prefix))
        elif isinstance(field, FormField):
            _collect_errors(field.form, prefix, out)
        elif field.errors and isinstance(field.errors, (list, tuple)):
            out.append(_error(field, prefix))


def _error(field, prefix: str) -> dict:
    return {"id": field.id, "label": prefix + str(field.label.text),
            "message": " ".join(str(e) for e in field.errors)}
