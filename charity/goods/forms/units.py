"""The catalogue screen of an item's packaging units (issue 20 §2)."""
from __future__ import annotations

from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional

from charity.core.i18n import _l
from charity.web.forms import PostingForm, strip


class ItemUnitForm(PostingForm):
    name = StringField(_l("Packaging unit"), validators=[Optional(), Length(max=16)],
                       filters=[strip], description=_l("e.g. 箱, 斤, 袋"))
    factor = StringField(_l("Base units in one"), validators=[Optional(), Length(max=20)],
                         filters=[strip], description=_l("e.g. 24 (1 箱 = 24 瓶), 0.5 (1 斤 = "
                                                         "0.5 kg)"))
    shown = BooleanField(_l("Show stock in this unit (e.g. 3 箱 + 5 瓶)"), default=True)

    def data_for_service(self) -> dict:
        return {"name": self.name.data, "factor": self.factor.data, "shown": self.shown.data}
