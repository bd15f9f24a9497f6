#!/usr/bin/env python3
"""Monitor the public transparency log of a 慈善超市与捐赠公开系统 installation:

    python3 monitor.py https://charity.example.org --state state.json [--witness heads.jsonl]

Needs Python 3.9+ and `cryptography` (Ed25519) only. charity/log/standalone_monitor.py is
copied unchanged to tools/monitor.py (a test keeps them identical). Exit 0: verified (the
state remembers the head; --witness appends it as a JSON line). Exit 1: inconsistent, naming
the report where it can. Exit 2: not checked (network, server error): nothing is concluded,
the state is kept. What it checks: `run`, and docs/decisions/0008-transparency-log.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

API = "/api/v1/log"
STATE_VERSION = 1
HEAD_CONTEXT = "charity-transparency-log/v1"
TIMEOUT = 60
USER_AGENT = "charity-log-monitor/1"
HEAD_FIELDS = ("tree_size", "root_hash", "timestamp", "signature", "key_id")


class Inconsistent(Exception):
    """What the log showed contradicts itself or what was seen before: exit 1."""


class Unverifiable(Exception):
    """The check could not be completed: exit 2."""


# --- RFC 9162 §2.1: hashing and proof verification ------------------------------------------

def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(hashes: list) -> bytes:
    if not hashes:
        return hashlib.sha256(b"").digest()
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _shift_to_set_bit(fn: int, sn: int) -> tuple[int, int]:
    """RFC 9162 §2.1.3.2, §2.1.4.2: right-shift fn and sn until LSB(fn) is set or fn is 0."""
    while not fn & 1 and fn:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list, root: bytes) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _shift_to_set_bit(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: list) -> bool:
    if not 0 <= first <= second:
        return False
    if first in (0, second):  # nothing to prove: the empty tree, or the same tree
        return not proof and (first == 0 or first_root == second_root)
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            fn, sn = _shift_to_set_bit(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


def head_message(tree_size: int, root_hash: str, timestamp: str) -> bytes:
    return f"{HEAD_CONTEXT}\n{tree_size}\n{root_hash}\n{timestamp}\n".encode("utf-8")


def verify_head(public_key: bytes, head: dict) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            bytes.fromhex(head["signature"]),
            head_message(head["tree_size"], head["root_hash"], head["timestamp"]))
    except (InvalidSignature, ValueError, TypeError, KeyError):
        return False
    return True


class Refused(Exception):
    """A 4xx answer: the server declined a question it should answer."""

    def __init__(self, url: str, code: int):
        super().__init__(f"{url}: HTTP {code}")
        self.url, self.code = url, code


def _get(url: str, accept: str) -> bytes:
    request = urllib.request.Request(url, headers={
        "Accept": accept, "User-Agent": USER_AGENT, "Cache-Control": "no-cache"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as e:
        e.close()
        if 400 <= e.code < 500:
            raise Refused(url, e.code) from None
        raise Unverifiable(f"{url}: HTTP {e.code}") from None
    except (urllib.error.URLError, OSError) as e:
        raise Unverifiable(f"{url}: {getattr(e, 'reason', e)}") from None


def _api(base: str, path: str, **params) -> dict:
    url = f"{base}{API}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    try:
        data = json.loads(_get(url, "application/json"))
    except Refused as e:  # a question its own signed head makes valid
        raise Inconsistent(f"the log refused {e.url} (HTTP {e.code})") from None
    except ValueError:
        raise Inconsistent(f"{url}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise Inconsistent(f"{url}: the answer is not a JSON object")
    return data


def _hex32(value, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value) if value == value.lower() else b""
    except (TypeError, ValueError, AttributeError):
        raw = b""
    if len(raw) != 32:
        raise Inconsistent(f"{what} is not 32 bytes in lowercase hex: {value!r}")
    return raw


def _timestamp(value) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except (TypeError, ValueError):
        raise Inconsistent(f"the head's timestamp {value!r} is not YYYY-MM-DDTHH:MM:SSZ") from None


def load_state(path: str, base: str) -> dict:
    if not os.path.exists(path):
        return {"version": STATE_VERSION, "url": base, "key": None, "head": None, "leaves": []}
    try:
        with open(path, encoding="utf-8") as fh:
            state = json.load(fh)
    except (OSError, ValueError) as e:
        raise Unverifiable(f"cannot read the state file {path}: {e}") from None
    if state.get("version") != STATE_VERSION or state.get("url") != base:
        raise Unverifiable(f"{path} is not a version {STATE_VERSION} state of {base}")
    return state


def save_state(path: str, state: dict) -> None:
    """Atomically: a crash leaves the old state or the new one, never half of one."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(state, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# --- one run ----------------------------------------------------------------------------------

