"""Shared pieces of the fuzz suite: hostile values, a database fingerprint, form discovery.

The hostile values are what an attacker or a confused user actually sends: huge strings,
control characters, NUL, SQL and script fragments, mixed scripts with direction marks,
numbers that are not numbers, dates that do not exist, ids that overflow.
"""
from __future__ import annotations

import hashlib
import io
import os
from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

# 100k characters. Mostly ASCII: a form post is URL-encoded, and 100k multi-byte characters
# cost the test client and the server a second per example to quote and unquote.
HUGE = "慈善" * 500 + "x" * 99_000

HOSTILE = [
    HUGE, "", " ", "\t\r\n", "\x00", "a\x00b", "\x01\x02\x1b[31m\x7f\x08", "\u0085\u2028\u2029",
    "' OR 1=1 --", "1; DROP TABLE users; --", "\" OR \"\"=\"", "%' --", "1' UNION SELECT 1--",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
    "{{7*7}}", "${7*7}", "javascript:alert(1)", "../../etc/passwd", "%s%n%x", "%(name)s",
    "中文测试 慈善超市", "مرحبا بالعالم", "😀👍🏽‍👩‍👩‍👧", "\u202eevil\u202c", "\u200f\u200e", "\ufeff",
    "ｆｕｌｌｗｉｄｔｈ１２３", "Ω≈ç√∫", "ǅǈ", "\u0301\u0301\u0301",
    "-1", "0", "-0", "1e309", "-1e309", "NaN", "Infinity", "12abc", "1,000", "0x1F", " 5 ",
    "99999999999999999999999999", "0.000000000001", "１２３", "2147483648", "9223372036854775808",
    "1.5", "-999999.99", "1e-400",
    "2026-02-30", "0000-00-00", "9999-12-31", "2026-13-01", "1900-01-01", "26-1-1", "2026/01/01",
    "10000-01-01", "2026-01-01T25:61", "25:61", "yesterday",
    "true", "on", "null", "None", "[]", "{}",
]

_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
hostile_value = st.one_of(st.sampled_from(HOSTILE), _text,
                          st.integers(min_value=-2**70, max_value=2**70).map(str))
MISSING = object()


def fuzz_settings(examples: int) -> settings:
    """Bounded, reproducible: the same examples on every run (CI can compare)."""
    examples = int(os.environ.get("CHARITY_FUZZ_EXAMPLES", examples))
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink),
                    suppress_health_check=list(HealthCheck), print_blob=False)


def field_strategy(field: dict):
    """Values for one field: hostile, random, a legitimate choice, absent or repeated."""
    legit = [v for v in field["values"] if v is not None]
    options = [hostile_value]
    if legit:
        options.append(st.sampled_from(legit))
    if field["type"] == "file":
        content = st.one_of(st.binary(max_size=200), st.sampled_from(
            [b"%PDF-1.4\n%hostile", b"\x89PNG\r\n\x1a\n", b"<script>alert(1)</script>",
             b"\x00" * 1000]))
        name = st.sampled_from(["a.pdf", "a.png", "../../x.php", "证明.jpg", "a\x00.pdf", ""])
        options.append(st.tuples(content, name).map(lambda t: ("file", t)))
    single = st.one_of(*options)
    return st.one_of(single, single, single, st.just(MISSING),
                     st.lists(single, min_size=2, max_size=3))


def form_strategy(fields: list[dict]):
    """Every known field (from the page's forms) plus, sometimes, an unknown one."""
    known = st.fixed_dictionaries({f["name"]: field_strategy(f) for f in fields})
    extra = st.dictionaries(st.sampled_from(["id", "organization_id", "role", "_method", "x"]),
                            hostile_value, max_size=1)
    return st.tuples(known, extra)


def vocabulary_strategy(names: list[str]):
    """For a POST route whose form no page showed (a button on a page the world does not
    reach): a few field names any form of the app uses, with hostile values."""
    value = st.one_of(hostile_value, st.lists(hostile_value, min_size=2, max_size=3))
    return st.tuples(st.dictionaries(st.sampled_from(names), value, max_size=6), st.just({}))


def to_form_data(drawn) -> dict:
    """Hypothesis's draw → the Werkzeug test client's `data` (lists repeat a field)."""
    known, extra = drawn
    data = {}
    for name, value in {**extra, **known}.items():
        if value is MISSING:
            continue
        values = value if isinstance(value, list) else [value]
        data[name] = [_encode(v) for v in values]
    return data


def _encode(value):
    if isinstance(value, tuple) and value[0] == "file":
        content, filename = value[1]
        return (io.BytesIO(content), filename)
    return value


class FormParser(HTMLParser):
    """The POST forms of one page: action → fields (name, type, values offered)."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_path = urlsplit(page_url).path
        self.forms: dict[str, dict[str, dict]] = {}
        self._current = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() != "post":
                self._current = None
                return
            action = urlsplit(a.get("action") or self.page_path).path or self.page_path
            self._current = self.forms.setdefault(action, {})
            return
        if self._current is None or not a.get("name"):
            if tag == "option" and self._select is not None and "value" in a:
                self._select["values"].append(a["value"])
            return
        name = a["name"]
        field = self._current.setdefault(name, {"name": name, "type": tag, "values": []})
        if tag == "input":
            field["type"] = (a.get("type") or "text").lower()
            field["values"].append(a.get("value", "y" if field["type"] == "checkbox" else ""))
        elif tag == "button":
            field["values"].append(a.get("value", ""))
        elif tag == "select":
            self._select = field

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def parse_forms(page_url: str, html: str) -> dict[str, dict[str, dict]]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


# Tables a refused request may legitimately write: failed sign-ins are counted so that
# guessing is throttled (issue 7 §1) — refusing a login *is* recording it.
WRITTEN_ON_REFUSAL = {"login_attempt", "rate_hit"}  # attempts are counted, refused or not


def fingerprint(conn, tables) -> dict[str, str]:
    """A hash of every row of every table (the test database is small: this is cheap)."""
    result = {}
    for table in tables:
        if table.name in WRITTEN_ON_REFUSAL:
            continue
        # Plain driver SQL: the same rows, without the ORM's compile and type layers (this
        # runs hundreds of times for every table).
        rows = conn.exec_driver_sql(f'SELECT * FROM "{table.name}"').all()
        digest = hashlib.sha256()
        for row in sorted(repr(tuple(r)) for r in rows):
            digest.update(row.encode())
        result[table.name] = f"{len(rows)}:{digest.hexdigest()[:16]}"
    return result


def write_count(conn) -> int:
    """How many rows this connection has inserted, updated or deleted so far (its current
    transaction on PostgreSQL), counting what was rolled back too: unchanged, nothing was
    written, so no table can differ and `fingerprint` need not run. SQLite counts every
    direct INSERT/UPDATE/DELETE (a trigger or a cascade only ever follows one)."""
    if conn.dialect.name == "sqlite":
        return conn.exec_driver_sql("SELECT total_changes()").scalar()
    return conn.exec_driver_sql(
        "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
        "FROM pg_stat_xact_user_tables").scalar()


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys()
                  if before.get(name) != after.get(name))
