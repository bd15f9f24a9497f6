"""The log inside the installation: every publication becomes a leaf in chain order, stored
subtrees and roots agree with the in-memory Merkle tree, heads are signed and never go back,
the tables are append-only, and `verify_log` names what an insider changed."""
from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest
import sqlalchemy as sa

from charity.disclosure.models import Publication
from charity.log import keys, merkle, queries, services
from charity.log.models import LogHead, LogLeaf, LogNode
from tests.log.world import rewrite_publication


def _leaves(db):
    return db.scalars(sa.select(LogLeaf).order_by(LogLeaf.leaf_index)).all()


def test_every_publication_is_a_leaf_in_chain_order(db, published):
    leaves = _leaves(db)
    pubs = published["pubs"]
    assert [lf.publication_id for lf in leaves] == [p.id for p in pubs]
    assert [lf.leaf_index for lf in leaves] == list(range(7))
    correction = pubs[3]
    facts = json.loads(leaves[3].leaf)
    assert facts == {
        "v": 1, "report_no": "GK-000004", "publication_id": correction.id,
        "organization_id": published["org"].id, "organization_name": "日志测试慈善会",
        "subject_type": "campaign", "subject_id": correction.subject_id, "kind": "correction",
        "seq": 1, "title": correction.title, "period_start": "2026-01-01",
        "period_end": "2026-03-31", "due": None, "published_on": "2026-04-05",
        "pdf_sha256": correction.pdf_sha256, "snapshot_sha256": correction.snapshot_sha256,
        "corrects": "GK-000001"}
    assert json.loads(leaves[0].leaf)["due"] == "2026-04-01"
    for lf in leaves:
        # Canonical: sorted keys, no spaces, UTF-8 (Chinese as is, not \u-escaped).
        assert lf.leaf == json.dumps(json.loads(lf.leaf), ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":"))
        assert lf.leaf_hash == merkle.leaf_hash(lf.leaf.encode("utf-8")).hex()
    assert "日志测试慈善会" in leaves[0].leaf


def test_a_head_is_signed_after_each_publication(db, app, published):
    heads = db.scalars(sa.select(LogHead).order_by(LogHead.id)).all()
    assert [h.tree_size for h in heads] == list(range(1, 8))
    private = keys.load_or_create(app.instance_path)
    raw = keys.public_bytes(private)
    hashes = [bytes.fromhex(lf.leaf_hash) for lf in _leaves(db)]
    for h in heads:
        assert h.key_id == keys.key_id(raw) == h.key_id.lower()
        assert h.root_hash == merkle.mth(hashes[:h.tree_size]).hex()
        assert h.signed_at.microsecond == 0
        assert keys.verify(raw, h.tree_size, h.root_hash, services.format_timestamp(h.signed_at),
                           h.signature)
        assert not keys.verify(raw, h.tree_size + 1, h.root_hash,
                               services.format_timestamp(h.signed_at), h.signature)
    assert services.verify_log(db, app.instance_path) == []


def test_the_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    first = keys.load_or_create(tmp_path / "instance")
    path = keys.key_path(tmp_path / "instance")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.public_bytes(keys.load_or_create(tmp_path / "instance")) == keys.public_bytes(first)
    assert [p.name for p in path.parent.iterdir()] == [keys.KEY_FILE]  # no temporary left
    os.chmod(path, 0o644)  # copied in carelessly: closed again
    keys.load_or_create(tmp_path / "instance")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    kid = keys.key_id(keys.public_bytes(first))
    assert len(kid) == 64 and keys.fingerprint(kid).replace(" ", "") == kid


def test_stored_subtrees_give_the_roots_and_proofs_of_the_whole_tree(db, published):
    hashes = [bytes.fromhex(lf.leaf_hash) for lf in _leaves(db)]
    tree = services.perfect_subtrees(hashes)
    stored = {(n.level, n.node_index): n.node_hash for n in db.scalars(sa.select(LogNode))}
    assert stored == {k: v.hex() for k, v in tree.items() if k[0]}
    subtree = merkle.list_subtree(hashes)
    for size in range(1, 8):
        assert queries.root(db, size) == merkle.mth(hashes[:size])
        for index in range(size):
            assert queries.inclusion_path(db, index, size) == \
                merkle.inclusion_proof(index, size, subtree)
        for first in range(1, size + 1):
            assert queries.consistency_path(db, first, size) == \
                merkle.consistency_proof(first, size, subtree)
    assert queries.root(db, 0) == merkle.EMPTY_ROOT


