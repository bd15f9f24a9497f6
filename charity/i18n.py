"""Locale selection, formatting filters and translation compiling."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l  # noqa: F401  (re-exported for services and forms)
from babel.numbers import format_currency

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    locales = current_app.config["CHARITY_LOCALES"]
    chosen = session.get("locale") if has_request_context() else None
    if chosen in locales:
        return chosen
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return default if default in locales else locales[0]


def money(value: Decimal | int | None, currency: str = "CNY") -> str:
    """¥1,234.50 in Chinese, CN¥1,234.50 in English. Refuses floats: money is Decimal."""
    if value is None:
        return "—"
    if isinstance(value, float):
        raise TypeError("money must be Decimal, not float")
    return format_currency(Decimal(value), currency, locale=str(get_locale()))


def date(value: dt.date | None, fmt: str = "long") -> str:
    """2026年11月25日 / November 25, 2026."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return format_datetime(value, "medium")
    return format_date(value, fmt)


def number(value) -> str:
    if value is None:
        return "—"
    return format_decimal(value)


def init_app(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = date
    app.jinja_env.filters["number"] = number

    @app.context_processor
    def _locale_context():
        return {"current_locale": str(get_locale()),
                "available_locales": [(c, LOCALE_NAMES.get(c, c))
                                      for c in app.config["CHARITY_LOCALES"]],
                "html_lang": str(get_locale()).replace("_", "-")}

    @app.before_request
    def _remember_choice():
        # ?lang= is accepted on any page so a shared link can carry the language.
        lang = request.args.get("lang")
        if lang and lang in app.config["CHARITY_LOCALES"]:
            session["locale"] = lang


def compile_translations(force: bool = False) -> list[Path]:
    """Compile every .po whose .mo is missing or older. Returns the files written."""
    written = []
    for po in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        written.append(mo)
    return written
