"""The spellings of a label in every language of the installation (English msgid and the
zh_CN catalogue), read without a request: a sheet exported in English or Chinese, or a
template, is read the same way."""
from __future__ import annotations

from functools import lru_cache

from babel.support import Translations

from charity.core.i18n import TRANSLATIONS_DIR

CATALOGUE_LOCALE = "zh_CN"


@lru_cache(maxsize=1)
def _catalogue() -> Translations:
    return Translations.load(str(TRANSLATIONS_DIR), [CATALOGUE_LOCALE])


def msgid(label) -> str:
    """The English msgid of a lazy label (or the text itself)."""
    args = getattr(label, "_args", None)
    return args[0] if args else str(label)


def chinese(label) -> str:
    """The label in Chinese, whatever the current locale (templates have Chinese headers)."""
    return _catalogue().gettext(msgid(label))


def spellings(label) -> set[str]:
    """Every accepted spelling of `label`, lower-cased and stripped."""
    return {s.strip().lower() for s in (msgid(label), chinese(label)) if s}


def label_map(pairs) -> dict:
    """{spelling: value} for (value, label) pairs, the value itself included."""
    out: dict = {}
    for value, label in pairs:
        out[str(value).lower()] = value
        for spelling in spellings(label):
            out.setdefault(spelling, value)
    return out
