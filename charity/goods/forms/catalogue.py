"""Forms of the catalogue: an item type, a kind of goods the points do not accept."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from charity.core.i18n import _l
from charity.goods.quantities import plain_qty
from charity.web.forms import scan_attrs, strip


def _text(value) -> str:
    return "" if value is None else format(value, "f")


class ItemTypeForm(FlaskForm):
    organization_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip])
    category_id = SelectField(_l("Category"), choices=[], validators=[DataRequired()])
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=16)],
                       filters=[strip], description=_l("e.g. 件, 袋, kg"))
    countable = BooleanField(_l("Counted in whole numbers"), default=True)
    default_fair_value = StringField(_l("Default fair value per unit (yuan)"),
                                     validators=[Optional(), Length(max=20)], filters=[strip],
                                     description=_l("Prefilled at intake; the basis of "
                                                    "receipts."))
    point_price = StringField(_l("Price in love points (爱心积分)"),
                              validators=[Optional(), Length(max=7)], filters=[strip])
    sale_price = StringField(_l("Charity-sale price (yuan)"),
                             validators=[Optional(), Length(max=20)], filters=[strip])
    perishable = BooleanField(_l("Food with an expiry date (checked at intake)"))
    barcode = StringField(_l("Barcode"), validators=[Optional(), Length(max=64)],
                          filters=[strip], render_kw=scan_attrs("ean"))
    monthly_limit = StringField(_l("Most a household may receive per month"),
                                validators=[Optional(), Length(max=12)], filters=[strip],
                                description=_l("Empty: no limit."))

    def validate_monthly_limit(self, field):
        if not field.data:
            return
        try:
            value = Decimal(field.data)
        except InvalidOperation:
            raise ValidationError(_l("Enter a number.")) from None
        if not value.is_finite() or value <= 0 or value > 100000 \
                or value.as_tuple().exponent < -3:
            raise ValidationError(_l("Enter a quantity greater than zero."))

    def show_item(self, item) -> None:
        """The stored item, with its amounts and quantities as one would type them."""
        self.category_id.data = str(item.category_id)
        self.default_fair_value.data = _text(item.default_fair_value)
        self.sale_price.data = _text(item.sale_price)
        self.point_price.data = str(item.point_price)
        self.monthly_limit.data = plain_qty(item.monthly_limit)
        self.barcode.data = item.barcode or ""

    def data_for_service(self) -> dict:
        return {"name": self.name.data, "category_id": self.category_id.data,
                "unit": self.unit.data, "countable": bool(self.countable.data),
                "default_fair_value": self.default_fair_value.data or "",
                "point_price": self.point_price.data or "0",
                "sale_price": self.sale_price.data or "",
                "perishable": bool(self.perishable.data), "barcode": self.barcode.data or "",
                "monthly_limit": self.monthly_limit.data or ""}


class RefusedGoodForm(FlaskForm):
    organization_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    name = StringField(_l("Goods not accepted"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip], description=_l("e.g. 内衣, 开封食品, 过期药品"))
    reason = TextAreaField(_l("Reason told to the donor"),
                           validators=[DataRequired(), Length(max=300)], filters=[strip])
