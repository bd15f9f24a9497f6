"""Unified social credit code (统一社会信用代码), GB 32100-2015."""
from __future__ import annotations

import re
import unicodedata

# The 31 characters of GB 32100-2015 (no I, O, S, V, Z) and their values.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, ...
# [0-9], not \d: \d also matches other scripts' digits, which have no value here.
_SHAPE = re.compile(r"^[1-9A-HJ-NP-RTUWXY][1-9A-HJ-NP-RTUWXY][0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$")


def check_char(body17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(_VALUE[ch] * w for ch, w in zip(body17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    # NFKC: a Chinese input method often types full-width characters (９１３５…).
    return unicodedata.normalize("NFKC", code or "").strip().upper().replace(" ", "")


def is_valid(code: str) -> bool:
    """True when `code` has the GB 32100-2015 shape and its check character matches."""
    code = normalize(code)
    if not _SHAPE.match(code):
        return False
    return check_char(code[:17]) == code[17]


def make(body17: str) -> str:
    """Complete a 17-character body with its check character (for demo data and tests)."""
    return body17 + check_char(body17)
