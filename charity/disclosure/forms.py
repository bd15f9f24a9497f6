"""Forms of the staff compliance screens: the progress narrative and the "publish now" button."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length


class NarrativeForm(FlaskForm):
    text = TextAreaField(validators=[Length(max=5000)])

