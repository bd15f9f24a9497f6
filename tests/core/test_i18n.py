"""Translations: the Chinese catalogue is complete, placeholders survive, the language switch
works, and money and dates are formatted the Chinese way.

When a test here fails because of a new string, run `scripts/i18n-update`, translate the
entries it lists in charity/translations/zh_CN/LC_MESSAGES/messages.po, and run it again.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale, refresh

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "charity" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
UPDATE_SCRIPT = ROOT / "scripts" / "i18n-update"
SOURCE_DIRS = ("charity", "templates")  # the only trees babel.cfg maps

# %(name)s, %(n)d, %s, %.2f …; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def _keywords() -> dict:
    """The default keywords plus the -k options of scripts/i18n-update (one source of truth)."""
    extra = re.findall(r"(?:^|\s)-k\s+(\S+)", UPDATE_SCRIPT.read_text(encoding="utf-8"))
    assert "_l" in extra, "scripts/i18n-update must extract Flask-Babel's _l"
    return {**DEFAULT_KEYWORDS, **parse_keywords(extra)}


def _source_dirs_only(path: str) -> bool:
    rel = Path(path).relative_to(ROOT).parts
    name = rel[-1]
    return rel[0] in SOURCE_DIRS and not name.startswith(".") and name != "__pycache__"


def _extracted() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, context) → where it is used, extracted from the source as pybabel would."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=_keywords(),
            directory_filter=_source_dirs_only):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return found


def _catalogue():
    with CATALOGUE.open("rb") as fh:
        return read_po(fh, locale="zh_CN")


def _placeholders(text: str) -> list[tuple[str, str]]:
    return sorted((m.group(1) or "", m.group(2)) for m in PLACEHOLDER.finditer(text)
                  if m.group(2) != "%")


def _strings(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


# --- (a) the catalogue covers the source --------------------------------------------------------

def test_extraction_finds_python_and_template_strings():
    found = _extracted()
    files = {loc.split(":")[0] for locs in found.values() for loc in locs}
    assert any(f.startswith("charity/") for f in files), "nothing extracted from charity/**.py"
    assert any(f.startswith("templates/") for f in files), "nothing extracted from templates"
    assert any(f.startswith("templates/_macros/") for f in files), "templates/_macros skipped"
    assert ("Charity points", None) in found  # an _l() in charity/nav.py and a {{ _() }}


def test_every_source_string_is_translated():
    catalogue = _catalogue()
    problems = []
    for (msgid, context), where in sorted(_extracted().items(), key=lambda kv: kv[1][0]):
        entry = catalogue.get(msgid, context)
        if entry is None:
            problems.append(f"missing    {msgid!r}  ({where[0]})")
        elif entry.fuzzy:
            problems.append(f"fuzzy      {msgid!r}  ({where[0]})")
        elif not all(_strings(entry.string)):
            problems.append(f"untranslated {msgid!r}  ({where[0]})")
    assert not problems, (
        f"{len(problems)} string(s) lack a Chinese translation; run scripts/i18n-update and "
        f"translate them in {CATALOGUE.relative_to(ROOT)}:\n  " + "\n  ".join(problems))


def test_catalogue_has_no_fuzzy_or_empty_entry():
    bad = [m.id for m in _catalogue()
           if m.id and (m.fuzzy or not all(_strings(m.string)))]
    assert not bad, f"fuzzy or empty entries: {bad}"


def test_no_translation_call_inside_fstrings():
    """pybabel cannot see `_l("…")` written inside an f-string (Python < 3.12 tokenizes the
    whole f-string as one string): such a message is never extracted and stays English.
    Translate outside the f-string: `ended = _l("ended")` then `f"({ended})"`."""
    import io
    import tokenize

    call = re.compile(r"\{[^{}]*\b(?:_l|_|gettext|lazy_gettext|ngettext|pgettext)\(")
    keywords = {"_l", "_", "gettext", "lazy_gettext", "ngettext", "pgettext"}
    found = []
    for path in sorted((ROOT / "charity").rglob("*.py")):
        tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
        depth = 0  # Python 3.12+: f-strings arrive as FSTRING_START … FSTRING_END
        for tok, nxt in zip(tokens, tokens[1:] + tokens[-1:]):
            name = tokenize.tok_name[tok.type]
            if name == "FSTRING_START":
                depth += 1
            elif name == "FSTRING_END":
                depth -= 1
            elif (name == "STRING" and re.match(r"(?i)[rb]*f", tok.string)
                  and call.search(tok.string)) or (
                    depth and name == "NAME" and tok.string in keywords and nxt.string == "("):
                found.append(f"{path.relative_to(ROOT)}:{tok.start[0]}")
    assert not found, "translation calls inside f-strings (never extracted):\n  " + \
        "\n  ".join(sorted(set(found)))


# --- (b) placeholders ---------------------------------------------------------------------------

def test_placeholders_match():
    bad = []
    for m in _catalogue():
        if not m.id:
            continue
        expected = _placeholders(_strings(m.id)[0])
        for string in _strings(m.string):
            if _placeholders(string) != expected:
                bad.append(f"{_strings(m.id)[0]!r} → {string!r}")
    assert not bad, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(bad)


def test_placeholder_pattern():
    assert _placeholders("Page %(p)d of %(n)d · %(t)d in all") == [("n", "d"), ("p", "d"),
                                                                    ("t", "d")]
    assert _placeholders("100%% of %(name)s") == [("name", "s")]


# --- (c) the language a visitor sees ------------------------------------------------------------

def _html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def _page(client, url: str) -> str:
    """GET `url` as a new visit would.

    The `db` fixture keeps one app context open for the whole test, and Flask reuses it for
    every request of the test client, so `g` (where Flask-Babel caches the request's locale)
    survives from one request to the next. A real server starts each request with a fresh
    `g`; `refresh()` gives the test the same.
    """
    refresh()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _switch(client, url: str):
    refresh()
    return client.get(url)


def test_home_is_chinese_by_default(client):
    page = _page(client, "/")
    assert "慈善网点" in page
    assert "Charity points" not in page
    assert _html_lang(page).startswith("zh")


def test_language_switch_persists(client):
    response = _switch(client, "/language/en?next=/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    page = _page(client, "/")
    assert "Charity points" in page and "慈善网点" not in page
    assert _html_lang(page) == "en"
    # …and on the next pages too.
    assert "Staff sign-in" in _page(client, "/login")
    assert "Charity points" in _page(client, "/")

    assert _switch(client, "/language/zh_CN?next=/").status_code == 302
    assert "慈善网点" in _page(client, "/")


def test_lang_query_parameter(client):
    assert "Charity points" in _page(client, "/?lang=en")
    assert "Charity points" in _page(client, "/")  # remembered
    assert "慈善网点" in _page(client, "/?lang=zh_CN")


def test_unknown_language_is_ignored(client):
    _switch(client, "/language/fr?next=/")
    _page(client, "/?lang=xx")
    assert "慈善网点" in _page(client, "/")


# --- outside a request and in WTForms -----------------------------------------------------------

@pytest.fixture(scope="module")
def plain_app(tmp_path_factory):
    """An app that never touches its database: for formatting and translation lookups."""
    from charity import create_app

    folder = tmp_path_factory.mktemp("i18n")
    return create_app({"DATABASE_URL": f"sqlite:///{folder / 'unused.db'}",
                       "SECRET_KEY": "test", "INSTANCE_PATH": str(folder / "instance"),
                       "TESTING": True, "WTF_CSRF_ENABLED": False})


def test_catalogue_found_for_zh_cn_outside_requests(plain_app):
    # Babel turns zh_CN into zh_Hans_CN; the catalogue folder is zh_CN. Scheduler jobs and CLI
    # commands translate in a bare app context, so check there as well as in a request.
    from charity.core.i18n import _l, catalogue_names
    from babel import Locale

    assert catalogue_names(Locale.parse("zh_CN")) == ["zh_Hans_CN", "zh_CN", "zh_Hans", "zh"]
    with plain_app.app_context(), force_locale("zh_CN"):
        assert str(_l("Charity points")) == "慈善网点"
    with plain_app.test_request_context("/"):
        assert str(_l("Charity points")) == "慈善网点"
        with force_locale("en"):
            assert str(_l("Charity points")) == "Charity points"


def test_wtforms_messages_are_chinese(plain_app):
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class Form(FlaskForm):
        name = StringField("name", validators=[DataRequired()])

    # Flask-WTF caches WTForms' catalogue per request: one request per language.
    with plain_app.test_request_context("/", method="POST", data={}):
        form = Form()
        assert not form.validate()
        assert form.name.errors == ["该字段是必填字段。"]
    with plain_app.test_request_context("/", method="POST", data={}), force_locale("en"):
        form = Form()
        assert not form.validate()
        assert form.name.errors == ["This field is required."]


# --- (d) money and dates ------------------------------------------------------------------------

def test_money_and_dates_in_chinese(plain_app):
    from charity.core.i18n import date, money

    with plain_app.test_request_context("/"), force_locale("zh_CN"):
        assert money(Decimal("1234.5")) == "¥1,234.50"
        assert money(0) == "¥0.00"
        assert money(None) == "—"
        assert date(dt.date(2026, 11, 25)) == "2026年11月25日"
        assert date(None) == "—"


def test_money_and_dates_in_english(plain_app):
    from charity.core.i18n import date, money

    with plain_app.test_request_context("/"), force_locale("en"):
        assert money(Decimal("1234.5")) == "CN¥1,234.50"
        assert date(dt.date(2026, 11, 25)) == "November 25, 2026"


def test_money_refuses_floats(plain_app):
    from charity.core.i18n import money

    with plain_app.test_request_context("/"), force_locale("zh_CN"):
        with pytest.raises(TypeError):
            money(1234.5)


def test_update_script_is_executable():
    assert os.access(UPDATE_SCRIPT, os.X_OK)
    text = UPDATE_SCRIPT.read_text(encoding="utf-8")
    assert "--no-fuzzy-matching" in text and "--omit-header" not in text
