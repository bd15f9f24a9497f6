"""The fuzz harness itself: it must be able to see what it is looking for."""
from __future__ import annotations

import io

import sqlalchemy as sa

from charity.core.extensions import db as _db
from tests.fuzz.hostile import (HOSTILE, MISSING, changed_tables, fingerprint, parse_forms,
                                to_form_data)

PAGE = """
<form method="get" action="/search"><input name="q"></form>
<form method="post" action="/staff/things/new?next=/x">
  <input type="hidden" name="token" value="abc">
  <input name="name" value="旧名">
  <input type="checkbox" name="consent">
  <select name="kind"><option value="">--</option><option value="a">A</option>
    <option value="b" selected>B</option></select>
  <textarea name="note">x</textarea>
  <input type="file" name="proof">
  <button name="action" value="approve">OK</button>
</form>
<form method="post"><input name="reason"></form>
"""


def test_forms_are_read_with_their_fields_and_choices():
    forms = parse_forms("http://localhost/staff/things/1", PAGE)
    assert sorted(forms) == ["/staff/things/1", "/staff/things/new"]
    fields = forms["/staff/things/new"]
    assert {name: (f["type"], f["values"]) for name, f in fields.items()} == {
        "token": ("hidden", ["abc"]), "name": ("text", ["旧名"]),
        "consent": ("checkbox", ["y"]), "kind": ("select", ["", "a", "b"]),
        "note": ("textarea", []), "proof": ("file", [""]), "action": ("button", ["approve"])}
    assert list(forms["/staff/things/1"]) == ["reason"]


def test_drawn_values_become_form_data():
    data = to_form_data(({"a": MISSING, "b": ["1", "2"], "c": "x",
                          "f": ("file", (b"%PDF", "a.pdf"))}, {"id": "7"}))
    assert sorted(data) == ["b", "c", "f", "id"]
    assert data["b"] == ["1", "2"] and data["c"] == ["x"] and data["id"] == ["7"]
    stream, name = data["f"][0]
    assert isinstance(stream, io.BytesIO) and stream.read() == b"%PDF" and name == "a.pdf"


def test_hostile_values_include_the_promised_kinds():
    assert max(len(v) for v in HOSTILE) == 100_000
    for needle in ("\x00", "' OR 1=1 --", "<script>", "\u202e", "😀", "1e309", "2026-02-30",
                   "مرحبا", "中文"):
        assert any(needle in v for v in HOSTILE), needle


def test_fingerprint_sees_inserts_and_updates(db, make_org):
    org = make_org()
    conn = db.get_bind()
    tables = list(_db.metadata.sorted_tables)
    first = fingerprint(conn, tables)
    conn.execute(sa.text("UPDATE organization SET name = :n WHERE id = :id"),
                 {"n": "改过的名字", "id": org.id})
    second = fingerprint(conn, tables)
    assert changed_tables(first, second) == ["organization"]
    make_org()
    assert "organization" in changed_tables(second, fingerprint(conn, tables))
    assert fingerprint(conn, tables) == fingerprint(conn, tables)
