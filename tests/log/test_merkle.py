"""The Merkle hashing and proofs (charity.log.merkle), and the monitor's own copy of the
verifiers (charity.log.standalone_monitor), against

- the published RFC 6962 test vectors of the certificate-transparency reference
  implementation (merkle_tree_test.cc, also transparency-dev/merkle testonly), and
- a second implementation written here straight from the RFC text: recursive MTH, PATH
  and PROOF over the raw leaves, for every tree size 1..64 and every index pair.
"""
from __future__ import annotations

import hashlib

import pytest

from charity.log import merkle
from charity.log import standalone_monitor as outsider

H = bytes.fromhex


# --- the second implementation: RFC 9162 §2.1, word for word ----------------------------------

def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ref_mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _sha(b"")
    if n == 1:
        return _sha(b"\x00" + d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _sha(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return ref_subproof(m, d[:k], b) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


LEAVES = [f"leaf {i}: 公开 {i * i}".encode() for i in range(64)]
HASHES = [merkle.leaf_hash(x) for x in LEAVES]
SIZES = range(1, 65)


# --- published vectors --------------------------------------------------------------------------

CT_LEAVES = [H(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                            "606162636465666768696a6b6c6d6e6f")]
CT_ROOTS = [H(x) for x in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
CT_INCLUSION = {
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}
CT_CONSISTENCY = {
    (1, 1): [],
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}


def test_the_empty_tree_is_the_hash_of_nothing():
    assert merkle.EMPTY_ROOT == CT_ROOTS[0] == _sha(b"")
    assert merkle.mth([]) == CT_ROOTS[0]
    assert outsider.mth([]) == CT_ROOTS[0]


@pytest.mark.parametrize("size", range(1, 9))
def test_published_roots(size):
    hashes = [merkle.leaf_hash(x) for x in CT_LEAVES[:size]]
    assert merkle.mth(hashes) == CT_ROOTS[size]
    assert outsider.mth(hashes) == CT_ROOTS[size]
    assert ref_mth(CT_LEAVES[:size]) == CT_ROOTS[size]


def test_published_proofs():
    hashes = [merkle.leaf_hash(x) for x in CT_LEAVES]
    subtree = merkle.list_subtree(hashes)
    for (index, size), proof in CT_INCLUSION.items():
        proof = [H(p) for p in proof]
        assert merkle.inclusion_proof(index, size, subtree) == proof
        for verify in (merkle.verify_inclusion, outsider.verify_inclusion):
            assert verify(hashes[index], index, size, proof, CT_ROOTS[size])
    for (first, second), proof in CT_CONSISTENCY.items():
        proof = [H(p) for p in proof]
        assert merkle.consistency_proof(first, second, subtree) == proof
        for verify in (merkle.verify_consistency, outsider.verify_consistency):
            assert verify(first, second, CT_ROOTS[first], CT_ROOTS[second], proof)


# --- every size, every pair, against the RFC text ---------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_root_and_pieces_agree_with_the_rfc(size):
    d = LEAVES[:size]
    expected = ref_mth(d)
    assert merkle.mth(HASHES[:size]) == expected
    assert outsider.mth(HASHES[:size]) == expected
    # The stored-node route: aligned perfect pieces folded back give the same root.
    pieces = merkle.perfect_pieces(0, size)
    assert sum(b - a for a, b in pieces) == size
    assert all(merkle.is_power_of_two(b - a) and a % (b - a) == 0 for a, b in pieces)
    assert merkle.fold_pieces(0, size, lambda r: ref_mth(LEAVES[r[0]:r[1]])) == expected


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_proofs_agree_with_the_rfc(size):
    d, root = LEAVES[:size], ref_mth(LEAVES[:size])
    subtree = merkle.list_subtree(HASHES[:size])
    for m in range(size):
        proof = merkle.inclusion_proof(m, size, subtree)
        assert proof == ref_path(m, d), (m, size)
        for verify in (merkle.verify_inclusion, outsider.verify_inclusion):
            assert verify(HASHES[m], m, size, proof, root)
            # Anything else is refused: another leaf, index, size, root, or a changed proof.
            assert not verify(HASHES[(m + 1) % 64], m, size, proof, root)
            assert not verify(HASHES[m], m, size, proof, _sha(root))
            if size > 1:
                assert not verify(HASHES[m], (m + 1) % size, size, proof, root)
                bad = list(proof)
                bad[-1] = _sha(bad[-1])
                assert not verify(HASHES[m], m, size, bad, root)
                assert not verify(HASHES[m], m, size, proof[:-1], root)
            assert not verify(HASHES[m], m, size, proof + [root], root)
            assert not verify(HASHES[m], size, size, proof, root)


@pytest.mark.parametrize("second", SIZES)
def test_consistency_proofs_agree_with_the_rfc(second):
    d = LEAVES[:second]
    second_root = ref_mth(d)
    subtree = merkle.list_subtree(HASHES[:second])
    for first in range(1, second + 1):
        first_root = ref_mth(LEAVES[:first])
        proof = merkle.consistency_proof(first, second, subtree)
        assert proof == (ref_proof(first, d) if first < second else []), (first, second)
        for verify in (merkle.verify_consistency, outsider.verify_consistency):
            assert verify(first, second, first_root, second_root, proof)
            # A rewritten history (another first root) or another second tree is refused.
            assert not verify(first, second, _sha(first_root), second_root, proof)
            assert not verify(first, second, first_root, _sha(second_root), proof)
            if proof:
                bad = list(proof)
                bad[0] = _sha(bad[0])
                assert not verify(first, second, first_root, second_root, bad)
                assert not verify(first, second, first_root, second_root, proof[:-1])
            if first < second:
                assert not verify(first, second, first_root, second_root, [])
                assert not verify(second, first, second_root, first_root, proof)


def test_the_empty_tree_is_consistent_with_every_tree():
    assert merkle.consistency_ranges(0, 5) == []
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, ref_mth(LEAVES[:5]), [])
    assert not merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, ref_mth(LEAVES[:5]),
                                         [merkle.EMPTY_ROOT])


def test_ranges_a_proof_asks_for_are_few_stored_pieces():
    """Every range PATH or PROOF needs splits into O(log n) stored perfect subtrees: what
    keeps a proof's cost flat as the log grows."""
    n = 1000
    for m in (0, 1, 500, 998, 999):
        ranges = merkle.inclusion_ranges(m, n)
        assert sum(len(merkle.perfect_pieces(a, b)) for a, b in ranges) <= 2 * 10
    ranges = merkle.consistency_ranges(377, n)
    assert sum(len(merkle.perfect_pieces(a, b)) for a, b in ranges) <= 2 * 10


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(3, 3)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(4, 3)
    with pytest.raises(ValueError):
        merkle.perfect_pieces(2, 2)
