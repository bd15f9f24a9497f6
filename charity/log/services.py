"""The write side of the transparency log: every publication becomes a leaf, every change of
the tree gets a signed head, and a head is signed at least daily.

Plain Python (no Flask): callers pass the session and the instance folder (where the key
lives). Services flush; the caller commits, in the same transaction as the publication, so
a publication and its leaf exist together or not at all.
"""
from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.db import utcnow
from charity.disclosure.models import Publication
from charity.log import keys, merkle, queries
from charity.log.keys import format_timestamp
from charity.log.models import LogHead, LogLeaf, LogNode

LOCK_KEY = 0x6C6F67747265  # "logtre": the PostgreSQL advisory lock of the log
HEAD_MAX_AGE = dt.timedelta(days=1)
LEAF_VERSION = 1


def canonical_json(data: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8 (not \\u-escaped): one byte string per content."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def report_no(chain_seq: int) -> str:
    return f"GK-{chain_seq:06d}"


def _published_name(snapshot: str | None, fallback: str) -> str:
    """The organisation's name as the report printed it (the snapshot, which its SHA-256
    commits to), so a later renaming does not change what the leaf says."""
    try:
        return json.loads(snapshot)["organization"]["name"]
    except (TypeError, ValueError, KeyError):
        return fallback


def leaf_facts(publication: Publication) -> dict:
    """The publication's public facts, as its leaf states them (format version 1)."""
    p = publication
    return {
        "v": LEAF_VERSION, "report_no": report_no(p.chain_seq), "publication_id": p.id,
        "organization_id": p.organization_id,
        "organization_name": _published_name(p.snapshot, p.organization.name),
        "subject_type": p.subject_type, "subject_id": p.subject_id, "kind": p.kind,
        "seq": p.seq, "title": p.title, "period_start": p.period_start.isoformat(),
        "period_end": p.period_end.isoformat(),
        "due": p.due.isoformat() if p.due else None,
        "published_on": p.published_on.isoformat(), "pdf_sha256": p.pdf_sha256,
        "snapshot_sha256": p.snapshot_sha256,
        "corrects": report_no(p.corrects.chain_seq) if p.corrects_id else None,
    }


def lock_log(session: Session) -> None:
    """Serialise writers of the log: PostgreSQL advisory lock until commit; SQLite writers
    already hold the database's write lock (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})


def _add_leaf(session: Session, publication: Publication, index: int) -> LogLeaf:
    data = canonical_json(leaf_facts(publication))
    digest = merkle.leaf_hash(data)
    leaf = LogLeaf(leaf_index=index, publication_id=publication.id, leaf_hash=digest.hex(),
                   leaf=data.decode("utf-8"))
    session.add(leaf)
    # The perfect subtrees this leaf completes: one per trailing 1 bit of its index.
    siblings = []
    level, i = 0, index
    while i & 1:
        siblings.append(((i - 1) << level, i << level))
        level, i = level + 1, i >> 1
    stored = queries.piece_hashes(session, siblings) if siblings else {}
    current, level, i = digest, 0, index
    for sibling in siblings:
        current = merkle.node_hash(stored[sibling], current)
        level, i = level + 1, i >> 1
        session.add(LogNode(level=level, node_index=i, node_hash=current.hex()))
    session.flush()
    return leaf


def append_publication(session: Session, publication: Publication,
                       instance_path: str) -> LogLeaf:
    """Add the publication's leaf at the end of the log and sign the new head. Appending a
    publication that is already in the log returns its leaf and changes nothing."""
    lock_log(session)
    existing = queries.leaf_for_publication(session, publication.id)
    if existing is not None:
        return existing
    leaf = _add_leaf(session, publication, queries.leaf_count(session))
    sign_head(session, instance_path)
    return leaf


def append_pending(session: Session, instance_path: str) -> int:
    """Add every publication not yet in the log, in chain order, then sign one head. For
    publishers that render later (the province generator calls it after sealing its chain)
    and as a safety net; returns how many were added."""
    lock_log(session)
    logged = sa.select(LogLeaf.publication_id)
    ids = session.scalars(sa.select(Publication.id).where(Publication.id.not_in(logged))
                          .order_by(Publication.chain_seq)).all()
    index = queries.leaf_count(session)
    for pub_id in ids:
        _add_leaf(session, session.get(Publication, pub_id), index)
        index += 1
    if ids:
        sign_head(session, instance_path)
    return len(ids)


def sign_head(session: Session, instance_path: str, now: dt.datetime | None = None) -> LogHead:
    """Sign the tree as it stands. Timestamps are whole seconds and never go back, even
    between servers whose clocks disagree, so monitors may insist that they only grow."""
    lock_log(session)
    private = keys.load_or_create(instance_path)
    raw = keys.public_bytes(private)
    size = queries.leaf_count(session)
    root = queries.root(session, size).hex()
    stamp = (now or utcnow()).astimezone(dt.timezone.utc).replace(microsecond=0)
    last = queries.latest_head(session)
    if last is not None and last.signed_at > stamp:
        stamp = last.signed_at
    head = LogHead(tree_size=size, root_hash=root, signed_at=stamp, key_id=keys.key_id(raw),
                   signature=keys.sign(private, size, root, format_timestamp(stamp)))
    session.add(head)
    session.flush()
    return head


def sign_head_if_stale(session: Session, instance_path: str,
                       now: dt.datetime) -> LogHead | None:
    """The daily head: sign one if there is none, if leaves were added since the last one
    (after the migration's back-fill), or if the last is older than a day. Returns the new
    head, or None when the last one is fresh."""
    lock_log(session)
    last = queries.latest_head(session)
    if (last is None or last.tree_size != queries.leaf_count(session)
            or now - last.signed_at >= HEAD_MAX_AGE):
        return sign_head(session, instance_path, now)
    return None


def verify_log(session: Session, instance_path: str | None = None) -> list[str]:
    """For `charity verify`: recompute every leaf from its publication, every stored subtree
    from the leaves, every head's root, and the signature of every head signed by the key in
    `instance_path` (read if there is one, never created). Names each mismatch."""
    problems: list[str] = []
    leaves = session.scalars(sa.select(LogLeaf).order_by(LogLeaf.leaf_index)).all()
    hashes = []
    for expected, leaf in enumerate(leaves):
        pub = session.get(Publication, leaf.publication_id)
        label = f"log entry {leaf.leaf_index} ({report_no(pub.chain_seq)})"
        if leaf.leaf_index != expected:
            problems.append(f"{label}: index {leaf.leaf_index}, expected {expected}")
        if merkle.leaf_hash(leaf.leaf.encode("utf-8")).hex() != leaf.leaf_hash:
            problems.append(f"{label}: leaf hash does not match the leaf")
        if canonical_json(leaf_facts(pub)).decode("utf-8") != leaf.leaf:
            problems.append(f"{label}: the publication no longer says what the log says")
        hashes.append(bytes.fromhex(leaf.leaf_hash))
    tree = perfect_subtrees(hashes)
    stored = {(n.level, n.node_index): n.node_hash for n in session.scalars(sa.select(LogNode))}
    for key in sorted(stored.keys() ^ {k for k in tree if k[0]}):
        problems.append(f"log node {key[0]}/{key[1]}: missing or not made of the leaves")
    for key in sorted(stored.keys() & tree.keys()):
        if tree[key].hex() != stored[key]:
            problems.append(f"log node {key[0]}/{key[1]}: does not match the leaves")
    unlogged = session.scalar(sa.select(sa.func.count(Publication.id)).where(
        Publication.id.not_in(sa.select(LogLeaf.publication_id))))
    if unlogged:
        problems.append(f"{unlogged} publications are not in the log")
    public = None
    if instance_path is not None and keys.key_path(instance_path).exists():
        public = keys.public_bytes(keys.load_or_create(instance_path))
    return problems + _verify_heads(session, len(hashes), tree, public)


def _verify_heads(session: Session, size: int, tree: dict, public: bytes | None) -> list[str]:
    problems = []
    kid = keys.key_id(public) if public is not None else None
    previous = None
    for head in session.scalars(sa.select(LogHead).order_by(LogHead.id)):
        label = f"log head {head.id} (size {head.tree_size})"
        if head.tree_size > size or _root(tree, head.tree_size).hex() != head.root_hash:
            problems.append(f"{label}: root does not match the leaves")
        if head.key_id == kid and not keys.verify(public, head.tree_size, head.root_hash,
                                                  format_timestamp(head.signed_at),
                                                  head.signature):
            problems.append(f"{label}: signature does not verify")
        if previous is not None and (head.tree_size < previous.tree_size
                                     or head.signed_at < previous.signed_at):
            problems.append(f"{label}: goes back from head {previous.id}")
        previous = head
    return problems


def perfect_subtrees(hashes: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete subtree's hash, (level, index) → digest, level 0 being the leaves:
    what log_leaf and log_node must hold, computed in memory in O(n)."""
    tree = {(0, i): h for i, h in enumerate(hashes)}
    level, row = 0, hashes
    while len(row) > 1:
        row = [merkle.node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level += 1
        tree.update(((level, i), h) for i, h in enumerate(row))
    return tree


def _root(tree: dict, size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.fold_pieces(0, size, lambda piece: tree[queries.piece_key(piece)])
