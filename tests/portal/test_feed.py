"""The Atom feed of publications (/feed.atom)."""
import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from charity.portal.open_data.atom import entry_id
from charity.reports.pdf import ICC_RESOURCE_WARNING
from tests.portal.api_world import world  # noqa: F401  (fixture)

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
A = "{http://www.w3.org/2005/Atom}"


def stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def test_feed_is_atom_with_the_publications_newest_first(client, world):
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
    assert root.findtext(f"{A}updated") == stamp(pubs[0].published_at)
    entries = root.findall(f"{A}entry")
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
    assert len(set(ids)) == 3


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
