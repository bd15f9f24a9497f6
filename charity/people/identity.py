"""Resident ID numbers (GB 11643-1999): checked, then kept only as a keyed hash + last four.

Pure functions: the key is an argument. Views pass the installation's key
(`app.config["CHARITY_ID_HASH_KEY"]`, from the instance folder); callers inside the app that
pass none get it from `charity.core.config.installation_key`.
"""
from __future__ import annotations

import hashlib
import hmac
import re

from charity.core.config import installation_key

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_check_char(body17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(body17, _WEIGHTS, strict=True)) % 11]


def normalize_id(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def is_valid_id(value: str) -> bool:
    value = normalize_id(value)
    return bool(_SHAPE.match(value)) and id_check_char(value[:17]) == value[17]


def make_id(body17: str) -> str:
    """Complete a 17-digit body with its check character (demo data, tests)."""
    return body17 + id_check_char(body17)


def hash_id(value: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the normalised ID under the installation's key (instance folder): it
    finds duplicates without storing the number; without the key it cannot be reversed by
    trying all 10^17 numbers offline."""
    key = key if key is not None else installation_key()
    return hmac.new(key, normalize_id(value).encode(), hashlib.sha256).hexdigest()