def test_appending_is_idempotent_and_pending_publications_catch_up(db, app, published,
                                                                   fast_pdfs):
    from charity.disclosure.publishing import _publish

    pubs = published["pubs"]
    assert services.append_publication(db, pubs[2], app.instance_path).leaf_index == 2
    assert queries.leaf_count(db) == 7
    # A publisher that renders later (the province generator) is not logged until sealed.
    late = _publish(db, organization_id=pubs[0].organization_id, subject_type="organization",
                    subject_id=pubs[0].organization_id, kind="annual", seq=2025,
                    period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31),
                    due=dt.date(2026, 5, 31), on=dt.date(2026, 5, 1), actor=None,
                    renderer=lambda s, m: ("", b""))
    assert queries.leaf_for_publication(db, late.id) is None
    assert any("not in the log" in p for p in services.verify_log(db))
    assert services.append_pending(db, app.instance_path) == 1
    assert queries.leaf_for_publication(db, late.id).leaf_index == 7
    assert queries.latest_head(db).tree_size == 8
    assert services.append_pending(db, app.instance_path) == 0
    assert services.verify_log(db, app.instance_path) == []


def test_the_daily_head_and_time_that_never_goes_back(db, app, published):
    last = queries.latest_head(db)
    assert services.sign_head_if_stale(db, app.instance_path, last.signed_at) is None
    later = last.signed_at + dt.timedelta(hours=23)
    assert services.sign_head_if_stale(db, app.instance_path, later) is None
    daily = services.sign_head_if_stale(db, app.instance_path, last.signed_at
                                        + dt.timedelta(days=1, microseconds=5))
    assert daily.tree_size == 7 and daily.root_hash == last.root_hash
    assert daily.signed_at == last.signed_at + dt.timedelta(days=1)
    # A server whose clock is behind signs at the latest time seen, not before it.
    behind = services.sign_head(db, app.instance_path, daily.signed_at - dt.timedelta(hours=5))
    assert behind.signed_at == daily.signed_at
    assert services.verify_log(db, app.instance_path) == []


def _refused(db, sql, **params):
    with pytest.raises(sa.exc.DatabaseError) as caught:
        with db.begin_nested():
            db.execute(sa.text(sql), params)
    assert "the transparency log is append-only" in str(caught.value)


def test_the_log_tables_are_append_only(db, published):
    _refused(db, "UPDATE log_leaf SET leaf_hash = :h WHERE leaf_index = 1", h="0" * 64)
    _refused(db, "DELETE FROM log_leaf WHERE leaf_index = 6")
    _refused(db, "UPDATE log_node SET node_hash = :h", h="0" * 64)
    _refused(db, "DELETE FROM log_node")
    _refused(db, "UPDATE log_head SET tree_size = 1")
    _refused(db, "DELETE FROM log_head")
    if db.get_bind().dialect.name == "postgresql":
        _refused(db, "TRUNCATE log_head")
    assert queries.leaf_count(db) == 7


def test_verify_names_a_publication_rewritten_behind_the_log(db, app, published):
    """The insider's rewrite that the hash chain alone cannot see: the log still says what
    was published."""
    from charity.disclosure.publishing import sha256, verify_publications

    target = published["pubs"][1]
    rewrite_publication(db, target.id, b"%PDF-1.4\n% forged\n")
    assert verify_publications(db) == []  # the chain was recomputed: it cannot tell
    problems = services.verify_log(db, app.instance_path)
    assert problems == ["log entry 1 (GK-000002): the publication no longer says what the "
                        "log says"]
    assert db.get(Publication, target.id).pdf_sha256 == sha256(b"%PDF-1.4\n% forged\n")


def test_what_the_page_the_pdf_and_the_feed_will_show(db, published):
    """The helpers left for the disclosure page, the PDF anchor and the Atom feed."""
    pub = published["pubs"][4]
    shown = queries.inclusion_for_publication(db, pub.id)
    head = shown["head"]
    assert shown["index"] == 4 and head == queries.head_json(queries.latest_head(db))
    assert merkle.verify_inclusion(bytes.fromhex(shown["leaf_hash"]), 4, head["tree_size"],
                                   [bytes.fromhex(h) for h in shown["inclusion_path"]],
                                   bytes.fromhex(head["root_hash"]))
    assert queries.inclusion_for_publication(db, 2**30) is None
    anchor = queries.pdf_anchor(db)
    assert anchor["log_index"] == 7 and anchor["tree_size"] == 7
    assert anchor["root_hash"] == head["root_hash"]
    assert [h.tree_size for h in queries.recent_heads(db, 3)] == [7, 6, 5]
