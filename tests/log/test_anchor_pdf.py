"""The printed anchor (issue 18): each disclosure PDF prints its log index and the latest
signed head before it, so a paper copy can be checked against the log years later. Real
PDFs (WeasyPrint), read back as text; the expected values are computed here from the log's
rows and the public key, not taken from the code that printed them."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from charity.reports.pdf import ICC_RESOURCE_WARNING, pdf_text

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)


def _text(pdf: bytes) -> str:
    """The PDF's text without white space (long hashes wrap over lines on paper)."""
    return "".join("".join(pdf_text(pdf)).split())


def test_each_pdf_prints_its_log_index_and_the_signed_head_before_it(db, client):
    from charity.core.system import system_actor
    from charity.disclosure.models import Publication
    from charity.disclosure.publishing import publish_correction
    from charity.log.models import LogHead, LogLeaf
    from charity.ops.scheduler import tick
    from tests.log.world import make_campaigns, new_org

    org = new_org(db, "纸本锚点慈善会", "51620102MJ0000801")
    make_campaigns(db, org, 1, prefix="纸本锚点")
    tick(db, dt.date(2026, 4, 1))
    first = db.scalars(sa.select(Publication)).one()
    # The very first publication: nothing was signed before it.
    text = _text(first.pdf)
    assert "透明日志：本报告为公开日志第0号条目（序号从0起）。" in text
    assert "此前尚无签名树头（树大小0）。" in text

    head_before = db.scalars(sa.select(LogHead).order_by(LogHead.id.desc())).first()
    fix = publish_correction(system_actor(), db, first, "分类有误", dt.date(2026, 4, 5))
    db.commit()
    assert fix.kind == "correction"
    # Independently: the head before the correction covers the one leaf there was, so its
    # root is that leaf's hash (RFC 9162: SHA-256 of 0x00 and the leaf), and the key whose
    # SHA-256 is the key id signed its four lines.
    leaf = db.scalars(sa.select(LogLeaf).where(LogLeaf.publication_id == first.id)).one()
    root = hashlib.sha256(b"\x00" + leaf.leaf.encode("utf-8")).hexdigest()
    raw = bytes.fromhex(client.get("/api/v1/log/key").json["public_key"])
    key_id = hashlib.sha256(raw).hexdigest()
    stamp = head_before.signed_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (head_before.tree_size, head_before.root_hash) == (1, root)
    text = _text(fix.pdf)
    assert "透明日志：本报告为公开日志第1号条目（序号从0起）。" in text
    printed = (f"此前最新签名树头：树大小1；根哈希{root}；签署时间{stamp}；密钥标识{key_id}；"
               f"签名{head_before.signature}。")
    assert printed in text
    # What is printed is a signed head a reader can check on paper with the public key.
    Ed25519PublicKey.from_public_bytes(raw).verify(
        bytes.fromhex(head_before.signature),
        f"charity-transparency-log/v1\n1\n{root}\n{stamp}\n".encode())
    # And the log index printed is the one the log gave it.
    assert db.scalars(sa.select(LogLeaf.leaf_index).where(
        LogLeaf.publication_id == fix.id)).one() == 1
