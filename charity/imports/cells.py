"""Reading one spreadsheet cell as a typed value, or refusing it with a message.

A parser takes what openpyxl read (str, int, float, bool, datetime or None) and returns the
clean value, or raises `CellError`. Numbers a spreadsheet stores as floats become Decimal
through their shortest decimal text ("12.5"), never through binary arithmetic."""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.core.money import check_amount

Parser = Callable[[Any], Any]
YES = ("是", "yes", "y", "true", "1", "√")
NO = ("否", "no", "n", "false", "0", "")
# A list cell ("低保、残疾人"): the separators people type in Chinese and in English.
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")


class CellError(ValueError):
    """The cell's value is refused; `message` says why (shown next to the row and column)."""

    def __init__(self, message, column: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Column:
    """One column of a kind's sheet: its key, its header (English msgid; the template writes
    the Chinese), how a cell is read, an example for the template's sample row, and the
    drop-down choices (a callable taking the session) when the template offers a list."""

    key: str
    header: Any
    parse: Parser
    required: bool = False
    sample: Any = ""
    choices: Callable | None = None
    width: int = 14
    compare: bool = True
    show: Callable | None = None  # the stored value as the export writes it


def _number_text(value) -> str:
    if isinstance(value, bool):
        raise CellError(_l("Enter a number."))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(_l("Enter a number."))
        return repr(value)
    return str(value).strip().replace(",", "").replace("，", "")


def text(max_length: int) -> Parser:
    def parse(value) -> str:
        if value is None:
            return ""
        if isinstance(value, (dt.date, dt.datetime)):
            raise CellError(_l("Enter text, not a date."))
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number typed as a number
        out = str(value).strip()
        if len(out) > max_length:
            raise CellError(_l("At most %(n)d characters.", n=max_length))
        return out
    return parse


def phone(value) -> str:
    out = text(50)(value).replace(" ", "")
    if out and not re.fullmatch(r"\+?[0-9][0-9-]{2,49}", out):
        raise CellError(_l("Enter a phone number (digits only)."))
    return out


def yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    raw = "" if value is None else _number_text(value).lower()
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise CellError(_l("Enter 是 or 否."))


def whole(low: int, high: int, default: int | None = None) -> Parser:
    def parse(value) -> int:
        if value in (None, "") and default is not None:
            return default
        try:
            number = Decimal(_number_text(value))
        except (InvalidOperation, CellError):
            raise CellError(_l("Enter a whole number.")) from None
        if number != number.to_integral_value() or not low <= number <= high:
            raise CellError(_l("Enter a whole number from %(low)d to %(high)d.", low=low,
                               high=high))
        return int(number)
    return parse


def amount(optional: bool = True, allow_zero: bool = True) -> Parser:
    def parse(value) -> Decimal | None:
        if value in (None, "") and optional:
            return None
        try:
            return check_amount(_number_text(value), allow_zero=allow_zero)
        except ValidationFailed as refused:
            raise CellError(refused.message) from None
    return parse


def quantity(optional: bool = False) -> Parser:
    def parse(value) -> Decimal | None:
        if value in (None, "") and optional:
            return None
        try:
            number = Decimal(_number_text(value))
        except (InvalidOperation, CellError):
            raise CellError(_l("Enter a quantity such as 12 or 2.5.")) from None
        if not number.is_finite() or number <= 0 or number >= 10**9:
            raise CellError(_l("Enter a quantity greater than zero."))
        if number != number.quantize(Decimal("0.001")):
            raise CellError(_l("At most three decimal places."))
        return number.normalize() + 0
    return parse


def date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise CellError(_l("Enter a date such as 2026-12-31.")) from None


def choice(labels: Callable[[], dict], required: bool = True) -> Parser:
    """One of a list: `labels()` maps every accepted spelling (Chinese label, English label,
    code) to the stored value."""
    def parse(value):
        raw = text(100)(value)
        if not raw and not required:
            return None
        found = labels().get(raw.lower()) if raw else None
        if found is None:
            raise CellError(_l("Not in the list: %(value)s.", value=raw or "—"))
        return found
    return parse


def yes_no_text(value) -> str:
    return "是" if value else "否"


def labelled(labels: dict) -> Callable:
    """Show a stored code (or a list of codes) as its Chinese label(s), joined by 、."""
    from charity.imports.spelling import chinese

    def show(value):
        if isinstance(value, (list, tuple)):
            return "、".join(chinese(labels.get(v, v)) for v in value)
        return chinese(labels.get(value, value)) if value is not None else ""
    return show


def choices_list(labels: Callable[[], dict], required: bool = True) -> Parser:
    """Several of a list in one cell, separated by 、 or commas; stored sorted, unique."""
    one = choice(labels)

    def parse(value) -> list:
        parts = [p for p in LIST_SEPARATORS.split(text(300)(value)) if p]
        if not parts and required:
            raise CellError(_l("Choose at least one."))
        return sorted({one(p) for p in parts})
    return parse
