"""Locale selection, formatting filters and translation compiling."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import current_app, has_request_context, request, session
from flask_babel import Domain, format_date, format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l  # noqa: F401  (re-exported for services and forms)
from babel.numbers import format_currency

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    locales = current_app.config["CHARITY_LOCALES"]
    chosen = session.get("locale") if has_request_context() else None
    if chosen in locales:
        return chosen
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return default if default in locales else locales[0]


def current_locale_code() -> str:
    """The configured code (zh_CN, en) of the active locale. Babel expands zh_CN to
    zh_Hans_CN, so compare parsed locales rather than strings."""
    active = get_locale()
    for code in current_app.config["CHARITY_LOCALES"]:
        if Locale.parse(code) == active:
            return code
    return str(active)


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
    use_catalogue_folders(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = date
    app.jinja_env.filters["number"] = number
    from charity.core.money import figures  # money imports this module: import late

    app.jinja_env.filters["figures"] = figures

    @app.context_processor
    def _locale_context():
        code = current_locale_code()
        return {"current_locale": code,
                "available_locales": [(c, LOCALE_NAMES.get(c, c))
                                      for c in app.config["CHARITY_LOCALES"]],
                "html_lang": code.replace("_", "-")}

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


# --- Catalogue folders vs. Babel's locale names --------------------------------------------
# Babel expands "zh_CN" to zh_Hans_CN (CLDR likely subtags), and Flask-Babel then asks gettext
# for translations/zh_Hans_CN/ or translations/zh/, never translations/zh_CN/: the Chinese
# catalogue would be silently ignored and every page would show the English msgids (the
# known trap of ckan#4413 and flask-admin#403). WTForms is not affected: its own catalogue
# is called "zh", which gettext does try. This section makes Flask-Babel also try the
# language_TERRITORY folder, for every app context (requests, CLI commands, scheduler jobs).


def catalogue_names(locale: Locale) -> list[str]:
    """Catalogue folder names for a Babel locale, most specific first:
    zh_Hans_CN → [zh_Hans_CN, zh_CN, zh_Hans, zh]; en → [en]."""
    names = [str(locale)]
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    if locale.script:
        names.append(f"{locale.language}_{locale.script}")
    names.append(locale.language)
    return list(dict.fromkeys(names))


class CatalogueDomain(Domain):
    """A Flask-Babel domain that finds catalogues by `catalogue_names`. One per app, so the
    compiled catalogues are read once per process rather than once per request."""

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return NullTranslations()
        key = str(locale)
        translations = self.cache.get(key)
        if translations is None:
            translations = Translations()
            for dirname in self.translation_directories:
                for name in catalogue_names(locale):
                    mo = Path(dirname) / name / "LC_MESSAGES" / f"{self.domain[0]}.mo"
                    if mo.is_file():
                        with mo.open("rb") as fh:
                            catalogue = Translations(fp=fh, domain=self.domain[0])
                        translations.merge(catalogue)
                        translations.plural = catalogue.plural
                        break
            self.cache[key] = translations
        return translations


def use_catalogue_folders(app) -> None:
    """Make Flask-Babel translate through a `CatalogueDomain`.

    Flask-Babel keeps its default Domain in a cached property of the Babel object
    (`domain_instance`); putting ours in the instance dict replaces it for every context —
    requests, CLI commands, jobs — without a per-context hook that a fresh `g` would lose.
    """
    babel_obj = app.extensions["babel"].instance
    if not isinstance(babel_obj.__dict__.get("domain_instance"), CatalogueDomain):
        babel_obj.__dict__["domain_instance"] = CatalogueDomain(
            domain=app.extensions["babel"].default_domain)
