"""The log on the public pages (issue 18): each disclosure page shows its log index, leaf hash
and inclusion proof against the current signed head, and the open-data page the key's
fingerprint and how to check us. The proofs are checked here with a second implementation
of RFC 9162 (not charity.log.merkle) and against leaves read from the database."""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import re

import sqlalchemy as sa

from charity.log.models import LogHead, LogLeaf


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _mth(hashes: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 over leaf hashes."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return _sha(b"\x01" + _mth(hashes[:k]) + _mth(hashes[k:]))


def _root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: the root an inclusion proof leads to."""
    fn, sn, r = index, size - 1, leaf
    for p in path:
        assert sn != 0
        if fn & 1 or fn == sn:
            r = _sha(b"\x01" + p + r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = _sha(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    assert sn == 0
    return r


def _proof_block(page: str) -> str:
    match = re.search(r'<section class="log-proof".*?</section>', page, re.S)
    assert match, "no log section on the page"
    return match.group(0)


def _dd(block: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", block, re.S)
    assert match, label
    return match.group(1)


def test_each_disclosure_page_proves_its_inclusion_in_the_current_head(client, db,
                                                                     published):
    leaves = db.scalars(sa.select(LogLeaf).order_by(LogLeaf.leaf_index)).all()
    leaf_hashes = [_sha(b"\x00" + leaf.leaf.encode("utf-8")) for leaf in leaves]
    head = db.scalars(sa.select(LogHead).order_by(LogHead.id.desc())).first()
    assert head.tree_size == len(published["pubs"]) == len(leaves)
    assert bytes.fromhex(head.root_hash) == _mth(leaf_hashes)
    stamp = head.signed_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for pub in published["pubs"]:
        answer = client.get(f"/disclosures/{pub.id}")
        assert answer.status_code == 200
        block = _proof_block(answer.get_data(as_text=True))
        index = int(re.match(r"\s*(\d+)", _dd(block, "日志序号")).group(1))
        leaf = next(leaf for leaf in leaves if leaf.publication_id == pub.id)
        assert index == leaf.leaf_index
        shown_leaf = re.search(r"<code>([0-9a-f]{64})</code>", _dd(block, "叶哈希")).group(1)
        assert bytes.fromhex(shown_leaf) == leaf_hashes[index]
        assert _dd(block, "签名树头") == f"共 {head.tree_size} 条，签署于 {stamp}"
        assert f"<code>{head.root_hash}</code>" == _dd(block, "根哈希")
        assert f"<code>{head.key_id}</code>" == _dd(block, "密钥标识")
        path = [bytes.fromhex(h) for h in re.findall(r"<li><code>([0-9a-f]{64})</code></li>",
                                                     _dd(block, "包含证明"))]
        assert path, "a proof in a tree of 7 has hashes"
        assert _root_from_inclusion(index, head.tree_size, bytes.fromhex(shown_leaf),
                                    path) == bytes.fromhex(head.root_hash)
        links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', block)]
        assert f"/api/v1/log/proof/inclusion?index={index}&tree_size={head.tree_size}" in links
        assert f"/api/v1/log/entries?start={index}&end={index}" in links
        assert "/open-data#check-us" in links


def test_a_report_not_yet_in_a_signed_head_says_so(client, db, published):
    from charity.disclosure.publishing import _publish
    from tests.log.world import fake_render

    original = published["pubs"][0]
    # A publication rendered later (the province generator's way) enters the log only
    # when it is sealed: until then its page says so instead of showing a proof.
    late = _publish(db, organization_id=original.organization_id,
                    subject_type=original.subject_type, subject_id=original.subject_id,
                    kind=original.kind, seq=original.seq,
                    period_start=original.period_start, period_end=original.period_end,
                    due=None, on=dt.date(2026, 7, 2), actor=None, corrects=original,
                    reason="待入日志", renderer=fake_render)
    db.commit()
    block = _proof_block(client.get(f"/disclosures/{late.id}").get_data(as_text=True))
    assert "本报告尚未进入日志的签名树头" in block and "<dl>" not in block


def test_the_open_data_page_shows_the_key_fingerprint_and_how_to_check_us(client, app,
                                                                          published):
    from pathlib import Path

    from cryptography.hazmat.primitives import serialization

    page = client.get("/open-data").get_data(as_text=True)
    # The fingerprint of the key in the instance folder, worked out here from the key file:
    # SHA-256 of the raw public key, in groups of four.
    pem = (Path(app.instance_path) / "transparency-log-ed25519.pem").read_bytes()
    raw = serialization.load_pem_private_key(pem, password=None).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()
    fingerprint = " ".join(digest[i:i + 4] for i in range(0, 64, 4))
    section = re.search(r'<section class="check-us" id="check-us".*?</section>', page, re.S)
    assert section, "no “how to check us” section"
    block = section.group(0)
    assert f"<dd><code class=\"fingerprint\">{fingerprint}</code></dd>" in block
    assert client.get("/api/v1/log/key").json["fingerprint"] == fingerprint
    assert ("python3 tools/monitor.py http://localhost --state my-state.json "
            "--witness heads.jsonl") in block
    assert 'href="/api/v1/log/key"' in block and 'href="/api/v1/log/head"' in block
    for exit_status in ("退出码 0", "退出码 1", "退出码 2"):
        assert exit_status in block
    assert "<script>" not in page and 'style="' not in page
