"""The reason for correcting (reversing) a posted intake or distribution."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from charity.core.i18n import _l
from charity.web.forms import strip


def _reason(required_message=None) -> TextAreaField:
    return TextAreaField(_l("Reason for the correction"),
                         validators=[DataRequired(required_message), Length(max=500)],
                         filters=[strip])


class ReverseForm(FlaskForm):
    """Why a posted intake is corrected."""

    reason = _reason(_l("Say why the document is corrected."))


class DistributionReverseForm(FlaskForm):
    """Why a posted distribution is corrected (an empty reason gets WTForms' own answer)."""

    reason = _reason()
