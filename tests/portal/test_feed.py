"""The Atom feed of publications (/feed.atom)."""
import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from charity.log.models import LogHead
from charity.portal.open_data.atom import entry_id
from charity.reports.pdf import ICC_RESOURCE_WARNING
from tests.portal.api_world import world  # noqa: F401  (fixture)

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
A = "{http://www.w3.org/2005/Atom}"


def stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def publication_entries(root):
    return [e for e in root.findall(f"{A}entry")
            if e.find(f"{A}category").get("term") != "log-head"]


def head_entries(root):
    return [e for e in root.findall(f"{A}entry")
            if e.find(f"{A}category").get("term") == "log-head"]


def test_feed_is_atom_with_the_publications_newest_first(client, world, db):
    r = client.get("/feed.atom")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    root = ET.fromstring(r.data)  # parses: the "<募捐> &" in a title was escaped
    assert root.tag == f"{A}feed"
    assert root.findtext(f"{A}id") == "http://localhost/feed.atom"
    assert root.findtext(f"{A}title") == "慈善信息公开"
    assert root.find(f"{A}author").findtext(f"{A}name") == "慈善超市"
    links = {(link.get("rel"), link.get("href")) for link in root.findall(f"{A}link")}
    assert links == {("self", "http://localhost/feed.atom"),
                     ("alternate", "http://localhost/disclosures/")}
    pubs = sorted(world["pubs"].values(), key=lambda p: p.chain_seq, reverse=True)
    newest_head = db.scalar(sa.select(sa.func.max(LogHead.signed_at)))
    assert root.findtext(f"{A}updated") == stamp(max(pubs[0].published_at, newest_head))
    entries = publication_entries(root)
    assert [e.findtext(f"{A}title") for e in entries] == [p.title for p in pubs]
    assert pubs[-1].title == "冬衣 <募捐> & 助学 · 定期公开（第 1 期）"
    assert b"&lt;\xe5\x8b\x9f\xe6\x8d\x90&gt; &amp;" in r.data  # "<募捐> &" escaped
    final = entries[0]
    pub = pubs[0]
    assert final.findtext(f"{A}id") == entry_id(pub) and entry_id(pub).startswith("urn:uuid:")
    assert final.findtext(f"{A}updated") == stamp(pub.published_at)
    assert final.find(f"{A}author").findtext(f"{A}name") == world["org"].name
    assert [(link.get("rel"), link.get("type"), link.get("href"))
            for link in final.findall(f"{A}link")] == [
        ("alternate", "text/html", f"http://localhost/disclosures/{pub.id}"),
        ("enclosure", "application/pdf", f"http://localhost/disclosures/{pub.id}.pdf")]
    assert final.find(f"{A}category").get("term") == "final"
    summary = final.findtext(f"{A}summary")
    assert summary == (f"报告 GK-{pub.chain_seq:06d} · 全面公开 · 期间 2026-01-01 至 2026-01-31 · "
                       f"发布于 2026-05-01 · 截止 2026-04-30 · 逾期 · "
                       f"PDF 的 SHA-256：{pub.pdf_sha256}")


def test_feed_ids_are_stable_and_distinct(client, world):
    first = ET.fromstring(client.get("/feed.atom").data)
    second = ET.fromstring(client.get("/feed.atom").data)
    ids = [e.findtext(f"{A}id") for e in first.findall(f"{A}entry")]
    assert ids == [e.findtext(f"{A}id") for e in second.findall(f"{A}entry")]
    assert len(publication_entries(first)) == 3 and len(head_entries(first)) >= 3
    assert len(set(ids)) == len(ids)


def test_feed_conditional_get(client, world):
    r = client.get("/feed.atom")
    assert client.get("/feed.atom", headers={"If-None-Match": r.headers["ETag"]}
                      ).status_code == 304
    assert client.get("/feed.atom", headers={"If-Modified-Since": r.headers["Last-Modified"]}
                      ).status_code == 304


def test_empty_feed_is_still_valid(client, db):
    root = ET.fromstring(client.get("/feed.atom").data)
    assert root.findall(f"{A}entry") == []
    assert root.findtext(f"{A}updated") == "2000-01-01T00:00:00Z"


# --- the transparency log's signed heads, so feed readers archive them -----------------------

def _leaf_tree_root(leaf_hashes: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, written again here (not the app's merkle module)."""
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = 1
    while k * 2 < len(leaf_hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + _leaf_tree_root(leaf_hashes[:k])
                          + _leaf_tree_root(leaf_hashes[k:])).digest()


def test_feed_carries_every_recent_signed_head(client, world, db):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    root = ET.fromstring(client.get("/feed.atom").data)
    heads = db.scalars(sa.select(LogHead).order_by(LogHead.id.desc())).all()
    assert len(heads) >= len(world["pubs"])  # one per publication at least
    entries = head_entries(root)
    assert len(entries) == min(len(heads), 20)
    key = client.get("/api/v1/log/key").json
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key["public_key"]))
    leaves = db.execute(sa.text("SELECT leaf FROM log_leaf ORDER BY leaf_index")).scalars()
    leaf_hashes = [hashlib.sha256(b"\x00" + leaf.encode("utf-8")).digest() for leaf in leaves]
    for entry, head in zip(entries, heads):
        timestamp = stamp(head.signed_at)
        data = json.loads(entry.findtext(f"{A}content"))
        assert entry.find(f"{A}content").get("type") == "text"
        assert data == {"tree_size": head.tree_size, "root_hash": head.root_hash,
                        "timestamp": timestamp, "signature": head.signature,
                        "key_id": key["key_id"]}
        # What the feed archives is a real head: its root is the tree of that many leaves,
        # and the installation's key signed it.
        assert bytes.fromhex(data["root_hash"]) == _leaf_tree_root(
            leaf_hashes[:data["tree_size"]])
        public.verify(bytes.fromhex(data["signature"]),
                      f"charity-transparency-log/v1\n{data['tree_size']}\n{data['root_hash']}\n"
                      f"{timestamp}\n".encode())
        assert entry.findtext(f"{A}updated") == entry.findtext(f"{A}published") == timestamp
        assert entry.findtext(f"{A}title") == f"透明日志签名树头：{head.tree_size} 条"
        summary = entry.findtext(f"{A}summary")
        for value in (str(head.tree_size), head.root_hash, timestamp, key["key_id"],
                      head.signature):
            assert value in summary
        assert [(link.get("rel"), link.get("href")) for link in entry.findall(f"{A}link")] \
            == [("related", "http://localhost/api/v1/log/key")]
        assert entry.findtext(f"{A}id").startswith("urn:uuid:")
    newest = json.loads(entries[0].findtext(f"{A}content"))
    assert newest == client.get("/api/v1/log/head").json


def test_feed_last_modified_follows_a_new_head(client, world, db, app):
    from charity.log.services import sign_head

    before = client.get("/feed.atom")
    later = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=1)
    sign_head(db, app.instance_path, now=later)
    db.commit()
    # A head alone leaves no mark the page cache watches (it keeps pages up to its max age):
    # start from an empty cache, as a minute later.
    app.extensions.pop("charity_page_cache", None)
    after = client.get("/feed.atom", headers={"If-Modified-Since":
                                              before.headers["Last-Modified"]})
    assert after.status_code == 200
    assert after.last_modified == later
    root = ET.fromstring(after.data)
    assert root.findtext(f"{A}updated") == stamp(later)
    assert json.loads(head_entries(root)[0].findtext(f"{A}content"))["timestamp"] == \
        stamp(later)