def _check_key(base: str, state: dict, expected_key_id: str | None, say) -> bytes:
    key = _api(base, "/key")
    raw = _hex32(key.get("public_key"), "the public key")
    kid = hashlib.sha256(raw).hexdigest()
    if key.get("key_id") != kid:
        raise Inconsistent(f"the key id {key.get('key_id')!r} is not the SHA-256 of the key")
    if expected_key_id is not None and kid != expected_key_id.lower():
        raise Inconsistent(f"the log's key is {kid}, not the expected {expected_key_id}")
    pinned = state["key"]
    if pinned is None:
        say(f"key {kid} pinned (first use)")
    elif pinned["key_id"] != kid:
        if expected_key_id is None:
            raise Inconsistent(f"the signing key changed from {pinned['key_id']} to {kid}; if "
                               "the operator announced it, run again with --key-id " + kid)
        say(f"key changed from {pinned['key_id']} to {kid} (accepted with --key-id)")
        state.setdefault("retired_keys", []).append(pinned)
    state["key"] = {"key_id": kid, "public_key": raw.hex()}
    return raw


def _check_head(base: str, state: dict, public_key: bytes) -> dict:
    try:
        head = _api(base, "/head")
    except Inconsistent as e:
        if state["head"] is None:  # a new log has no head yet: nothing to conclude
            raise Unverifiable(str(e)) from None
        raise
    fields = {k: head.get(k) for k in HEAD_FIELDS}
    size = fields["tree_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise Inconsistent(f"the head's tree size {size!r} is not a whole number")
    _hex32(fields["root_hash"], "the head's root hash")
    when = _timestamp(fields["timestamp"])
    if fields["key_id"] != state["key"]["key_id"]:
        raise Inconsistent(f"the head names key {fields['key_id']!r}, the log's key is "
                           f"{state['key']['key_id']}")
    if not verify_head(public_key, fields):
        raise Inconsistent(f"the signature of the head of size {size} does not verify")
    old = state["head"]
    if old is not None:
        if size < old["tree_size"]:
            raise Inconsistent(f"the log shrank from {old['tree_size']} to {size} entries")
        if when < _timestamp(old["timestamp"]):
            raise Inconsistent(f"the head's time {fields['timestamp']} is before the time of "
                               f"the head seen last ({old['timestamp']})")
    return fields


def _fetch_entries(base: str, size: int) -> list[dict]:
    entries: list[dict] = []
    while len(entries) < size:
        page = _api(base, "/entries", start=len(entries), end=size - 1).get("entries")
        if not isinstance(page, list) or not page:
            raise Inconsistent(f"the log gave no entries from {len(entries)} on, though its "
                               f"head has {size}")
        for entry in page:
            index = entry.get("index") if isinstance(entry, dict) else None
            if index != len(entries) or isinstance(index, bool):
                raise Inconsistent(f"the log gave entry {index!r} where {len(entries)} was "
                                   "expected")
            entries.append(entry)
            if len(entries) == size:
                break
    return entries


def _report(entry: dict) -> str:
    facts = entry.get("facts")
    return (isinstance(facts, dict) and facts.get("report_no")) or f"entry {entry.get('index')}"


def _check_entries(entries: list[dict], state: dict, head: dict) -> list[bytes]:
    seen, hashes = state["leaves"], []
    for entry in entries:
        index, leaf = entry["index"], entry.get("leaf")
        try:
            entry["facts"] = json.loads(leaf)
            _hex32(entry["facts"]["pdf_sha256"], "the PDF digest")
        except (ValueError, KeyError, TypeError, Inconsistent):
            raise Inconsistent(f"entry {index}'s leaf is not the JSON of a publication") from None
        digest = leaf_hash(leaf.encode("utf-8"))
        if entry.get("leaf_hash") != digest.hex():
            raise Inconsistent(f"{_report(entry)}: entry {index}'s leaf hash does not match "
                               "its leaf")
        if index < len(seen) and seen[index]["leaf_hash"] != digest.hex():
            raise Inconsistent(f"{seen[index]['report_no']}: entry {index} of the log changed "
                               f"since it was seen (now it says {_report(entry)})")
        hashes.append(digest)
    if mth(hashes).hex() != head["root_hash"]:
        raise Inconsistent(f"the {len(hashes)} entries do not hash up to the signed root")
    return hashes


def _check_consistency(base: str, state: dict, head: dict) -> None:
    old = state["head"]
    if old is None:
        return
    first, second = old["tree_size"], head["tree_size"]
    proof: list = []
    if 0 < first < second:
        answer = _api(base, "/proof/consistency", first=first, second=second)
        proof = [_hex32(h, "a consistency proof hash")
                 for h in answer.get("consistency_path") or []]
    if not verify_consistency(first, second, bytes.fromhex(old["root_hash"]),
                              bytes.fromhex(head["root_hash"]), proof):
        raise Inconsistent(f"the head of size {second} is not an extension of the head of "
                           f"size {first} seen at {old['timestamp']}: history was rewritten")


def _check_inclusion(base: str, entries: list[dict], hashes: list[bytes], start: int,
                     head: dict) -> None:
    root = bytes.fromhex(head["root_hash"])
    for entry in entries[start:]:
        index = entry["index"]
        answer = _api(base, "/proof/inclusion", index=index, tree_size=head["tree_size"])
        proof = [_hex32(h, "an inclusion proof hash") for h in answer.get("inclusion_path") or []]
        if not verify_inclusion(hashes[index], index, head["tree_size"], proof, root):
            raise Inconsistent(f"{_report(entry)}: the log cannot prove entry {index} is in "
                               "its signed tree")


def _check_pdf(entry: dict) -> None:
    report, url, expected = _report(entry), entry.get("pdf_url"), entry["facts"]["pdf_sha256"]
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise Inconsistent(f"{report}: no PDF address for entry {entry['index']}")
    try:
        body = _get(url, "application/pdf")
    except Refused as e:
        raise Inconsistent(f"{report}: its PDF is gone ({url}: HTTP {e.code})") from None
    digest = hashlib.sha256(body).hexdigest()
    if digest != expected:
        raise Inconsistent(f"{report}: the PDF served at {url} has SHA-256 {digest}; the log "
                           f"says {expected}")


def run(base: str, state_path: str, witness_path: str | None = None,
        key_id: str | None = None, new_pdfs_only: bool = False, say=print) -> int:
    """One run: the key (pinned at first use, or --key-id), the head's signature and that it
    does not go back, every entry against what was seen, consistency with the last head
    (RFC 9162 §2.1.4), inclusion of new entries (§2.1.3), each PDF's SHA-256. Returns the
    exit status (0, 1 or 2) after saying why."""
    base = base.rstrip("/")
    try:
        state = load_state(state_path, base)
        previous = state["head"]
        public_key = _check_key(base, state, key_id, say)
        head = _check_head(base, state, public_key)
        entries = _fetch_entries(base, head["tree_size"])
        hashes = _check_entries(entries, state, head)
        _check_consistency(base, state, head)
        seen = previous["tree_size"] if previous else 0
        _check_inclusion(base, entries, hashes, seen, head)
        for entry in entries[seen if new_pdfs_only else 0:]:
            _check_pdf(entry)
    except Inconsistent as e:
        say(f"INCONSISTENT: {e}")
        return 1
    except Unverifiable as e:
        say(f"NOT CHECKED: {e}")
        return 2
    state["head"] = head
    state["leaves"] = [{"report_no": _report(e), "leaf_hash": h.hex()}
                       for e, h in zip(entries, hashes)]
    save_state(state_path, state)
    if witness_path and head != previous:
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with open(witness_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(dict(head, url=base, verified_at=now), sort_keys=True) + "\n")
    pdfs = len(entries) - (seen if new_pdfs_only else 0)
    say(f"OK: {head['tree_size']} entries ({head['tree_size'] - seen} new), root "
        f"{head['root_hash']}, signed {head['timestamp']} by {head['key_id']}; "
        f"{pdfs} PDFs rehashed")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the site, e.g. https://charity.example.org")
    parser.add_argument("--state", required=True, help="JSON file remembering what was seen")
    parser.add_argument("--witness", help="append each newly verified head to this file")
    parser.add_argument("--key-id", help="the key id expected (first run, or a new key)")
    parser.add_argument("--new-pdfs-only", action="store_true",
                        help="rehash only the PDFs of entries new since the last run")
    a = parser.parse_args(argv)
    return run(a.url, a.state, a.witness, a.key_id, a.new_pdfs_only)


if __name__ == "__main__":
    sys.exit(main())
