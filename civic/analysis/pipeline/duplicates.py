"""Campaign detection: exact and near-duplicate contributions.

Exact duplicates share the same normalised text. Near duplicates are found with MinHash over
character shingles of the normalised text and locality-sensitive hashing (LSH); candidate pairs
are checked with the estimated Jaccard similarity. Groups are stars around a leader (the
group's first text): every member is similar to the leader itself, so that a chain of small
edits cannot join texts that have nothing in common (with connected components, 100,000
template-like texts collapsed into a few giant groups). Everything is vectorised with numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from .text import normalize_text

# Buckets up to this size are checked as all pairs; larger ones as a star around their first
# member plus a chain, so that the number of pairs stays linear when thousands of texts share a
# bucket.
_ALL_PAIRS_BUCKET = 16
_VERIFY_CHUNK = 500_000  # pairs checked at once: bounds the memory of the check


def find_duplicates(
    texts: Sequence[str],
    *,
    threshold: float = 0.6,
    shingle_size: int = 5,
    num_perm: int = 64,
    bands: int = 16,
    seed: int = 0,
) -> list[list[int]]:
    """Groups of row indices whose texts are identical or nearly identical.

    Returns only groups of at least two rows, each sorted by index, the groups sorted by size
    (largest first) then by first index. Empty texts (nothing left after normalisation) are
    never duplicates of each other.

    `threshold` is the minimum estimated Jaccard similarity of the character `shingle_size`-grams
    between a text and its group's leader. With 16 bands of 4 hashes, a pair at similarity 0.7
    is a candidate with probability 0.99, at 0.6 with 0.89.
    """
    if num_perm % bands:
        raise ValueError("num_perm must be a multiple of bands")
    normalized = [normalize_text(t) for t in texts]

    # Exact duplicates first: they are cheap, and they would otherwise make huge LSH buckets.
    first_of: dict[str, int] = {}
    owner = np.empty(len(normalized), dtype=np.int64)
    uniques: list[str] = []
    for i, text in enumerate(normalized):
        if not text:
            owner[i] = -1
            continue
        j = first_of.get(text)
        if j is None:
            j = first_of[text] = len(uniques)
            uniques.append(text)
        owner[i] = j

    leader = np.arange(len(uniques))
    if len(uniques) > 1:
        signatures = _minhash(uniques, shingle_size, num_perm, seed)
        pairs = _candidate_pairs(signatures, bands)
        pairs = pairs[_similarity(signatures, pairs) >= threshold]
        leader = _star_groups(len(uniques), pairs, signatures, threshold)

    valid = owner >= 0
    rows = np.flatnonzero(valid)
    components = leader[owner[valid]]
    order = np.lexsort((rows, components))
    rows, components = rows[order], components[order]
    boundaries = np.flatnonzero(np.diff(components)) + 1
    groups = [g.tolist() for g in np.split(rows, boundaries) if len(g) > 1]
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups


def _shingle_hashes(texts: Sequence[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every byte `size`-gram of every text, and where each text's run starts.

    The texts are concatenated into one byte array and hashed with a polynomial over shifted
    views, so there is no Python loop over shingles. Texts shorter than `size` are padded so
    that each has at least one shingle. (32-bit arithmetic: numpy's 64-bit multiply is ten
    times slower here.)
    """
    encoded = [t.encode("utf-8").ljust(size) for t in texts]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.uint32)
    n_positions = len(data) - size + 1
    hashes = np.zeros(n_positions, dtype=np.uint32)
    prime = np.uint32(16_777_619)  # FNV-1 32-bit prime
    for offset in range(size):
        hashes = hashes * prime + data[offset : offset + n_positions]
    # Drop the shingles that straddle two texts: the last size-1 positions of each text.
    ends = np.cumsum(lengths)
    straddling = (ends[:, None] - np.arange(size - 1, 0, -1)[None, :]).ravel()
    keep = np.ones(n_positions, dtype=bool)
    keep[straddling[straddling < n_positions]] = False
    counts = lengths - size + 1
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return hashes[keep], starts


