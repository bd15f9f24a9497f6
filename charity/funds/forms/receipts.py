"""The receipt screens' void form, status labels and paper sizes."""
from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from charity.core.i18n import _l
from charity.funds.models import ReceiptStatus
from charity.web.access import show_domain_error
from charity.web.forms import strip

PAPERS = ("a4", "80", "58")
STATUS_LABELS = {ReceiptStatus.ISSUED.value: _l("Issued"),
                 ReceiptStatus.VOIDED.value: _l("Voided")}


class VoidForm(FlaskForm):
    reason = TextAreaField(_l("Reason for voiding"), filters=[strip],
                           validators=[DataRequired(_l("Say why the receipt is voided.")),
                                       Length(max=500)])

    def show_error(self, error) -> None:
        """A refusal about the reason goes next to it; any other (e.g. already void) above
        the page, since the page no longer shows the void form."""
        if error.field:
            show_domain_error(self, error)
        else:
            flash(error.message, "error")
