"""Amounts in Chinese financial capitals (大写金额)."""

import random
import re
from decimal import Decimal

import pytest

from charity.reports.capitals import MAX_AMOUNT, amount_in_capitals

DIGITS = "零壹贰叁肆伍陆柒捌玖"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # The cases from the brief.
        ("1004.00", "壹仟零肆元整"),
        ("10000.00", "壹万元整"),
        ("100010.50", "壹拾万零壹拾元伍角"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("100000000.00", "壹亿元整"),
        ("1000000001.01", "壹拾亿零壹元零壹分"),
        # 整 only when the amount stops at 元; not after 角, never after 分.
        ("1.00", "壹元整"),
        ("1.50", "壹元伍角"),
        ("1.05", "壹元零伍分"),
        ("1.55", "壹元伍角伍分"),
        ("0.50", "伍角"),
        ("0.55", "伍角伍分"),
        ("0.01", "壹分"),
        ("0.10", "壹角"),
        ("0.00", "零元整"),
        # Examples of 支付结算办法 附一 (正确填写票据和结算凭证的基本规定).
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        # 107,000.53: the rules allow 壹拾万柒仟元零伍角叁分 or 壹拾万零柒仟元伍角叁分;
        # we write the 零 inside the integer part and none after 元.
        ("107000.53", "壹拾万零柒仟元伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        # 壹拾 is written out, also at the head of a section.
        ("10", "壹拾元整"),
        ("11", "壹拾壹元整"),
        ("19.90", "壹拾玖元玖角"),
        ("110000", "壹拾壹万元整"),
        ("100000000000", "壹仟亿元整"),
        ("1000000000", "壹拾亿元整"),
        ("100000", "壹拾万元整"),
        # Zeros inside a section collapse to one 零, trailing zeros vanish.
        ("101", "壹佰零壹元整"),
        ("1001", "壹仟零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("1100", "壹仟壹佰元整"),
        ("100", "壹佰元整"),
        ("120", "壹佰贰拾元整"),
        # Zeros across a 万 / 亿 boundary.
        ("10001", "壹万零壹元整"),
        ("10010", "壹万零壹拾元整"),
        ("10100", "壹万零壹佰元整"),
        ("11000", "壹万壹仟元整"),
        ("101000", "壹拾万零壹仟元整"),
        ("1000100", "壹佰万零壹佰元整"),
        ("200001000", "贰亿零壹仟元整"),
        ("100100000", "壹亿零壹拾万元整"),
        ("101000000", "壹亿零壹佰万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("120000000000", "壹仟贰佰亿元整"),
        ("100000000000.01", "壹仟亿元零壹分"),
        ("300000000000.30", "叁仟亿元叁角"),
        # Every digit.
        ("987654321.09", "玖亿捌仟柒佰陆拾伍万肆仟叁佰贰拾壹元零玖分"),
        ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        # Representation does not matter, only the value.
        ("1.230", "壹元贰角叁分"),
        ("1E+3", "壹仟元整"),
        ("5.000000", "伍元整"),
        ("-0", "零元整"),
        ("-0.00", "零元整"),
    ],
)
def test_amount_in_capitals(amount, expected):
    assert amount_in_capitals(Decimal(amount)) == expected


def test_maximum_is_just_below_a_trillion():
    assert MAX_AMOUNT == Decimal(10) ** 12 - Decimal("0.01")
    assert amount_in_capitals(MAX_AMOUNT).startswith("玖仟玖佰玖拾玖亿")


@pytest.mark.parametrize("amount", [1.5, 1, 0, True, "1.00", None, 10**3])
def test_refuses_everything_but_decimal(amount):
    # Money never passes through float; ints and strings are refused too so a
    # caller cannot get a different answer by accident of type.
    with pytest.raises(TypeError, match="Decimal"):
        amount_in_capitals(amount)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-0.01", "negative"),
        ("-1", "negative"),
        ("-1000000", "negative"),
        ("1.005", "fen"),
        ("0.001", "fen"),
        ("1E-30", "fen"),
        ("12.3456", "fen"),
        ("1000000000000", "exceed"),
        ("999999999999.991", "exceed"),
        ("1E+100", "exceed"),
        ("NaN", "finite"),
        ("sNaN", "finite"),
        ("Infinity", "finite"),
        ("-Infinity", "finite"),
    ],
)
def test_refuses_out_of_range_amounts(amount, message):
    with pytest.raises(ValueError, match=message):
        amount_in_capitals(Decimal(amount))


# --- property checks: parse the capitals back and compare ------------------

def parse_capitals(text: str) -> Decimal:
    """Independent reader of 大写 amounts (the inverse, for the tests only)."""
    if text == "零元整":
        return Decimal(0)
    text = text.removesuffix("整")
    integer_text, _, fraction_text = text.rpartition("元")
    total = section = digit = 0
    for char in integer_text:
        if char in DIGITS:
            digit = DIGITS.index(char)
        elif char in "拾佰仟":
            section += digit * {"拾": 10, "佰": 100, "仟": 1000}[char]
            digit = 0
        elif char == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        elif char == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {char!r} in {text!r}")
    yuan = total + section + digit
    cents = 0
    for match in re.finditer(r"([壹贰叁肆伍陆柒捌玖])([角分])", fraction_text):
        cents += DIGITS.index(match[1]) * (10 if match[2] == "角" else 1)
    return Decimal(yuan) + Decimal(cents) / 100


def assert_well_formed(text: str, amount: Decimal) -> None:
    if amount == 0:
        assert text == "零元整"
        return
    assert "零零" not in text
    for unit in "元万亿角":
        assert f"零{unit}" not in text, text
    assert not text.endswith("零"), text
    # Every 拾 has its digit (壹拾, never a bare 拾).
    assert all(text[i - 1] in DIGITS[1:] for i, c in enumerate(text) if c == "拾"), text
    cents = int(amount * 100) % 100
    if cents == 0:
        assert text.endswith("元整")
    else:
        assert "整" not in text
    if amount >= 1:
        assert not text.startswith("零")


def zero_patterns():
    """Every integer of up to 12 digits made of 0 and 5 (all zero layouts)."""
    for mask in range(1, 2**12):
        yield int(f"{mask:b}".replace("1", "5"))


def test_round_trip_for_every_layout_of_zeros():
    for yuan in zero_patterns():
        for cents in ("00", "05", "50", "55"):
            amount = Decimal(f"{yuan}.{cents}")
            text = amount_in_capitals(amount)
            assert parse_capitals(text) == amount, (amount, text)
            assert_well_formed(text, amount)


def test_round_trip_for_random_amounts():
    rng = random.Random(20240501)
    for _ in range(3000):
        digits = rng.randint(1, 14)
        amount = Decimal(rng.randrange(10**digits)) / 100
        text = amount_in_capitals(amount)
        assert parse_capitals(text) == amount, (amount, text)
        assert_well_formed(text, amount)