def _minhash(texts: Sequence[str], shingle_size: int, num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures (len(texts) x num_perm, uint32).

    Each hash function is x -> a*x + b mod 2^32 with odd a (a bijection) followed by an
    xorshift, which spreads the well-mixed high bits of the product into the low ones.
    """
    hashes, starts = _shingle_hashes(texts, shingle_size)
    rng = np.random.default_rng(seed)
    multipliers = rng.integers(1, 2**32, size=num_perm, dtype=np.uint32) | np.uint32(1)
    increments = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32)
    shift = np.uint32(15)
    signatures = np.empty((len(texts), num_perm), dtype=np.uint32)
    for p in range(num_perm):
        permuted = hashes * multipliers[p] + increments[p]
        permuted ^= permuted >> shift
        signatures[:, p] = np.minimum.reduceat(permuted, starts)
    return signatures


def _candidate_pairs(signatures: np.ndarray, bands: int) -> np.ndarray:
    """Pairs (i < j) of rows that agree on every value of at least one band, shape (m, 2)."""
    n, num_perm = signatures.shape
    rows = num_perm // bands
    keys: list[np.ndarray] = []
    for band in range(bands):
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        band_keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        order = np.argsort(band_keys, kind="stable")  # by bucket, then by row
        sorted_keys = band_keys[order]
        same_as_next = sorted_keys[1:] == sorted_keys[:-1]
        if not same_as_next.any():
            continue
        starts = np.flatnonzero(np.r_[True, ~same_as_next])
        sizes = np.diff(np.r_[starts, n])
        position = np.arange(n)
        bucket_start = np.repeat(starts, sizes)
        bucket_end = bucket_start + np.repeat(sizes, sizes)
        small = np.repeat(sizes <= _ALL_PAIRS_BUCKET, sizes)
        # Star: every member with its bucket's first (smallest) row.
        keys.append(_pair_keys(order[bucket_start], order, n))
        # All pairs in small buckets, a chain (next member) in large ones: offsets 1, 2, ...
        for offset in range(1, _ALL_PAIRS_BUCKET):
            valid = position + offset < bucket_end
            if offset > 1:
                valid &= small
            if not valid.any():
                break
            keys.append(_pair_keys(order[position[valid]], order[position[valid] + offset], n))
    if not keys:
        return np.empty((0, 2), dtype=np.int64)
    # Sort and drop repeats: faster than np.unique's hashing on tens of millions of keys.
    all_keys = np.concatenate(keys)
    all_keys.sort()
    all_keys = all_keys[np.r_[True, all_keys[1:] != all_keys[:-1]]]
    all_keys = all_keys[all_keys >= 0]
    return np.column_stack((all_keys // n, all_keys % n))


def _pair_keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """One int64 per unordered pair (i * n + j, i < j; -1 for i == j)."""
    low, high = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    return np.where(low == high, -1, low * n + high)


def _similarity(signatures: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of each pair, in chunks to bound the memory."""
    out = np.empty(len(pairs))
    for start in range(0, len(pairs), _VERIFY_CHUNK):
        chunk = pairs[start : start + _VERIFY_CHUNK]
        out[start : start + len(chunk)] = (signatures[chunk[:, 0]] == signatures[chunk[:, 1]]).mean(
            axis=1
        )
    return out


def _star_groups(n: int, pairs: np.ndarray, signatures: np.ndarray, threshold: float) -> np.ndarray:
    """Leader of each row: rows in input order; an unassigned row becomes a leader and takes
    its unassigned similar neighbours. Then a row left alone joins the group of a neighbour
    whose leader it is similar to (LSH may have missed the pair with the leader itself)."""
    leader = np.full(n, -1, dtype=np.int64)
    if len(pairs):
        both = np.concatenate((pairs, pairs[:, ::-1]))
        graph = sparse.csr_matrix(
            (np.ones(len(both), dtype=np.int8), (both[:, 0], both[:, 1])), shape=(n, n)
        )
        indptr, indices = graph.indptr, graph.indices
        for row in np.flatnonzero(np.diff(indptr)).tolist():
            if leader[row] >= 0:
                continue
            leader[row] = row
            neighbours = indices[indptr[row] : indptr[row + 1]]
            neighbours = neighbours[leader[neighbours] < 0]
            leader[neighbours] = row
        # Second chance for the rows that remained alone.
        alone = leader == np.arange(n)
        alone &= np.bincount(leader[leader >= 0], minlength=n) == 1
        candidates = both[alone[both[:, 0]]]
        if len(candidates):
            target = leader[candidates[:, 1]]
            checks = np.column_stack((candidates[:, 0], target))
            checks = checks[checks[:, 0] != checks[:, 1]]
            similar = checks[_similarity(signatures, checks) >= threshold]
            # The first (smallest) leader wins, as in the first pass.
            similar = similar[np.lexsort((similar[:, 1], similar[:, 0]))]
            _, first = np.unique(similar[:, 0], return_index=True)
            leader[similar[first, 0]] = similar[first, 1]
    unassigned = leader < 0
    leader[unassigned] = np.flatnonzero(unassigned)
    return leader
