"""The upload form of the import screen and the confirmation of a preview."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from charity.core.i18n import _l
from charity.web.forms import PostingForm


def _optional_id(value):
    text = "" if value is None else str(value)
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None


class UploadForm(PostingForm):
    kind = SelectField(_l("What the sheet holds"), choices=[])
    organization_id = SelectField(_l("Organisation"), coerce=_optional_id, choices=[],
                                  validate_choice=False)
    point_id = SelectField(_l("Charity point"), coerce=_optional_id, choices=[],
                           validate_choice=False,
                           description=_l("Only for opening stock: the point whose shelves "
                                          "the sheet counts."))
    file = FileField(_l("XLSX file"), validators=[FileRequired(_l("Choose a file."))],
                     render_kw={"accept": ".xlsx,application/vnd.openxmlformats-"
                                          "officedocument.spreadsheetml.sheet"})


class ConfirmImportForm(PostingForm):
    """The preview's "import now" button (a one-time token: a double click imports once)."""
