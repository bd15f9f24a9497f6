"""Parsing and checking money amounts. Amounts are Decimal end to end, never float."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from charity.core.errors import ValidationFailed
from charity.core.i18n import _l

MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")


def check_amount(value, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive (or zero) amount with at most two decimals, below 10^12; else ValidationFailed."""
    if isinstance(value, float):
        raise TypeError("amounts must not pass through float")
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").lstrip("¥￥")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationFailed(_l("Enter an amount such as 1234.50."), field=field) from None
    if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
        raise ValidationFailed(_l("Enter an amount such as 1234.50."), field=field)
    value = Decimal(value)
    if not value.is_finite():
        raise ValidationFailed(_l("Enter an amount such as 1234.50."), field=field)
    if value.as_tuple().exponent < -2 and value != value.quantize(CENT):
        raise ValidationFailed(_l("At most two decimal places (fen)."), field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationFailed(_l("The amount must be greater than zero."), field=field)
    if value > MAX_AMOUNT:
        raise ValidationFailed(_l("The amount is too large."), field=field)
    return value.quantize(CENT)


def figures(value) -> str:
    """An amount in figures with thousands separators: 1234.5 → '1,234.50'. Takes Decimal,
    int or the decimal strings of a data snapshot; never a float. The one formatting of
    amounts in PDFs (the Jinja filter `figures`, in the app and the PDF environment)."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        raise TypeError("amounts must not pass through float")
    if isinstance(value, str):
        try:
            value = Decimal(value.replace(",", ""))
        except InvalidOperation:
            return value  # not an amount (e.g. "—"): shown as given
    return format(Decimal(value).quantize(CENT), ",.2f")
