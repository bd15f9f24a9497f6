"""Amounts in Chinese financial capitals (大写金额) for receipts and reports.

Conventions (see docs/decisions/0004-pdf-rendering.md for the sources):

* Digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟, sections 万亿, money units 元角分.
* A leading ten is written 壹拾 (10 → 壹拾元整, 100,010.50 → 壹拾万零壹拾元伍角):
  the bare 拾 of ordinary speech is the easiest character to forge a digit in
  front of, so receipts and cheques always write 壹拾.
* Zeros: a run of zeros between two non-zero digits of the yuan is written as
  one 零, also across a 万/亿 section boundary (1,004 → 壹仟零肆元整;
  200,001,000 → 贰亿零壹仟元整; 107,000 → 壹拾万零柒仟元整); trailing zeros
  are not written (10,000 → 壹万元整). Where 支付结算办法 allows leaving out
  the 零 at a 万 boundary (its own example: ¥107,000.53 is 壹拾万柒仟元零伍角叁分
  or 壹拾万零柒仟元伍角叁分) we always write it: one rule, no exceptions.
* 整 (会计基础工作规范 第五十二条, 支付结算办法 附一):
  an amount that stops at 元 ends in 整; an amount that stops at 角 may omit
  it, and we do omit it (伍角, not 伍角整); an amount with 分 never takes 整.
* 元 with jiao 0 and fen non-zero writes 零 between them (壹元零壹分).
  When the yuan's units digit is 0 but jiao is not, the 零 is optional and we
  leave it out (壹拾元伍角, not 壹拾元零伍角).
* Zero yuan: no 元 part at all unless the whole amount is zero
  (0.05 → 伍分, 0.50 → 伍角, 0 → 零元整).
* The currency prefix 人民币 is not included; the template writes it.

Money never passes through float: only ``Decimal`` is accepted.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["MAX_AMOUNT", "amount_in_capitals"]

#: The largest amount supported: 10^12 - 0.01 (玖仟玖佰玖拾玖亿…玖角玖分).
MAX_AMOUNT = Decimal("999999999999.99")

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_SECTIONS = ("", "万", "亿")
_CENT = Decimal("0.01")


def amount_in_capitals(amount: Decimal) -> str:
    """Return ``amount`` (yuan) written in Chinese financial capitals.

    Raises ``TypeError`` for anything that is not a ``Decimal`` (floats,
    ints, strings) and ``ValueError`` for NaN/infinity, negative amounts,
    amounts with fractions of a fen (more than two decimals, e.g. 1.005;
    1.230 is fine) and amounts above ``MAX_AMOUNT``.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(
            f"amount must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"amount must be finite, got {amount}")
    if amount < 0:
        raise ValueError(f"amount must not be negative, got {amount}")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount must not exceed {MAX_AMOUNT}, got {amount}")
    # Checked after the range so quantize() cannot overflow the context.
    cents_amount = amount.quantize(_CENT)
    if cents_amount != amount:
        raise ValueError(f"amount has fractions of a fen: {amount}")

    # scaleb is exact: it only moves the exponent.
    yuan, cents = divmod(int(cents_amount.scaleb(2)), 100)
    jiao, fen = divmod(cents, 10)

    if yuan == 0 and cents == 0:
        return "零元整"
    parts = []
    if yuan:
        parts.append(_integer_in_capitals(yuan))
        parts.append("元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    if fen:
        if yuan and not jiao:
            parts.append("零")
        parts.append(_DIGITS[fen] + "分")
    if not fen and not jiao:
        parts.append("整")
    return "".join(parts)


def _integer_in_capitals(number: int) -> str:
    """Write a positive integer below 10^12 in capitals, without a unit."""
    digits = str(number)
    count = len(digits)
    parts: list[str] = []
    zero_pending = False
    section_has_digit = False
    for index, char in enumerate(digits):
        position = count - 1 - index  # 0 for the units digit
        digit = int(char)
        if digit:
            if zero_pending:
                parts.append("零")
                zero_pending = False
            parts.append(_DIGITS[digit] + _UNITS[position % 4])
            section_has_digit = True
        else:
            # The leading digit is never 0, so a zero always follows a
            # written digit; it is written only if another digit follows.
            zero_pending = True
        if position % 4 == 0:
            if section_has_digit:
                parts.append(_SECTIONS[position // 4])
            section_has_digit = False
    return "".join(parts)
