"""The read side of the transparency log: heads, entries, roots and proofs.

Every hash a root or proof needs is folded from stored perfect subtrees (log_leaf for single
leaves, log_node above), fetched in at most two queries: the cost of a proof is O(log n)
whatever the size of the log.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.log import merkle
from charity.log.keys import format_timestamp
from charity.log.models import LogHead, LogLeaf, LogNode
from charity.log.merkle import Range

MAX_ENTRIES = 100  # per call of GET /api/v1/log/entries


def latest_head(session: Session) -> LogHead | None:
    return session.scalar(sa.select(LogHead).order_by(LogHead.id.desc()).limit(1))


def recent_heads(session: Session, limit: int = 20) -> list[LogHead]:
    """The latest signed heads, newest first (for the Atom feed, so readers archive them)."""
    return list(session.scalars(sa.select(LogHead).order_by(LogHead.id.desc()).limit(limit)))


def head_json(head: LogHead) -> dict:
    """A head as the API, the feed and the monitor's witness file write it."""
    return {"tree_size": head.tree_size, "root_hash": head.root_hash,
            "timestamp": format_timestamp(head.signed_at),
            "signature": head.signature, "key_id": head.key_id}


def leaf_count(session: Session) -> int:
    """How many leaves (indexes are 0..n-1 without gaps): an index lookup, not a count."""
    last = session.scalar(sa.select(sa.func.max(LogLeaf.leaf_index)))
    return 0 if last is None else last + 1


def entries(session: Session, start: int, end: int) -> list[LogLeaf]:
    """Leaves start..end inclusive (as RFC 6962 get-entries), in order."""
    return list(session.scalars(sa.select(LogLeaf).where(
        LogLeaf.leaf_index.between(start, end)).order_by(LogLeaf.leaf_index)))


def leaf_for_publication(session: Session, publication_id: int) -> LogLeaf | None:
    return session.scalar(sa.select(LogLeaf).where(LogLeaf.publication_id == publication_id))


# --- stored subtree hashes ---------------------------------------------------------------------

def piece_key(piece: Range) -> tuple[int, int]:
    start, end = piece
    level = (end - start).bit_length() - 1
    return level, start >> level


def piece_hashes(session: Session, pieces: Iterable[Range]) -> dict[Range, bytes]:
    """The stored hash of each aligned perfect subtree in `pieces`; a missing one is an
    error (the log is damaged, or the range lies beyond its leaves)."""
    wanted = {piece_key(p): p for p in pieces}
    found: dict[Range, bytes] = {}
    leaves = [i for level, i in wanted if level == 0]
    if leaves:
        for index, digest in session.execute(sa.select(LogLeaf.leaf_index, LogLeaf.leaf_hash)
                                              .where(LogLeaf.leaf_index.in_(leaves))):
            found[wanted[(0, index)]] = bytes.fromhex(digest)
    by_level: dict[int, list[int]] = {}
    for level, i in wanted:
        if level:
            by_level.setdefault(level, []).append(i)
    if by_level:
        cond = sa.or_(*(sa.and_(LogNode.level == level, LogNode.node_index.in_(ids))
                        for level, ids in by_level.items()))
        for level, i, digest in session.execute(
                sa.select(LogNode.level, LogNode.node_index, LogNode.node_hash).where(cond)):
            found[wanted[(level, i)]] = bytes.fromhex(digest)
    missing = set(wanted.values()) - found.keys()
    if missing:
        raise LookupError(f"transparency log: no stored hash for leaves {sorted(missing)}")
    return found


def range_hashes(session: Session, ranges: list[Range]) -> list[bytes]:
    """MTH(D[a:b]) for each range, from stored pieces."""
    pieces = [p for a, b in ranges for p in merkle.perfect_pieces(a, b)]
    stored = piece_hashes(session, pieces) if pieces else {}
    return [merkle.fold_pieces(a, b, stored.__getitem__) for a, b in ranges]


def root(session: Session, size: int) -> bytes:
    """The root of the first `size` leaves."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return range_hashes(session, [(0, size)])[0]


def inclusion_path(session: Session, index: int, size: int) -> list[bytes]:
    return range_hashes(session, merkle.inclusion_ranges(index, size))


def consistency_path(session: Session, first: int, second: int) -> list[bytes]:
    return range_hashes(session, merkle.consistency_ranges(first, second))


def inclusion_for_publication(session: Session, publication_id: int) -> dict | None:
    """What the public disclosure page shows: the publication's leaf and its inclusion proof
    against the latest signed head; None if it is not in a signed head yet."""
    head = latest_head(session)
    leaf = leaf_for_publication(session, publication_id)
    if head is None or leaf is None or leaf.leaf_index >= head.tree_size:
        return None
    path = inclusion_path(session, leaf.leaf_index, head.tree_size)
    return {"index": leaf.leaf_index, "leaf_hash": leaf.leaf_hash, "leaf": leaf.leaf,
            "inclusion_path": [h.hex() for h in path], "head": head_json(head)}


def pdf_anchor(session: Session) -> dict:
    """What the PDF of the publication about to be published prints (call it in
    `disclosure.publishing._publish` before rendering; the chain lock is held, so the index
    is the one `append_publication` will give it): its log index, and the latest signed head
    before it (size, root, time, key id and signature, all as signed: the paper then holds a
    signed head of its own), so a paper copy can be checked against the log years later.
    `timestamp`, `key_id` and `signature` are None before the first head. Plain values only:
    the PDF template uses no filters."""
    head = latest_head(session)
    return {"log_index": leaf_count(session),
            "tree_size": head.tree_size if head else 0,
            "root_hash": head.root_hash if head else merkle.EMPTY_ROOT.hex(),
            "timestamp": format_timestamp(head.signed_at) if head else None,
            "key_id": head.key_id if head else None,
            "signature": head.signature if head else None}
