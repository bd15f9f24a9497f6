"""GET /api/v1/log/…: the head, the key, entries and proofs, what they promise and how they
refuse bad questions (the API's JSON error shape, never a 500)."""
from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization

from charity.log import merkle, standalone_monitor

BASE = "/api/v1/log"
HEX64 = set("0123456789abcdef")


def _hex(value: str, length: int = 64) -> bytes:
    assert len(value) == length and set(value) <= HEX64, value
    return bytes.fromhex(value)


def test_no_head_before_the_first_publication(client):
    answer = client.get(f"{BASE}/head")
    assert answer.status_code == 404
    assert answer.json == {"error": {"code": 404, "message": "The log has no signed head yet."}}
    assert client.get(f"{BASE}/proof/inclusion?index=0").status_code == 404
    assert client.get(f"{BASE}/entries?start=0").status_code == 400


def test_key_and_head(client, published):
    key = client.get(f"{BASE}/key").json
    raw = _hex(key["public_key"])
    assert key["key_id"] == hashlib.sha256(raw).hexdigest()
    assert key["fingerprint"].replace(" ", "") == key["key_id"]
    assert key["algorithm"] == "Ed25519" and key["signature_encoding"] == "hex"
    pem = serialization.load_pem_public_key(key["public_key_pem"].encode())
    assert pem.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == raw
    response = client.get(f"{BASE}/head")
    head = response.json
    assert set(head) == {"tree_size", "root_hash", "timestamp", "signature", "key_id"}
    assert head["tree_size"] == 7 and head["key_id"] == key["key_id"]
    _hex(head["root_hash"])
    _hex(head["signature"], 128)
    assert head["timestamp"].endswith("Z") and len(head["timestamp"]) == 20
    assert standalone_monitor.verify_head(raw, head)
    assert not standalone_monitor.verify_head(raw, {**head, "tree_size": 6})
    assert response.cache_control.no_cache and response.headers["ETag"]
    assert client.get(f"{BASE}/head", headers={"If-None-Match": response.headers["ETag"]}
                      ).status_code == 304


def test_entries_and_their_bounds(client, published):
    pubs = published["pubs"]
    answer = client.get(f"{BASE}/entries?start=0&end=6").json
    entries = answer["entries"]
    assert answer["tree_size"] == 7 and [e["index"] for e in entries] == list(range(7))
    hashes = []
    for entry, pub in zip(entries, pubs):
        assert entry["publication_id"] == pub.id
        assert entry["pdf_url"].endswith(f"/disclosures/{pub.id}.pdf")
        assert entry["publication_url"].endswith(f"/disclosures/{pub.id}")
        assert entry["leaf_hash"] == merkle.leaf_hash(entry["leaf"].encode()).hex()
        assert json.loads(entry["leaf"])["pdf_sha256"] == pub.pdf_sha256
        hashes.append(bytes.fromhex(entry["leaf_hash"]))
    assert merkle.mth(hashes).hex() == client.get(f"{BASE}/head").json["root_hash"]
    # end is inclusive, defaults to a full page and is clipped to the signed tree.
    assert [e["index"] for e in client.get(f"{BASE}/entries?start=2&end=3").json["entries"]] \
        == [2, 3]
    assert len(client.get(f"{BASE}/entries?start=5").json["entries"]) == 2
    assert len(client.get(f"{BASE}/entries?start=6&end=999").json["entries"]) == 1
    pdf = client.get(entries[1]["pdf_url"].replace("http://localhost", ""))
    assert hashlib.sha256(pdf.data).hexdigest() == json.loads(entries[1]["leaf"])["pdf_sha256"]


def test_at_most_a_page_of_entries_per_call(client, published, monkeypatch):
    from charity.log import queries

    monkeypatch.setattr(queries, "MAX_ENTRIES", 3)
    got = client.get(f"{BASE}/entries?start=1&end=6").json["entries"]
    assert [e["index"] for e in got] == [1, 2, 3]


def test_proofs_verify_against_the_signed_head(client, published):
    head = client.get(f"{BASE}/head").json
    entries = client.get(f"{BASE}/entries?start=0").json["entries"]
    root = bytes.fromhex(head["root_hash"])
    roots = {}
    for size in range(1, 8):
        roots[size] = merkle.mth([bytes.fromhex(e["leaf_hash"]) for e in entries[:size]])
    for index in range(7):
        proof = client.get(f"{BASE}/proof/inclusion?index={index}").json
        assert proof["tree_size"] == 7 and proof["leaf_hash"] == entries[index]["leaf_hash"]
        path = [_hex(h) for h in proof["inclusion_path"]]
        assert merkle.verify_inclusion(bytes.fromhex(proof["leaf_hash"]), index, 7, path, root)
        small = client.get(f"{BASE}/proof/inclusion?index=0&tree_size={index + 1}").json
        assert merkle.verify_inclusion(bytes.fromhex(entries[0]["leaf_hash"]), 0, index + 1,
                                       [bytes.fromhex(h) for h in small["inclusion_path"]],
                                       roots[index + 1])
    for first in range(1, 8):
        proof = client.get(f"{BASE}/proof/consistency?first={first}&second=7").json
        assert (proof["first"], proof["second"]) == (first, 7)
        path = [_hex(h) for h in proof["consistency_path"]]
        assert merkle.verify_consistency(first, 7, roots[first], root, path)
    assert client.get(f"{BASE}/proof/consistency?first=3").json["second"] == 7


@pytest.mark.parametrize("query", [
    "entries", "entries?start=7", "entries?start=3&end=2", "entries?start=-1", "entries?start=x",
    "entries?start=99999999999", "proof/inclusion", "proof/inclusion?index=7",
    "proof/inclusion?index=0&tree_size=8", "proof/inclusion?index=3&tree_size=3",
    "proof/inclusion?index=0&tree_size=0", "proof/consistency",
    "proof/consistency?first=0", "proof/consistency?first=5&second=4",
    "proof/consistency?first=1&second=8", "proof/consistency?first=%00",
])
def test_bad_questions_get_a_400_in_the_api_shape(client, published, query):
    answer = client.get(f"{BASE}/{query}")
    assert answer.status_code == 400, answer.data
    assert set(answer.json) == {"error"} and answer.json["error"]["code"] == 400
    assert answer.json["error"]["message"]
