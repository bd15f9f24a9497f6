"""Merkle tree hashing and proofs of RFC 9162 §2.1 (the same hashing as RFC 6962).

Pure functions over 32-byte SHA-256 digests; no database, no Flask.

A tree over leaves d(0) … d(n-1) is never stored whole. Every hash a proof or a root needs is
the Merkle Tree Hash (MTH) of a range of leaves [start, end); the generators here only say
*which* ranges, in the order the RFC's PATH and PROOF list them, and a `subtree` callable
answers each range. The log answers them from stored nodes of aligned perfect subtrees
(`perfect_pieces`), so a proof costs O(log n) reads whatever the size of the log.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Range = tuple[int, int]
SubtreeHash = Callable[[int, int], bytes]

EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = SHA-256() (RFC 9162 §2.1.1)


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    if n < 2:
        raise ValueError("a tree of fewer than 2 leaves is not split")
    return 1 << ((n - 1).bit_length() - 1)


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def mth(hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of leaves given by their leaf hashes (O(n)): the reference the
    stored nodes are built from and checked against."""
    if not hashes:
        return EMPTY_ROOT
    # Bottom-up: pair neighbours; an odd last node is carried up unchanged, which gives the
    # RFC's split at the largest power of two (left subtrees are always perfect).
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def list_subtree(hashes: Sequence[bytes]) -> SubtreeHash:
    """A `subtree` callable over an in-memory list of leaf hashes."""
    return lambda start, end: mth(hashes[start:end])


# --- which subtrees: aligned perfect pieces ---------------------------------------------------

def perfect_pieces(start: int, end: int) -> list[Range]:
    """[start, end) split as the RFC splits it, down to perfect subtrees (2^j leaves starting
    at a multiple of 2^j), left to right. For any range a PATH or PROOF asks for there are at
    most ~2·log2(n) pieces; `fold_pieces` rebuilds the range's MTH from their hashes."""
    size = end - start
    if size <= 0:
        raise ValueError("empty range")
    if is_power_of_two(size) and start % size == 0:
        return [(start, end)]
    k = split_point(size)
    return perfect_pieces(start, start + k) + perfect_pieces(start + k, end)


def fold_pieces(start: int, end: int, piece_hash: Callable[[Range], bytes]) -> bytes:
    """MTH(D[start:end]) from the hashes of its `perfect_pieces`."""
    size = end - start
    if is_power_of_two(size) and start % size == 0:
        return piece_hash((start, end))
    k = split_point(size)
    return node_hash(fold_pieces(start, start + k, piece_hash),
                     fold_pieces(start + k, end, piece_hash))


# --- inclusion: PATH(m, D[n]) (RFC 9162 §2.1.3.1) ---------------------------------------------

def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose MTHs form PATH(index, D[0:size]), leaf-side first."""
    if not 0 <= index < size:
        raise ValueError("index outside the tree")
    out: list[Range] = []
    lo, hi, m = 0, size, index
    # The RFC's recursion appends on the way back up, so collect top-down and reverse.
    while hi - lo > 1:
        k = split_point(hi - lo)
        if m < k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m = lo + k, m - k
    out.reverse()
    return out


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    return [subtree(a, b) for a, b in inclusion_ranges(index, size)]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` show the leaf hash `leaf` at `index` in the tree of
    `size` leaves with root `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# --- consistency: PROOF(m, D[n]) (RFC 9162 §2.1.4.1) ------------------------------------------

def consistency_ranges(first: int, second: int) -> list[Range]:
    """The ranges whose MTHs form PROOF(first, D[0:second]); empty when first is 0 or equal
    to second (nothing to prove)."""
    if not 0 <= first <= second:
        raise ValueError("first must be between 0 and second")
    if first in (0, second):
        return []
    out: list[Range] = []
    lo, hi, m, complete = 0, second, first, True
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        out.append((lo, hi))  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
    out.reverse()
    return out


def consistency_proof(first: int, second: int, subtree: SubtreeHash) -> list[bytes]:
    return [subtree(a, b) for a, b in consistency_ranges(first, second)]


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `second` leaves with `second_root` an append-only
    extension of the tree of `first` leaves with `first_root`?"""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof  # every tree extends the empty one
    if not proof:
        return False
    path = list(proof)
    if is_power_of_two(first):
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
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
