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

# Hashing (leaf: SHA-256(0x00||d), node: SHA-256(0x01||l||r)), the MTH and the two proof
# checks of RFC 9162 §2.1.3.2 and §2.1.4.2 have one implementation: the monitor's, which
# needs only the standard library (tools/monitor.py is a copy of it) — so the log and the
# monitors that outsiders run cannot disagree about what a valid proof is.
from charity.log.standalone_monitor import (  # noqa: E402,F401
    leaf_hash, mth, node_hash, verify_consistency, verify_inclusion)



def split_point(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    if n < 2:
        raise ValueError("a tree of fewer than 2 leaves is not split")
    return 1 << ((n - 1).bit_length() - 1)


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


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
